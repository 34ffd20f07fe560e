#!/usr/bin/env node
// `npx wamp-router`: the embedded router on its own, for development and for small deployments.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { RealmConfig } from '../router/config';
import { Router, type RouterOptions } from '../router';
import type { LongPollOptions } from '../transports/longpoll-endpoint';

const USAGE = `Usage: wamp-router [options]
  --port <n>         port for WebSocket and RawSocket (default 8080; 0 picks a free one)
  --host <addr>      address to listen on (default 127.0.0.1)
  --path <path>      WebSocket path (default /ws)
  --realm <name>     a realm open to anonymous sessions (repeatable; default realm1)
  --config <file>    JSON: { "realms": [...], "autoCreateRealms", "callTimeoutMs", "maxSessions", "limits",
                     "allowedOrigins": ["https://app.example.com"], "longPoll": { "requestTimeoutMs", ... } }
  --allow-origin <o> a web origin whose pages may connect (repeatable; * for any)
  --tls-key <file>   with --tls-cert: serve wss:// and RawSocket over TLS
  --tls-cert <file>
  --mqtt             also accept MQTT 3.1.1/5.0 clients (on the port above and the WebSocket path)
  --mqtt-port <n>    and on a port of their own (1883 by convention)
  --mqtt-realm <r>   the realm MQTT clients join (default the first realm)
  --help`;

interface FileConfig
  extends Pick<
    RouterOptions,
    'autoCreateRealms' | 'callTimeoutMs' | 'maxSessions' | 'limits' | 'allowedOrigins'
  > {
  realms?: RealmConfig[];
  longPoll?: LongPollOptions;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      path: { type: 'string', default: '/ws' },
      realm: { type: 'string', multiple: true },
      'allow-origin': { type: 'string', multiple: true },
      config: { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      mqtt: { type: 'boolean', default: false },
      'mqtt-port': { type: 'string' },
      'mqtt-realm': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, not ${values.port}`);
  const file: FileConfig = values.config
    ? (JSON.parse(fs.readFileSync(values.config, 'utf8')) as FileConfig)
    : {};
  const realms = [...(file.realms ?? []), ...(values.realm ?? []).map((name) => ({ name }))];
  if (realms.length === 0 && !file.autoCreateRealms) realms.push({ name: 'realm1' });
  const tls =
    values['tls-key'] && values['tls-cert']
      ? { key: fs.readFileSync(values['tls-key']), cert: fs.readFileSync(values['tls-cert']) }
      : undefined;

  const router = new Router({
    realms,
    autoCreateRealms: file.autoCreateRealms,
    callTimeoutMs: file.callTimeoutMs,
    maxSessions: file.maxSessions,
    limits: file.limits,
    allowedOrigins: [...(file.allowedOrigins ?? []), ...(values['allow-origin'] ?? [])],
    logger: { info: (m) => console.log(m), warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  const mqttPort = values['mqtt-port'] === undefined ? undefined : Number(values['mqtt-port']);
  if (mqttPort !== undefined && (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535))
    throw new Error(`--mqtt-port must be 0..65535, not ${values['mqtt-port']}`);
  const mqttRealm = values['mqtt-realm'];
  if (mqttRealm !== undefined && !realms.some((r) => r.name === mqttRealm))
    throw new Error(`--mqtt-realm ${mqttRealm} is not one of the realms`);
  const mqtt =
    values.mqtt || mqttPort !== undefined || mqttRealm !== undefined ? { realm: mqttRealm } : undefined;
  const listener = await router.listen({
    host: values.host,
    port,
    path: values.path,
    tls,
    longPoll: file.longPoll,
    mqtt,
  });
  const raw = `${tls ? 'rss' : 'rs'}://${values.host}:${listener.port}`;
  console.log(
    `WAMP router listening on ${listener.url} and ${raw}; long-poll at ${listener.longPollUrl}; realms: ${realms.map((r) => r.name).join(', ') || '(created on demand)'}`,
  );
  if (mqtt) {
    const own =
      mqttPort === undefined
        ? undefined
        : await router.listenMqtt({ host: values.host, port: mqttPort, tls, realm: mqttRealm });
    const where = `${tls ? 'mqtts' : 'mqtt'}://${values.host}:${listener.port}${own ? ` and ${own.url}` : ''}`;
    console.log(`MQTT clients accepted on ${where} (realm ${mqttRealm ?? realms[0]?.name})`);
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing sessions`);
    void router.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`wamp-router: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
