// Attacks by one client on the others (issue "Hold against a hostile client"): each test performs
// the attack against a real listener and shows that it fails, that the attacker is the one
// refused, and that the other sessions never notice. docs/RELIABILITY.md "Attacks" lists them.
// Attacks before and around joining: connections that never join, oversized frames and HELLOs
// before authentication, and failed logins meant to lock another user out.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { LoginThrottle } from '../../src/router/auth';
import { encodeFrameHeader, FrameType } from '../../src/transports/rawsocket-framing';
import { MessageType as M } from '../../src/wamp/messages';
import { openJsonWs } from './attack-client';
import { HELLO, answer, attackBed } from './attack-bed';
import { RawClient } from './raw-client';
import { until } from './support';

describe('attacks on other sessions fail', function () {
  this.timeout(60_000);
  const bed = attackBed();
  const { start, client, warnings, clients } = bed;

  describe('connections that never join cannot crowd out the others', () => {
    it('unjoined connections are limited per address and in all, and closed after the handshake deadline', async () => {
      await start({
        limits: { handshakeTimeoutMs: 1500, maxPendingSessions: 8, maxPendingPerAddress: 4 },
      });
      // Four silent RawSocket connections from one address: a fifth is refused at once.
      const silent: RawClient[] = [];
      for (let i = 0; i < 4; i++) silent.push(await RawClient.open('rawsocket', 'json', bed.listener.port));
      clients.push(...silent);
      await until(() => bed.router.handshakingCount === 4, 5000, 'four connections in their handshake');
      const fifth = await RawClient.open('rawsocket', 'json', bed.listener.port);
      clients.push(fifth);
      await fifth.waitClosed(5000);
      assert.match(warnings.join('\n'), /too many connections in their handshake from this address/);
      // Another address still gets in, and joins.
      const other = await openJsonWs(bed.listener.url, '127.0.0.2');
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
      const socket = net.connect({ host: '127.0.0.1', port: bed.listener.port });
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
      const c = await openJsonWs(bed.listener.url);
      c.send(HELLO('realm1', { authid: 'alice', authmethods: ['ticket'] }));
      await c.next(M.CHALLENGE);
      const abort = await c.next(M.ABORT, 15_000);
      assert.equal(abort[2], 'wamp.error.timeout');
      await c.closed;
      await until(() => bed.router.handshakingCount === 0, 5000, 'no connection left in its handshake');
    });

    it('filling the pending limit does not stop joined sessions or use up maxSessions', async () => {
      await start({ maxSessions: 50, limits: { maxPendingSessions: 5, maxPendingPerAddress: 5 } });
      const silent: RawClient[] = [];
      for (let i = 0; i < 5; i++) silent.push(await RawClient.open('websocket', 'json', bed.listener.port));
      clients.push(...silent);
      const refused = await RawClient.open('websocket', 'json', bed.listener.port);
      await refused.waitClosed(5000);
      // Those that finish their handshake are counted as sessions, not as pending.
      for (const s of silent) s.sendValue(HELLO());
      for (const s of silent) await s.waitFor((m) => m[0] === M.WELCOME, 10_000);
      const more = await client('rawsocket', 'cbor');
      assert.equal(more.closed, false);
      assert.equal(bed.router.sessionCount, 6);
    });
  });

  describe('memory before authentication is bounded', () => {
    it('RawSocket: a frame announced longer than the pre-join limit fails the connection at once; after WELCOME 1 MiB is fine', async () => {
      await start();
      const c = await RawClient.open('rawsocket', 'json', bed.listener.port);
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
      const ws = await openJsonWs(bed.listener.url);
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
        const c = await RawClient.open('websocket', 'json', bed.listener.port);
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

  describe('someone else cannot lock a user out', () => {
    it('failed tickets for alice from one address do not refuse alice at another; they do at the first', async () => {
      await start({
        realms: [{ name: 'realm1', users: [{ authid: 'alice', role: 'user', ticket: 'right' }] }],
      });
      const login = async (address: string, ticket: string): Promise<number> => {
        const c = await openJsonWs(bed.listener.url, address);
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
