// The client tests against the project's own embedded router: routers with a plain realm and a
// realm of every auth method, and connections to them (in-process unless a test says otherwise).
// What a test opens is closed after it by the hook embeddedRouterPerTest() adds.
import { afterEach } from 'mocha';
import { Connection, type ConnectionOptions, type ConnectionStatus } from '../../src/client/connection';
import { Router } from '../../src/router';
import { authenticatorsFor } from '../../src/router/auth';
import type { RealmConfig } from '../../src/router/config';
import { listen, type Listener } from '../../src/transports/listener';
import { publicKeyHexOf } from '../../src/wamp/auth/cryptosign';

export const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
export const OTHER_SEED = '1'.repeat(64);

const REALMS: RealmConfig[] = [
  { name: 'realm1' },
  {
    name: 'secure',
    anonymous: false,
    users: [
      { authid: 'tim', role: 'user', ticket: 'tick3t' },
      { authid: 'cra', role: 'user', secret: 'cr4' },
      { authid: 'salty', role: 'user', secret: 's4lt', salt: 'pepper', iterations: 100, keylen: 32 },
      { authid: 'dev', role: 'device', pubkey: publicKeyHexOf(SEED) },
    ],
  },
];

let routers: Router[] = [];
let listeners: Listener[] = [];
let conns: Connection[] = [];

/** Closes what the test opened after each test of the calling describe. */
export function embeddedRouterPerTest(): void {
  afterEach(async () => {
    await Promise.all(conns.map((c) => c.close()));
    await Promise.all(listeners.map((l) => l.close()));
    await Promise.all(routers.map((r) => r.close()));
    conns = [];
    listeners = [];
    routers = [];
  });
}

export function router(): Router {
  const r = new Router({ realms: REALMS, authenticators: authenticatorsFor });
  routers.push(r);
  return r;
}

/** `r` listening on an ephemeral port of 127.0.0.1 (WebSocket and RawSocket). */
export async function listening(r: Router): Promise<Listener> {
  const l = await listen({ port: 0 }, (t) => r.accept(t));
  listeners.push(l);
  return l;
}

/** A connection made by the test itself, closed after it. */
export function track(c: Connection): Connection {
  conns.push(c);
  return c;
}

export function waitStatus(c: Connection, pred: (s: ConnectionStatus) => boolean): Promise<ConnectionStatus> {
  if (pred(c.status)) return Promise.resolve(c.status);
  return new Promise((resolve) => {
    const on = (s: ConnectionStatus) => {
      if (pred(s)) {
        c.off('status', on);
        resolve(s);
      }
    };
    c.on('status', on);
  });
}

/** Opens a connection and waits until it is connected or has failed. */
export async function open(
  options: Partial<ConnectionOptions> & { realm?: string },
  r?: Router,
): Promise<Connection> {
  const rt = r ?? routers[0] ?? router();
  const c = new Connection({
    realm: 'realm1',
    transportFactory: () => rt.connectLocal(),
    ...options,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, onFatal: 'stop', ...options.reconnect },
  });
  track(c).open();
  await waitStatus(c, (s) => s.state === 'connected' || s.state === 'failed');
  return c;
}
