// HTTP long-poll end to end: our client (Connection over http:// and https:// URLs, and Session
// over each serializer batched and unbatched) against our router, on its own port, over TLS and
// inside another HTTP server; and what a session on a long-poll transport goes through: a
// testament on a client that stops polling, ABORT on a body that is not WAMP, reconnect.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { Connection } from '../../src/client/connection';
import { Session } from '../../src/client/session';
import type { EventInfo } from '../../src/client/types';
import { Router } from '../../src/router';
import { connectTransport } from '../../src/transports/connect';
import type { Listener } from '../../src/transports/listener';
import { testCert, testKey } from './helpers';
import { open, post, receiveJson, sendJson } from './longpoll-http';

const ROUTER_REALMS = [
  { name: 'realm1' },
  { name: 'secure', anonymous: false, users: [{ authid: 'tim', role: 'user', ticket: 'tick3t' }] },
];

describe('HTTP long-poll: our client against our router', function () {
  this.timeout(30000);
  let router: Router;
  let listener: Listener;
  const closers: Array<() => Promise<unknown> | unknown> = [];
  const warnings: string[] = [];

  beforeEach(async () => {
    warnings.length = 0;
    router = new Router({
      realms: ROUTER_REALMS,
      logger: { info() {}, warn: (m) => warnings.push(String(m)), error: (m) => warnings.push(String(m)) },
    });
    listener = await router.listen({ port: 0, longPoll: { sessionTimeoutMs: 1000, requestTimeoutMs: 500 } });
  });

  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await router.close();
  });

  async function session(
    url: string,
    serializer: 'json' | 'msgpack' | 'cbor',
    batched: boolean,
  ): Promise<Session> {
    const s = new Session(await connectTransport({ url, serializer, batched }), { realm: 'realm1' });
    closers.push(() => s.leave().catch(() => undefined));
    await s.join();
    return s;
  }

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    for (const batched of [true, false]) {
      it(`${serializer}${batched ? ' batched' : ''}: join, register and call, subscribe and publish`, async () => {
        const callee = await session(listener.longPollUrl, serializer, batched);
        const caller = await session(listener.longPollUrl, serializer, batched);
        const [info] =
          router
            .realm('realm1')
            ?.clients()
            .map((c) => c.transport.info) ?? [];
        assert.equal(info.type, 'longpoll');
        assert.equal(info.serializer, serializer);
        await callee.register('com.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
        const bytes = Buffer.from([0, 1, 2, 254, 255]);
        await callee.register('com.echo', (inv) => inv.args[0]);
        assert.deepEqual((await caller.call('com.add', [2, 3])).args, [5]);
        assert.deepEqual(Buffer.from((await caller.call('com.echo', [bytes])).args[0] as Uint8Array), bytes);
        const events: unknown[] = [];
        let got!: () => void;
        const all = new Promise<void>((resolve) => (got = resolve));
        await callee.subscribe('com.topic', (ev: EventInfo) => {
          events.push(ev.args[0]);
          if (events.length === 50) got();
        });
        // Many at once: the batched answer carries them together, unbatched one per receive.
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => caller.publish('com.topic', [i], {}, { acknowledge: true })),
        );
        await all;
        assert.deepEqual(
          events,
          Array.from({ length: 50 }, (_, i) => i),
        );
      });
    }
  }

  it('Connection: an http:// URL speaks long-poll with the same auth, and reconnects when the router comes back', async () => {
    const c = new Connection({
      url: listener.longPollUrl.replace('127.0.0.1', 'localhost'),
      realm: 'secure',
      authid: 'tim',
      ticket: 'tick3t',
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    closers.push(() => c.close());
    c.open();
    await c.connected();
    assert.equal(c.session?.details.authid, 'tim');
    assert.equal(c.session?.details.authmethod, 'ticket');
    const port = listener.port;
    await router.close();
    await new Promise<void>((resolve) => {
      const onStatus = (s: { state: string }) => {
        if (s.state !== 'connected') {
          c.off('status', onStatus);
          resolve();
        }
      };
      c.on('status', onStatus);
    });
    router = new Router({ realms: ROUTER_REALMS });
    await router.listen({ port });
    await c.connected();
    assert.equal(router.realm('secure')?.clients()[0]?.transport.info.type, 'longpoll');
  });

  it('Connection: a wrong ticket over long-poll fails like over WebSocket', async () => {
    const c = new Connection({
      url: listener.longPollUrl,
      realm: 'secure',
      authid: 'tim',
      ticket: 'wrong',
      reconnect: { onFatal: 'stop' },
    });
    closers.push(() => c.close());
    c.open();
    await assert.rejects(c.connected(10000));
    assert.equal(c.status.state, 'failed');
  });

  it('a client that stops polling is reaped after the session timeout: it leaves and its testament fires', async () => {
    const watcher = await session(listener.url, 'json', false);
    const gone: unknown[] = [];
    let fired!: () => void;
    const testament = new Promise<void>((resolve) => (fired = resolve));
    await watcher.subscribe('com.gone', (ev: EventInfo) => {
      gone.push(ev.args[0]);
      fired();
    });
    const t = await open(listener.longPollUrl);
    await sendJson(t.url, [1, 'realm1', { roles: { caller: {} } }]);
    const welcome = (await receiveJson(t.url)) as unknown[];
    assert.equal(welcome[0], 2);
    await sendJson(t.url, [48, 1, {}, 'wamp.session.add_testament', ['com.gone', ['quiet']]]);
    assert.equal(((await receiveJson(t.url)) as unknown[])[0], 50);
    assert.equal(router.sessionCount, 2);
    // No more receives: the router gives the client up.
    await testament;
    assert.deepEqual(gone, ['quiet']);
    assert.equal(router.sessionCount, 1);
    assert.equal((await post(`${t.url}/receive`)).status, 404);
  });

  it('a body that is not a WAMP message: 400, then ABORT wamp.error.protocol_violation, then 404', async () => {
    const t = await open(listener.longPollUrl);
    await sendJson(t.url, [1, 'realm1', { roles: { caller: {} } }]);
    assert.equal(((await receiveJson(t.url)) as unknown[])[0], 2);
    assert.equal((await post(`${t.url}/send`, '{"not": "a list"')).status, 400);
    const abort = (await receiveJson(t.url)) as unknown[];
    assert.equal(abort[0], 3);
    assert.equal(abort[2], 'wamp.error.protocol_violation');
    assert.equal((await post(`${t.url}/receive`)).status, 404);
    assert.ok(warnings.some((w) => /protocol violation/.test(w)));
    // A well-formed but invalid WAMP message gets the same treatment.
    const u = await open(listener.longPollUrl);
    assert.equal((await sendJson(u.url, [1, 'realm1'])).status, 204);
    const abort2 = (await receiveJson(u.url)) as unknown[];
    assert.equal(abort2[2], 'wamp.error.protocol_violation');
  });

  it('an outgoing queue overflow ends the session, logged with the reason', async () => {
    await router.close();
    router = new Router({
      realms: ROUTER_REALMS,
      logger: { info() {}, warn: (m) => warnings.push(String(m)), error() {} },
    });
    listener = await router.listen({ port: 0, longPoll: { maxQueuedMessages: 20 } });
    const t = await open(listener.longPollUrl, ['wamp.2.json.batched']);
    await post(
      `${t.url}/send`,
      `${JSON.stringify([1, 'realm1', { roles: { subscriber: {} } }])}\x1e${JSON.stringify([32, 1, {}, 'com.flood'])}\x1e`,
    );
    const publisher = await session(listener.url, 'json', false);
    for (let i = 0; i < 40; i++) await publisher.publish('com.flood', [i], {}, { acknowledge: true });
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (router.sessionCount === 1) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
    const gone = await post(`${t.url}/receive`);
    assert.equal(gone.status, 200, 'what was queued is still delivered');
    const after = await post(`${t.url}/receive`);
    assert.equal(after.status, 404);
    assert.match(after.text, /outgoing queue overflow/);
    assert.ok(
      warnings.some((w) => /long-poll outgoing queue overflow: more than 20 messages/.test(w)),
      warnings.join('\n'),
    );
  });

  it("https:// over the listener's TLS", async () => {
    await router.close();
    router = new Router({ realms: ROUTER_REALMS });
    const tlsListener = await router.listen({ port: 0, tls: { key: testKey, cert: testCert } });
    assert.match(tlsListener.longPollUrl, /^https:\/\//);
    const s = new Session(
      await connectTransport({ url: tlsListener.longPollUrl, tls: { rejectUnauthorized: false } }),
      { realm: 'realm1' },
    );
    await s.join();
    const info = router.realm('realm1')?.clients()[0]?.transport.info;
    assert.equal(info?.type, 'longpoll');
    assert.equal(info?.secure, true);
    await s.leave();
    await assert.rejects(connectTransport({ url: tlsListener.longPollUrl }), /certificate/i);
  });

  it('inside another HTTP server: long-poll under the WebSocket path, other requests left to the server', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(418);
      res.end('teapot');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as { port: number }).port;
    const attached = router.attach(server, { path: '/wamp' });
    // Another library wrapping the request listeners it finds, as socket.io does.
    const found = server.listeners('request') as Array<
      (req: http.IncomingMessage, res: http.ServerResponse) => void
    >;
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      if (req.url === '/socket.io/') res.end('sio');
      else for (const l of found) l.call(server, req, res);
    });
    const s = await session(`http://127.0.0.1:${port}/wamp`, 'msgpack', true);
    const ws = await session(`ws://127.0.0.1:${port}/wamp`, 'json', false);
    await ws.register('com.ping', () => 'pong');
    assert.deepEqual((await s.call('com.ping')).args, ['pong']);
    assert.equal((await post(`http://127.0.0.1:${port}/other`)).status, 418);
    assert.equal(
      (await post(`http://127.0.0.1:${port}/wamp`)).status,
      418,
      'the base itself is not an endpoint',
    );
    const upgrades = server.listenerCount('upgrade');
    assert.throws(() => router.attach(server, { path: '/wamp' }), /already serves/);
    assert.equal(server.listenerCount('upgrade'), upgrades, 'a refused attach leaves nothing behind');
    attached.close();
    assert.equal(
      (await post(`http://127.0.0.1:${port}/wamp/open`, '{"protocols":["wamp.2.json"]}')).status,
      418,
    );
    assert.equal(server.listenerCount('request'), 1);
    // Every request is still answered exactly once.
    const answered = await post(`http://127.0.0.1:${port}/other`);
    assert.equal(answered.status, 418);
    assert.equal(answered.text, 'teapot');
    assert.equal((await post(`http://127.0.0.1:${port}/socket.io/`)).text, 'sio');
  });
});
