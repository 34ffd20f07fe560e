#!/usr/bin/env node
// `wamp-router`: the embedded router on its own, for development and for small deployments.
// Every mistake in the options or the --config file stops it with a message saying what to fix:
// a router that starts without the TLS or the users it was asked for is worse than none.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Router } from '../router';
import { readConfigFile, type RouterFileConfig } from './config-file';

const USAGE = `Usage: wamp-router [options]
  --port <n>         port for WebSocket and RawSocket (default 8080; 0 picks a free one)
  --host <addr>      address to listen on (default 127.0.0.1)
  --path <path>      WebSocket path (default /ws)
  --realm <name>     a realm open to anonymous sessions (repeatable; default realm1)
  --config <file>    JSON: { "realms": [...], "autoCreateRealms", "callTimeoutMs", "maxSessions" }
  --tls-key <file>   with --tls-cert: serve wss:// and RawSocket over TLS
  --tls-cert <file>
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
    logger: { info: (m) => console.log(m), warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  const listener = await router.listen({ host: values.host, port, path: values.path, tls });
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
