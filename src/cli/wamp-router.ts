#!/usr/bin/env node
// `npx wamp-router`: the embedded router on its own, for development and for small deployments.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { RealmConfig } from '../router/config';
import { Router, type RouterOptions } from '../router';

const USAGE = `Usage: wamp-router [options]
  --port <n>         port for WebSocket and RawSocket (default 8080; 0 picks a free one)
  --host <addr>      address to listen on (default 127.0.0.1)
  --path <path>      WebSocket path (default /ws)
  --realm <name>     a realm open to anonymous sessions (repeatable; default realm1)
  --config <file>    JSON: { "realms": [...], "autoCreateRealms", "callTimeoutMs", "maxSessions",
                     "maxMessageSize", "keepaliveMs", "keepaliveTimeoutMs" }
  --tls-key <file>   with --tls-cert: serve wss:// and RawSocket over TLS
  --tls-cert <file>
  --help`;

interface FileConfig extends Pick<RouterOptions, 'autoCreateRealms' | 'callTimeoutMs' | 'maxSessions'> {
  realms?: RealmConfig[];
  /** Bytes, both ways (the listener's maxPayload). */
  maxMessageSize?: number;
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      path: { type: 'string', default: '/ws' },
      realm: { type: 'string', multiple: true },
      config: { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
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
    logger: { info: (m) => console.log(m), warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  const listener = await router.listen({
    host: values.host,
    port,
    path: values.path,
    tls,
    maxPayload: file.maxMessageSize,
    keepaliveMs: file.keepaliveMs,
    keepaliveTimeoutMs: file.keepaliveTimeoutMs,
  });
  const raw = `${tls ? 'rss' : 'rs'}://${values.host}:${listener.port}`;
  console.log(
    `WAMP router listening on ${listener.url} and ${raw}; realms: ${realms.map((r) => r.name).join(', ') || '(created on demand)'}`,
  );

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
