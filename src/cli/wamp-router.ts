#!/usr/bin/env node
// `wamp-router`: the embedded router on its own, for development and for small deployments.
// Every mistake in the options or the --config file stops it with a message saying what to fix:
// a router that starts without the TLS or the users it was asked for is worse than none.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Router } from '../router';
import { errorMessage } from '../wamp/errors';
import { readConfigFile, type RouterFileConfig } from './config-file';

const USAGE = `Usage: wamp-router [options]
  --port <n>         port for WebSocket and RawSocket (default 8080; 0 picks a free one)
  --host <addr>      address to listen on (default 127.0.0.1)
  --path <path>      WebSocket path (default /ws)
  --realm <name>     a realm open to anonymous sessions (repeatable; default realm1)
  --config <file>    JSON: { "realms": [...], "autoCreateRealms", "callTimeoutMs", "maxSessions", "limits",
                     "allowedOrigins": ["https://app.example.com"], "longPoll": { "requestTimeoutMs", ... },
                     "maxMessageSize", "keepaliveMs", "keepaliveTimeoutMs" }
  --allow-origin <o> a web origin whose pages may connect (repeatable; * for any)
  --tls-key <file>   with --tls-cert: serve wss:// and RawSocket over TLS
  --tls-cert <file>
  --mqtt             also accept MQTT 3.1.1/5.0 clients (on the port above and the WebSocket path)
  --mqtt-port <n>    and on a port of their own (1883 by convention)
  --mqtt-realm <r>   the realm MQTT clients join (default the first realm)
  --help`;

function readTlsFile(file: string, option: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${option} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
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
  const key = values['tls-key'];
  const cert = values['tls-cert'];
  if (key !== undefined && cert === undefined)
    throw new Error('--tls-key needs --tls-cert (the certificate to serve)');
  if (cert !== undefined && key === undefined)
    throw new Error('--tls-cert needs --tls-key (its private key)');
  const file: RouterFileConfig = values.config ? readConfigFile(values.config) : {};
  const realms = [...(file.realms ?? []), ...(values.realm ?? []).map((name) => ({ name }))];
  if (realms.length === 0 && !file.autoCreateRealms) realms.push({ name: 'realm1' });
  const tls =
    key !== undefined && cert !== undefined
      ? { key: readTlsFile(key, '--tls-key'), cert: readTlsFile(cert, '--tls-cert') }
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
    maxPayload: file.maxMessageSize,
    keepaliveMs: file.keepaliveMs,
    keepaliveTimeoutMs: file.keepaliveTimeoutMs,
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
  console.error(`wamp-router: ${errorMessage(e)}`);
  process.exit(1);
});
