// What a wamp-connection says and does around an outage, against a standalone router on a real
// port that stops and comes back: one info line per connect, one warn line per outage (none per
// retry), publications queued while the router is down and delivered when it is back, the queue's
// bound with one warning; and `${ENV}` in its fields.
import assert from 'node:assert/strict';
import type { NodeMessage, NodeStatus } from '../../nodes/shared/red-types';
import { Router } from '../../src/router';
import {
  freePort,
  helper,
  isConnected,
  nextMessages,
  nextStatus,
  type TestNode,
  waitStatus,
  nodeRedPerTest,
} from './helpers';
import { adminGet, keysLogged, lastStatus, logged, modules } from './with-words';

const isRetrying = (s: NodeStatus): boolean =>
  s.fill === 'red' && s.shape === 'ring' && String(s.text).startsWith('wamp-connection.status.retrying');

async function startRouter(port: number): Promise<Router> {
  const router = new Router({ realms: [{ name: 'realm1' }] });
  await router.listen({ host: '127.0.0.1', port, path: '/ws' });
  return router;
}

/** A connection by URL, a publisher and a subscriber on it, and what the subscriber receives. */
function flow(url: string, conn: object = {}): object[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'conn',
      type: 'wamp-connection',
      url,
      realm: 'realm1',
      reconnectDelay: 0.05,
      reconnectMaxDelay: 0.1,
      ...conn,
    },
    { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', topic: 'com.test.t' },
    { id: 'sub', z: 'f1', type: 'wamp-subscribe', connection: 'conn', topic: 'com.test.t', wires: [['out']] },
    { id: 'out', z: 'f1', type: 'helper' },
  ];
}

/** A field as Node-RED substitutes it at deploy: exactly `${NAME}`. */
const env = (name: string): string => `\${${name}}`;

/** Resolves after `n` more "retry in" statuses on `node`: the connection kept trying. */
async function retries(node: TestNode, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextStatus(node, isRetrying, 10000);
}

describe('wamp-connection: log lines, the publish queue, environment variables in fields', function () {
  this.timeout(30000);
  let router: Router | undefined;
  nodeRedPerTest(async () => {
    await router?.close();
    router = undefined;
  });

  it('one info line per connect (URL, realm, authid, authrole), one warn line per outage, none per retry; queued publications arrive when the router is back', async function () {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    router = await startRouter(port);
    await helper.load(modules, flow(url));
    const conn = helper.getNode('conn');
    const sub = helper.getNode('sub');
    await waitStatus(sub, (s) => isConnected(s) && s.text === 'wamp-subscribe.status.subscribed', 10000);
    const [connected] = logged(conn, 'log');
    assert.match(connected, /^wamp-connection\.log\.connected /);
    const info = JSON.parse(connected.slice(connected.indexOf(' ') + 1)) as Record<string, string>;
    assert.equal(info.endpoint, url);
    assert.equal(info.realm, 'realm1');
    assert.equal(info.authrole, 'anonymous');
    assert.ok(info.authid, 'the authid the router gave');
    assert.deepEqual(logged(conn, 'warn'), []);

    await router.close();
    router = undefined;
    await retries(sub, 3);
    // Published while the router is down: held by the connection's queue (on by default).
    const pub = helper.getNode('pub');
    pub.receive({ payload: 'while down 1' });
    pub.receive({ payload: 'while down 2' });
    await retries(sub, 2);
    const warns = logged(conn, 'warn');
    assert.equal(warns.length, 1, JSON.stringify(warns));
    assert.match(warns[0], /^wamp-connection\.log\.lost .*"endpoint":"ws:\/\/127\.0\.0\.1:\d+\/ws"/);
    assert.match(warns[0], /wamp-connection\.log\.retry-in/);

    const events = nextMessages(helper.getNode('out'), 2, 10000);
    router = await startRouter(port);
    const got = (await events).map((m: NodeMessage) => m.payload);
    assert.deepEqual(got, ['while down 1', 'while down 2']);
    assert.deepEqual(keysLogged(conn, 'log'), [
      'wamp-connection.log.connected',
      'wamp-connection.log.connected',
    ]);
    assert.equal(logged(conn, 'warn').length, 1, 'nothing more was logged per retry');
    assert.deepEqual(logged(pub, 'error'), []);
    assert.equal(lastStatus(sub).text, 'wamp-subscribe.status.subscribed');
  });

  it('the detail behind the short status: GET wamp-connection/:id/state (endpoint, session, reason, next retry within the maximum, queue)', async function () {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    router = await startRouter(port);
    await helper.load(modules, flow(url, { reconnectDelay: 1, reconnectMaxDelay: 2 }));
    const sub = helper.getNode('sub');
    await waitStatus(sub, isConnected, 10000);
    const state = async (id = 'conn'): Promise<Record<string, unknown>> => {
      const res = await adminGet(`/wamp-connection/${id}/state`, 200);
      return res.body as Record<string, unknown>;
    };
    const up = await state();
    assert.equal(up.state, 'connected');
    assert.equal(up.endpoint, url);
    assert.equal(up.realm, 'realm1');
    assert.equal(up.authrole, 'anonymous');
    assert.equal(typeof up.sessionId, 'number');
    assert.equal(up.users, 2);
    assert.deepEqual([up.queued, up.dropped], [0, 0]);

    await router.close();
    router = undefined;
    await retries(sub, 1);
    helper.getNode('pub').receive({ payload: 'held' });
    // Between two attempts (an attempt under way reads "connecting"), once the publication is held.
    let down = await state();
    for (let i = 0; i < 500 && !(down.state === 'disconnected' && down.queued === 1); i++) {
      await new Promise((r) => setTimeout(r, 20));
      down = await state();
    }
    assert.equal(down.state, 'disconnected');
    assert.match(String(down.reason), /\S/);
    const wait = Date.parse(String(down.nextRetry)) - Date.parse(String(down.since));
    assert.ok(wait > 0 && wait <= 2000, `next retry ${wait} ms after the drop, within the 2 s maximum`);
    assert.equal(down.queued, 1);
    await adminGet('/wamp-connection/nope/state', 404);
  });

  it('retry delays stay within the longest retry delay of the form (jitter spreads them below it)', async function () {
    const port = await freePort(); // nothing listens there
    await helper.load(
      modules,
      flow(`ws://127.0.0.1:${port}/ws`, { reconnectDelay: 1, reconnectMaxDelay: 2 }),
    );
    const sub = helper.getNode('sub');
    const seconds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await nextStatus(sub, isRetrying, 10000);
      seconds.push(Number(/"seconds":(\d+)/.exec(String(s.text))?.[1]));
    }
    assert.ok(
      seconds.every((n) => n >= 1 && n <= 2),
      `retry in ${seconds.join(', ')} s, with a 2 s maximum`,
    );
  });

  it('the queue is bounded: the oldest publication is dropped with one warning, the count is logged on reconnect', async function () {
    const port = await freePort();
    router = await startRouter(port);
    await helper.load(modules, flow(`ws://127.0.0.1:${port}/ws`, { queueSize: 2 }));
    const conn = helper.getNode('conn');
    const sub = helper.getNode('sub');
    await waitStatus(sub, isConnected, 10000);
    await router.close();
    router = undefined;
    await retries(sub, 1);
    const pub = helper.getNode('pub');
    for (const payload of ['a', 'b', 'c', 'd']) pub.receive({ payload });
    const events = nextMessages(helper.getNode('out'), 2, 10000);
    router = await startRouter(port);
    assert.deepEqual(
      (await events).map((m) => m.payload),
      ['c', 'd'],
    );
    const warns = keysLogged(conn, 'warn');
    assert.deepEqual(warns, [
      'wamp-connection.log.lost',
      'wamp-connection.log.dropped-count',
      'wamp-connection.log.dropped-total',
    ]);
    assert.match(logged(conn, 'warn')[2], /"count":2/);
    // The dropped publications failed their messages (Catch can see them), with the reason.
    const errors = logged(pub, 'error');
    assert.equal(errors.length, 2);
    assert.match(errors[0], /publish dropped: the queue while disconnected is full \(2 publications\)/);
  });

  it('with the queue off, a publication while the router is down fails at once', async function () {
    const port = await freePort();
    router = await startRouter(port);
    await helper.load(modules, flow(`ws://127.0.0.1:${port}/ws`, { publishQueue: false }));
    const sub = helper.getNode('sub');
    await waitStatus(sub, isConnected, 10000);
    await router.close();
    router = undefined;
    await retries(sub, 1);
    const pub = helper.getNode('pub');
    const failed = new Promise<unknown>((resolve) => pub.on('call:error', resolve));
    pub.receive({ payload: 'lost' });
    await failed;
    assert.match(logged(pub, 'error')[0], /not connected/);
  });

  it('an environment variable as the URL and realm: substituted by Node-RED at deploy; an unset variable is a readable error', async function () {
    const port = await freePort();
    router = await startRouter(port);
    process.env.WAMP_NODES_TEST_URL = `ws://127.0.0.1:${port}/ws`;
    process.env.WAMP_NODES_TEST_REALM = 'realm1';
    try {
      await helper.load(modules, [
        ...flow(env('WAMP_NODES_TEST_URL'), { realm: env('WAMP_NODES_TEST_REALM') }),
        { id: 'conn2', type: 'wamp-connection', url: env('WAMP_NODES_TEST_UNSET'), realm: 'realm1' },
        { id: 'pub2', z: 'f1', type: 'wamp-publish', connection: 'conn2', topic: 'com.test.t' },
      ]);
      await waitStatus(helper.getNode('sub'), isConnected, 10000);
      const [line] = logged(helper.getNode('conn'), 'log');
      assert.match(line, new RegExp(`"endpoint":"ws://127.0.0.1:${port}/ws","realm":"realm1"`));
      const bad = await waitStatus(helper.getNode('pub2'), (s) => s.fill === 'red');
      assert.deepEqual(bad, { fill: 'red', shape: 'dot', text: 'wamp-connection.status.config-error' });
      assert.match(
        logged(helper.getNode('conn2'), 'error')[0],
        /the url is \$\{WAMP_NODES_TEST_UNSET\}, but the environment variable WAMP_NODES_TEST_UNSET is not set/,
      );
    } finally {
      delete process.env.WAMP_NODES_TEST_URL;
      delete process.env.WAMP_NODES_TEST_REALM;
    }
  });
});
