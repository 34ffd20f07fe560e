// The test bed of the attack tests: a router on an ephemeral port whose warnings are recorded,
// clients joined over any transport and serializer, and a trap that fails the test if anything
// escapes the event loop. attackBed() registers its hooks in the calling describe.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import type { SerializerId } from '../../src/serializers';
import type { Listener } from '../../src/transports/listener';
import { MessageType as M } from '../../src/wamp/messages';
import { ALL_ROLES } from '../router/peer';
import { RawClient, type TransportKind } from './raw-client';
import { CrashTrap } from './support';

export const SERIALIZERS: SerializerId[] = ['json', 'msgpack', 'cbor'];
export const KINDS: TransportKind[] = ['websocket', 'rawsocket'];
export const HELLO = (realm = 'realm1', details: Record<string, unknown> = {}) => [
  M.HELLO,
  realm,
  { roles: ALL_ROLES, ...details },
];

async function join(kind: TransportKind, serializer: SerializerId, port: number): Promise<RawClient> {
  const c = await RawClient.open(kind, serializer, port);
  c.sendValue(HELLO());
  const welcome = await c.waitFor((m) => m[0] === M.WELCOME || m[0] === M.ABORT, 10_000);
  assert.equal(welcome?.[0], M.WELCOME, `join over ${kind}/${serializer}: ${JSON.stringify(welcome)}`);
  return c;
}

/** The reply to `request` (or the ERROR for it) among the messages from index `from` on. */
export async function answer(c: RawClient, request: number, from = 0): Promise<unknown[]> {
  const m = await c.waitFor((x) => (x[0] === M.ERROR && x[2] === request) || x[1] === request, 10_000, from);
  assert.ok(m, `no answer to ${request}; the connection closed`);
  return m;
}

export interface AttackBed {
  /** The router of the running test (after start()). */
  readonly router: Router;
  readonly listener: Listener;
  /** Warnings and errors the router logged in this test. */
  readonly warnings: string[];
  /** Connections closed after the test. */
  readonly clients: RawClient[];
  start(options?: ConstructorParameters<typeof Router>[0]): Promise<void>;
  /** A client joined to realm1 over `kind` with `serializer`. */
  client(kind: TransportKind, serializer: SerializerId): Promise<RawClient>;
}

export function attackBed(): AttackBed {
  let router: Router | undefined;
  let listener: Listener | undefined;
  const warnings: string[] = [];
  const clients: RawClient[] = [];
  const trap = new CrashTrap();

  beforeEach(() => {
    warnings.length = 0;
    trap.install();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await router?.close();
    trap.uninstall();
    trap.assertNone();
  });

  return {
    get router() {
      assert.ok(router, 'start() first');
      return router;
    },
    get listener() {
      assert.ok(listener, 'start() first');
      return listener;
    },
    warnings,
    clients,
    async start(options = {}) {
      router = new Router({
        realms: [{ name: 'realm1' }],
        logger: { info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
        ...options,
      });
      listener = await router.listen({ host: '127.0.0.1', port: 0 });
    },
    async client(kind, serializer) {
      const c = await join(kind, serializer, listener!.port);
      clients.push(c);
      return c;
    },
  };
}
