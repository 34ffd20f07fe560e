// A Connection given several router URLs: tried in order, a failed attempt or a lost session
// passes the turn to the next one, and the session's registrations and subscriptions follow it.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import { Connection, type ConnectionStatus } from '../../src/client';
import { RouterList } from '../../src/client/router-list';
import { Router } from '../../src/router';
import { freePort } from '../support/node-red-process';
import { until, within } from '../reliability/support';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});

async function startRouter(port = 0): Promise<{ router: Router; ws: string; rs: string }> {
  const router = new Router({ realms: [{ name: 'realm1' }] });
  const listener = await router.listen({ port });
  closers.push(() => router.close());
  return { router, ws: listener.url, rs: `rs://127.0.0.1:${listener.port}` };
}

function client(url: string | string[], extra: Record<string, unknown> = {}): Connection {
  const c = new Connection({
    url,
    realm: 'realm1',
    connectTimeoutMs: 5000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
    ...extra,
  });
  closers.push(() => c.close());
  return c;
}

function statusWhere(
  c: Connection,
  pred: (s: ConnectionStatus) => boolean,
  what: string,
): Promise<ConnectionStatus> {
  if (pred(c.status)) return Promise.resolve(c.status);
  return within(
    new Promise((resolve) => {
      const on = (s: ConnectionStatus): void => {
        if (!pred(s)) return;
        c.off('status', on);
        resolve(s);
      };
      c.on('status', on);
    }),
    15000,
    what,
  );
}

describe('client connection: a list of routers', () => {
  it('validates the list: empty, or an entry that is not a URL string, is refused at construction', () => {
    assert.throws(() => new RouterList([]), /empty/);
    assert.throws(() => new RouterList(['ws://a:1/ws', ' ']), /not a router URL/);
    assert.throws(() => client([]), /empty/);
    const list = new RouterList(['ws://a:1/ws', ' rs://b:2 ']);
    assert.deepEqual(list.urls, ['ws://a:1/ws', 'rs://b:2']);
    assert.equal(list.current, 'ws://a:1/ws');
    list.advance();
    assert.equal(list.current, 'rs://b:2');
    list.advance();
    assert.equal(list.current, 'ws://a:1/ws');
  });

  it('skips a router that is down, and moves back to it with registrations and subscriptions when the serving one dies', async function () {
    this.timeout(60000);
    const downPort = await freePort();
    const b = await startRouter();
    // Mixed transports: the first router is reached over RawSocket, the second over WebSocket.
    const first = `rs://127.0.0.1:${downPort}`;
    const conn = client([first, b.ws]);
    const tried: Array<string | undefined> = [];
    conn.on('status', (s: ConnectionStatus) => {
      if (s.state === 'connecting') tried.push(s.url);
    });
    const events: unknown[] = [];
    conn.open();
    const reg = await conn.register('cluster.where', () => 'here');
    const sub = await conn.subscribe('cluster.news', (e) => void events.push(e.args[0]));

    const onB = await statusWhere(conn, (s) => s.state === 'connected', 'connected to the second router');
    assert.equal(onB.state === 'connected' && onB.url, b.ws);
    assert.deepEqual(tried.slice(0, 2), [first, b.ws], 'tried in order');

    // Both restored on the second router: a peer there calls and publishes.
    const peerB = client(b.ws);
    peerB.open();
    await peerB.connected();
    assert.equal((await peerB.call('cluster.where')).args[0], 'here');
    await until(() => sub.id !== undefined, 10000, 'subscribed on the second router');
    await peerB.publish('cluster.news', ['from b'], {}, { acknowledge: true });
    await until(() => events.includes('from b'), 10000, 'event from the second router');
    await peerB.close();

    // The first router comes back on its port; the second dies: the session moves.
    const a = await startRouter(downPort);
    const regIdOnB = reg.id;
    await b.router.close();
    const onA = await statusWhere(
      conn,
      (s) => s.state === 'connected' && s.url === first,
      'connected to the first router again',
    );
    assert.equal(onA.state, 'connected');
    await until(() => reg.id !== undefined && sub.id !== undefined, 10000, 'restored on the first router');
    assert.ok(reg.id !== undefined && regIdOnB !== undefined, 'the same handle has a registration again');

    const peerA = client(a.ws);
    peerA.open();
    await peerA.connected();
    assert.equal((await peerA.call('cluster.where')).args[0], 'here');
    await peerA.publish('cluster.news', ['from a'], {}, { acknowledge: true });
    await until(() => events.includes('from a'), 10000, 'event from the first router');
    assert.equal(a.router.sessions('realm1').length, 2, 'the moved session and the peer');
  });

  it('counts a retry as one round over the list: maxRetries 2 over two dead routers gives up after four attempts', async function () {
    this.timeout(30000);
    const dead = [`ws://127.0.0.1:${await freePort()}/ws`, `rs://127.0.0.1:${await freePort()}`];
    const conn = client(dead, {
      reconnect: { initialDelayMs: 10, maxDelayMs: 20, jitter: 0, maxRetries: 2 },
    });
    const tried: Array<string | undefined> = [];
    const lost: Array<string | undefined> = [];
    conn.on('status', (s: ConnectionStatus) => {
      if (s.state === 'connecting') tried.push(s.url);
      if (s.state === 'disconnected') lost.push(s.url);
    });
    conn.open();
    const failed = await statusWhere(conn, (s) => s.state === 'failed', 'gave up');
    assert.match(failed.state === 'failed' ? failed.reason : '', /gave up after 2 retries/);
    // Rounds 1 and 2 hold two attempts each; the fifth failure would start round 3.
    assert.deepEqual(tried, [dead[0], dead[1], dead[0], dead[1], dead[0]]);
    assert.deepEqual(lost, [dead[0], dead[1], dead[0], dead[1]]);
  });

  it('a fatal refusal by one router (no such realm there) moves on to the next instead of failing', async function () {
    this.timeout(30000);
    const other = new Router({ realms: [{ name: 'elsewhere' }] });
    const otherListener = await other.listen({ port: 0 });
    closers.push(() => other.close());
    const b = await startRouter();
    const conn = client([otherListener.url, b.ws], { reconnect: { initialDelayMs: 10, onFatal: 'stop' } });
    const states: string[] = [];
    conn.on('status', (s: ConnectionStatus) => states.push(s.state));
    conn.open();
    const s = await statusWhere(conn, (x) => x.state === 'connected' || x.state === 'failed', 'an outcome');
    assert.equal(s.state, 'connected', states.join(' → '));
    assert.equal(s.state === 'connected' && s.url, b.ws);
    assert.ok(!states.includes('failed'));
  });
});
