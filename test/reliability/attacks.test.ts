// Attacks by one client on the others (issue "Hold against a hostile client"): each test performs
// the attack against a real listener and shows that it fails, that the attacker is the one
// refused, and that the other sessions never notice. docs/RELIABILITY.md "Attacks" lists them.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { Router } from '../../src/router';
import { LoginThrottle } from '../../src/router/auth';
import type { Listener } from '../../src/transports/listener';
import type { SerializerId } from '../../src/serializers';
import { encodeFrameHeader, FrameType } from '../../src/transports/rawsocket-framing';
import { MessageType as M } from '../../src/wamp/messages';
import { ALL_ROLES, Peer } from '../router/peer';
import { deepMessage, openJsonWs } from './attack-client';
import { RawClient, type TransportKind } from './raw-client';
import { CrashTrap, until } from './support';

const SERIALIZERS: SerializerId[] = ['json', 'msgpack', 'cbor'];
const KINDS: TransportKind[] = ['websocket', 'rawsocket'];
const HELLO = (realm = 'realm1', details: Record<string, unknown> = {}) => [
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

async function answer(c: RawClient, request: number, from = 0): Promise<unknown[]> {
  const m = await c.waitFor((x) => (x[0] === M.ERROR && x[2] === request) || x[1] === request, 10_000, from);
  assert.ok(m, `no answer to ${request}; the connection closed`);
  return m;
}

describe('attacks on other sessions fail', function () {
  this.timeout(60_000);
  let router: Router;
  let listener: Listener;
  const warnings: string[] = [];
  const clients: RawClient[] = [];
  const trap = new CrashTrap();

  async function start(options: ConstructorParameters<typeof Router>[0] = {}): Promise<void> {
    router = new Router({
      realms: [{ name: 'realm1' }],
      logger: { info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
      ...options,
    });
    listener = await router.listen({ host: '127.0.0.1', port: 0 });
  }
  async function client(kind: TransportKind, serializer: SerializerId): Promise<RawClient> {
    const c = await join(kind, serializer, listener.port);
    clients.push(c);
    return c;
  }

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

  describe('a payload nested 20,000 deep is refused from its sender', () => {
    for (const kind of KINDS)
      for (const serializer of SERIALIZERS)
        it(`over ${kind}/${serializer}: retained publish and call are refused; subscribers, callee and later subscribers stay`, async () => {
          await start();
          // Receivers of every serializer, over both transports.
          const receivers: RawClient[] = [];
          for (const k of KINDS)
            for (const s of SERIALIZERS) {
              const r = await client(k, s);
              r.sendValue([M.SUBSCRIBE, 1, {}, 'com.t']);
              await answer(r, 1);
              receivers.push(r);
            }
          const callee = await client('websocket', 'json');
          callee.sendValue([M.REGISTER, 2, {}, 'com.p']);
          await answer(callee, 2);
          const attacker = await client(kind, serializer);
          const send = (c: RawClient, bytes: Buffer): void =>
            c.sendRaw(serializer === 'json' ? bytes.toString() : bytes, serializer !== 'json');

          // 1000 deep decodes everywhere: refused by the nesting limit with an ERROR, the
          // sender stays. 20,000 deep: the same, or (CBOR, whose decoder recurses) undecodable,
          // which is ABORT protocol_violation for the sender alone.
          for (const depth of [1000, 20_000]) {
            for (const type of ['publish', 'call'] as const) {
              const from = attacker.received.length;
              send(attacker, deepMessage(serializer, type, type === 'publish' ? 'com.t' : 'com.p', depth));
              const refused = await attacker.waitFor(
                (m) => (m[0] === M.ERROR && m[2] === 7) || m[0] === M.ABORT,
                10_000,
                from,
              );
              if (refused?.[0] === M.ABORT || (refused === null && attacker.closed)) {
                assert.equal(depth, 20_000, 'only a message too deep to decode ends the session');
                assert.equal(serializer, 'cbor');
                assert.equal(refused?.[2], 'wamp.error.protocol_violation');
                break;
              }
              assert.equal(refused?.[4], 'wamp.error.invalid_argument', JSON.stringify(refused));
              assert.match(String((refused?.[5] as unknown[])[0]), /nested deeper than 64 levels/);
            }
          }

          // A subscriber asking for retained events afterwards gets nothing and stays.
          const late = await client('websocket', 'json');
          late.sendValue([M.SUBSCRIBE, 3, { get_retained: true }, 'com.t']);
          await answer(late, 3);

          // Everyone is still connected and routing: an ordinary event reaches all of them.
          const publisher = attacker.closed ? await client(kind, serializer) : attacker;
          const from = publisher.received.length;
          publisher.sendValue([M.PUBLISH, 8, { acknowledge: true }, 'com.t', ['ok']]);
          await answer(publisher, 8, from);
          for (const r of [...receivers, late]) {
            const ev = await r.waitFor((m) => m[0] === M.EVENT, 10_000);
            assert.deepEqual(ev?.[4], ['ok'], `${r.kind}/${r.serializer.id} got the ordinary event only`);
            assert.equal(r.closed, false);
          }
          assert.equal(callee.closed, false);
          assert.equal(
            callee.received.some((m) => m[0] === M.INVOCATION),
            false,
          );
          if (serializer !== 'cbor')
            assert.equal(attacker.closed, false, 'the sender is answered, not dropped');
        });

    it('in-process: a cyclic or 20,000-deep value reaches in-process receivers, never the network', async () => {
      await start();
      // An in-process payload is shared by reference with in-process receivers (nothing is
      // encoded): it is walked only when a network receiver needs it encoded, and skipped there,
      // as a value the receiver's serializer cannot write is (the test below).
      const sub = await client('websocket', 'json');
      sub.sendValue([M.SUBSCRIBE, 1, {}, 'com.t']);
      await answer(sub, 1);
      const callee = await client('rawsocket', 'msgpack');
      callee.sendValue([M.REGISTER, 2, {}, 'com.p']);
      await answer(callee, 2);
      const localSub = await Peer.join(router);
      await localSub.subscribe('com.t');
      const local = await Peer.join(router);
      let deep: unknown[] = [];
      for (let i = 0; i < 20_000; i++) deep = [deep];
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const arg of [deep, cyclic]) {
        const req = local.request();
        local.send([M.PUBLISH, req, { acknowledge: true, retain: true }, 'com.t', [arg]]);
        assert.equal((await local.answer(req, M.PUBLISHED))[0], M.PUBLISHED);
        const ev = await localSub.next(M.EVENT);
        assert.equal((ev[4] as unknown[])[0], arg, 'the in-process subscriber gets the value itself');
        const call = await local.call('com.p', [arg]);
        assert.deepEqual([call[0], call[4]], [M.ERROR, 'wamp.error.invalid_argument']);
        assert.match(String((call[5] as unknown[])[0]), /nested deeper than 64 levels/);
      }
      local.send([M.PUBLISH, local.request(), {}, 'com.t', ['fine']]);
      const ev = await sub.waitFor((m) => m[0] === M.EVENT, 10_000);
      assert.deepEqual(ev?.[4], ['fine'], 'the network subscriber got only what it can be sent');
      assert.equal(sub.closed, false);
      assert.equal(callee.closed, false);
      assert.equal(
        callee.received.some((m) => m[0] === M.INVOCATION),
        false,
      );
      assert.match(warnings.join('\n'), /not sent: nested deeper than 64 levels/);
      assert.match(warnings.join('\n'), /not retained: nested deeper than 64 levels/);
      // A network subscriber asking for the retained event later gets none of them.
      const late = await client('websocket', 'json');
      late.sendValue([M.SUBSCRIBE, 3, { get_retained: true }, 'com.t']);
      await answer(late, 3);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        late.received.filter((m) => m[0] === M.EVENT).map((m) => m[4]),
        [],
      );
    });

    it('a message a receiver cannot be sent does not drop that receiver; the caller hears why', async () => {
      await start();
      const sub = await client('websocket', 'json');
      sub.sendValue([M.SUBSCRIBE, 1, {}, 'com.t']);
      await answer(sub, 1);
      const callee = await client('rawsocket', 'json');
      callee.sendValue([M.REGISTER, 2, {}, 'com.p']);
      await answer(callee, 2);
      // In-process values are not serialized on the way in: a BigInt reaches the router, and no
      // JSON encoder can write it.
      const local = await Peer.join(router);
      local.send([M.PUBLISH, local.request(), {}, 'com.t', [10n]]);
      const call = await local.call('com.p', [10n]);
      assert.equal(call[0], M.ERROR);
      assert.equal(call[4], 'wamp.error.invalid_argument');
      assert.match(String((call[5] as unknown[])[0]), /cannot encode as JSON/);
      local.send([M.PUBLISH, local.request(), {}, 'com.t', ['fine']]);
      const ev = await sub.waitFor((m) => m[0] === M.EVENT, 10_000);
      assert.deepEqual(ev?.[4], ['fine']);
      assert.equal(sub.closed, false);
      assert.equal(callee.closed, false);
      assert.match(warnings.join('\n'), /not sent: cannot encode as JSON/);
    });
  });

  describe('connections that never join cannot crowd out the others', () => {
    it('unjoined connections are limited per address and in all, and closed after the handshake deadline', async () => {
      await start({
        limits: { handshakeTimeoutMs: 1500, maxPendingSessions: 8, maxPendingPerAddress: 4 },
      });
      // Four silent RawSocket connections from one address: a fifth is refused at once.
      const silent: RawClient[] = [];
      for (let i = 0; i < 4; i++) silent.push(await RawClient.open('rawsocket', 'json', listener.port));
      clients.push(...silent);
      await until(() => router.handshakingCount === 4, 5000, 'four connections in their handshake');
      const fifth = await RawClient.open('rawsocket', 'json', listener.port);
      clients.push(fifth);
      await fifth.waitClosed(5000);
      assert.match(warnings.join('\n'), /too many connections in their handshake from this address/);
      // Another address still gets in, and joins.
      const other = await openJsonWs(listener.url, '127.0.0.2');
      other.send(HELLO());
      await other.next(M.WELCOME);
      // The silent ones are closed by the deadline, with ABORT wamp.error.timeout.
      for (const s of silent) await s.waitClosed(10_000);
      assert.ok(
        silent.every((s) => s.received.some((m) => m[0] === M.ABORT && m[2] === 'wamp.error.timeout')),
      );
      assert.equal(other.ws.readyState, 1, 'the joined session stays');
      other.ws.close();
    });

    it('a HELLO trickled one byte at a time is closed by the deadline', async () => {
      await start({ limits: { handshakeTimeoutMs: 1000 } });
      const socket = net.connect({ host: '127.0.0.1', port: listener.port });
      socket.on('error', () => {});
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.write(Buffer.from([0x7f, 0xf1, 0, 0]));
      const hello = Buffer.from(JSON.stringify(HELLO()));
      const bytes = Buffer.concat([encodeFrameHeader(FrameType.MESSAGE, hello.length), hello]);
      let sent = 0;
      const trickle = setInterval(() => {
        if (sent < bytes.length && !socket.destroyed) socket.write(bytes.subarray(sent, ++sent));
      }, 100);
      const started = Date.now();
      await closed;
      clearInterval(trickle);
      assert.ok(sent < bytes.length, 'closed before the HELLO was complete');
      assert.ok(Date.now() - started < 20_000);
      assert.match(warnings.join('\n'), /no WELCOME within 1000 ms/);
    });

    it('a CHALLENGE never answered is closed by the same deadline', async () => {
      await start({
        realms: [{ name: 'realm1', users: [{ authid: 'alice', role: 'user', ticket: 't' }] }],
        limits: { handshakeTimeoutMs: 1000 },
      });
      const c = await openJsonWs(listener.url);
      c.send(HELLO('realm1', { authid: 'alice', authmethods: ['ticket'] }));
      await c.next(M.CHALLENGE);
      const abort = await c.next(M.ABORT, 15_000);
      assert.equal(abort[2], 'wamp.error.timeout');
      await c.closed;
      await until(() => router.handshakingCount === 0, 5000, 'no connection left in its handshake');
    });

    it('filling the pending limit does not stop joined sessions or use up maxSessions', async () => {
      await start({ maxSessions: 50, limits: { maxPendingSessions: 5, maxPendingPerAddress: 5 } });
      const silent: RawClient[] = [];
      for (let i = 0; i < 5; i++) silent.push(await RawClient.open('websocket', 'json', listener.port));
      clients.push(...silent);
      const refused = await RawClient.open('websocket', 'json', listener.port);
      await refused.waitClosed(5000);
      // Those that finish their handshake are counted as sessions, not as pending.
      for (const s of silent) s.sendValue(HELLO());
      for (const s of silent) await s.waitFor((m) => m[0] === M.WELCOME, 10_000);
      const more = await client('rawsocket', 'cbor');
      assert.equal(more.closed, false);
      assert.equal(router.sessionCount, 6);
    });
  });

  describe('memory before authentication is bounded', () => {
    it('RawSocket: a frame announced longer than the pre-join limit fails the connection at once; after WELCOME 1 MiB is fine', async () => {
      await start();
      const c = await RawClient.open('rawsocket', 'json', listener.port);
      clients.push(c);
      // 16 MiB minus one announced, a little sent: refused from the header, nothing buffered.
      c.sendRaw(Buffer.alloc(1000, 0x20), false, encodeFrameHeader(FrameType.MESSAGE, 16 * 1024 * 1024 - 1));
      await c.waitClosed(5000);
      const ok = await client('rawsocket', 'json');
      ok.sendValue([M.PUBLISH, 5, { acknowledge: true }, 'com.big', ['x'.repeat(1024 * 1024)]]);
      assert.equal((await answer(ok, 5))[0], M.PUBLISHED);
    });

    it('WebSocket: a message over the pre-join limit closes with 1009; after WELCOME 1 MiB is fine', async () => {
      await start();
      const ws = await openJsonWs(listener.url);
      ws.ws.send(Buffer.alloc(256 * 1024, 0x20));
      assert.equal((await ws.closed).code, 1009);
      const ok = await client('websocket', 'json');
      ok.sendValue([M.PUBLISH, 5, { acknowledge: true }, 'com.big', ['x'.repeat(1024 * 1024)]]);
      assert.equal((await answer(ok, 5))[0], M.PUBLISHED);
    });

    it('realm, authid and authrole longer than the limits are refused in HELLO', async () => {
      await start();
      for (const [realm, details, uri] of [
        ['r'.repeat(300), {}, 'wamp.error.invalid_uri'],
        ['realm1', { authid: 'a'.repeat(300), authmethods: ['ticket'] }, 'wamp.error.invalid_argument'],
        ['realm1', { authrole: 'a'.repeat(300) }, 'wamp.error.invalid_argument'],
      ] as const) {
        const c = await RawClient.open('websocket', 'json', listener.port);
        clients.push(c);
        c.sendValue(HELLO(realm, details));
        const abort = await c.waitFor((m) => m[0] === M.ABORT, 5000);
        assert.equal(abort?.[2], uri);
      }
    });

    it('the login throttle keeps a small, fixed-size record whatever the authid', () => {
      const throttle = new LoginThrottle();
      for (let i = 0; i < 50; i++) throttle.recordFailure(`${i}${'x'.repeat(1024 * 1024)}`, '10.0.0.1');
      const keys = [...(throttle as unknown as { records: Map<string, unknown> }).records.keys()];
      assert.equal(keys.length, 50);
      assert.ok(keys.every((k) => k.length <= 64));
    });
  });

  describe("an ordinary session's memory is bounded", () => {
    it('subscriptions and registrations per session: the one over the quota gets wamp.error.limit_exceeded, logged', async () => {
      await start({ limits: { maxSubscriptionsPerSession: 3, maxRegistrationsPerSession: 2 } });
      const p = await Peer.join(router);
      for (const t of ['a', 'b', 'c']) await p.subscribe(`com.${t}`);
      await p.subscribe('com.a'); // the same one again is not another
      const req = p.request();
      p.send([M.SUBSCRIBE, req, {}, 'com.d']);
      assert.equal((await p.answer(req, M.SUBSCRIBED))[4], 'wamp.error.limit_exceeded');
      await p.register('com.p1');
      await p.register('com.p2');
      const r2 = p.request();
      p.send([M.REGISTER, r2, {}, 'com.p3']);
      assert.equal((await p.answer(r2, M.REGISTERED))[4], 'wamp.error.limit_exceeded');
      assert.match(warnings.join('\n'), /3 subscriptions held/);
      assert.match(warnings.join('\n'), /2 registrations held/);
    });

    it('retained events per realm are bounded by count and bytes, oldest dropped', async () => {
      await start({ limits: { maxRetainedEvents: 3, maxRetainedBytes: 100_000 } });
      const pub = await Peer.join(router);
      for (let i = 1; i <= 5; i++) pub.send([M.PUBLISH, pub.request(), { retain: true }, `com.r.${i}`, [i]]);
      await pub.sync();
      const broker = router.realm('realm1')!.broker;
      assert.equal(broker.retainedUsage.events, 3);
      const sub = await Peer.join(router);
      await sub.subscribe('com.r.', { match: 'prefix', get_retained: true });
      await sub.sync();
      assert.deepEqual(
        sub.queued(M.EVENT).map((e) => (e[4] as number[])[0]),
        [3, 4, 5],
      );
      // By bytes: a 60 KB and a 50 KB event do not both fit in 100 KB.
      pub.send([M.PUBLISH, pub.request(), { retain: true }, 'com.big.1', ['x'.repeat(60_000)]]);
      pub.send([M.PUBLISH, pub.request(), { retain: true }, 'com.big.2', ['y'.repeat(50_000)]]);
      await pub.sync();
      assert.ok(broker.retainedUsage.bytes <= 100_000);
      assert.ok(broker.retainedUsage.events <= 3);
      assert.match(warnings.join('\n'), /dropped the \d+ oldest retained event/);
    });

    it('testaments per session are bounded', async () => {
      await start({ limits: { maxTestamentsPerSession: 2 } });
      const p = await Peer.join(router);
      for (let i = 0; i < 2; i++)
        assert.equal((await p.call('wamp.session.add_testament', ['com.t', [i], {}]))[0], M.RESULT);
      const third = await p.call('wamp.session.add_testament', ['com.t', [3], {}]);
      assert.equal(third[4], 'wamp.error.limit_exceeded');
    });

    it('a realm created on demand goes with its last session, retained events and all', async () => {
      await start({ realms: [], autoCreateRealms: true });
      for (let i = 0; i < 20; i++) {
        const p = await Peer.join(router, `com.attack.realm${i}`);
        p.send([M.PUBLISH, p.request(), { retain: true }, 'com.t', ['x'.repeat(1000)]]);
        await p.sync();
        p.close();
        await p.closed;
      }
      await until(() => router.realmNames().length === 0, 10_000, 'on-demand realms removed');
      // One that is still in use stays.
      const a = await Peer.join(router, 'com.kept');
      const b = await Peer.join(router, 'com.kept');
      a.close();
      await a.closed;
      await b.sync();
      assert.deepEqual(router.realmNames(), ['com.kept']);
      b.close();
      await until(() => router.realmNames().length === 0, 10_000, 'last one removed');
    });
  });

  describe('someone else cannot lock a user out', () => {
    it('failed tickets for alice from one address do not refuse alice at another; they do at the first', async () => {
      await start({
        realms: [{ name: 'realm1', users: [{ authid: 'alice', role: 'user', ticket: 'right' }] }],
      });
      const login = async (address: string, ticket: string): Promise<number> => {
        const c = await openJsonWs(listener.url, address);
        c.send(HELLO('realm1', { authid: 'alice', authmethods: ['ticket'] }));
        const first = await c.next(M.CHALLENGE).catch(() => null);
        if (!first) return M.ABORT;
        c.send([M.AUTHENTICATE, ticket, {}]);
        const end = await c.nextWhere((m) => m[0] === M.WELCOME || m[0] === M.ABORT).catch(() => null);
        c.ws.close();
        return (end?.[0] as number) ?? M.ABORT;
      };
      for (let i = 0; i < 8; i++) assert.equal(await login('127.0.0.2', 'wrong'), M.ABORT);
      assert.equal(await login('127.0.0.2', 'right'), M.ABORT, 'the brake holds for the guessing address');
      assert.equal(await login('127.0.0.1', 'right'), M.WELCOME, 'alice elsewhere is not locked out');
    });
  });
});
