// The wamp-router node's "output router events": session join/leave and registrations and
// subscriptions created/deleted, from flows in-process and from a client over WebSocket.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';
import type { NodeMessage } from '../../nodes/shared/red-types';
import { findRouter } from '../../nodes/shared/router-registry';
import {
  helper,
  isConnected,
  nodeModules,
  waitStatus,
  type TestNode,
  nodeRedPerTest,
  routerOnNodeRed,
  tab,
} from './helpers';

function flow(router: object = {}): object[] {
  return [
    tab,
    {
      ...routerOnNodeRed(),
      outputEvents: true,
      wires: [['events']],
      ...router,
    },
    { id: 'events', z: 'f1', type: 'helper' },
    { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
    { id: 'reg', z: 'f1', type: 'wamp-register', connection: 'conn', procedure: 'com.test.p', wires: [[]] },
    { id: 'sub', z: 'f1', type: 'wamp-subscribe', connection: 'conn', topic: 'com.test.t', wires: [[]] },
  ];
}

/** Every message a helper node receives, with a way to await one that matches. */
function collect(node: TestNode): {
  all: NodeMessage[];
  next(pred: (m: NodeMessage) => boolean, ms?: number): Promise<NodeMessage>;
} {
  const all: NodeMessage[] = [];
  const waiters: Array<{ pred: (m: NodeMessage) => boolean; resolve: (m: NodeMessage) => void }> = [];
  node.on('input', (msg: NodeMessage) => {
    all.push(msg);
    for (const w of waiters.splice(0)) {
      if (w.pred(msg)) w.resolve(msg);
      else waiters.push(w);
    }
  });
  return {
    all,
    next(pred, ms = 3000) {
      const seen = all.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching event; got ${JSON.stringify(all.map((m) => m.topic))}`)),
          ms,
        );
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}

const is =
  (topic: string, fields: Record<string, unknown> = {}) =>
  (m: NodeMessage): boolean =>
    m.topic === topic &&
    Object.entries(fields).every(([k, v]) => (m.payload as Record<string, unknown>)[k] === v);

async function openClient(url: string): Promise<Connection> {
  const client = new Connection({ url, realm: 'realm1', reconnect: { enabled: false } });
  client.open();
  await client.connected(3000);
  return client;
}

describe('wamp-router: output router events', function () {
  nodeRedPerTest();

  it('in-process sessions: join, registration and subscription created; no meta API entries', async function () {
    await helper.load(nodeModules, flow());
    const events = collect(helper.getNode('events'));
    await waitStatus(helper.getNode('reg'), isConnected);
    const join = await events.next(is('session.join'));
    const sessionId = findRouter('router')!.sessions('realm1')[0].id;
    assert.deepEqual(join.payload, {
      id: sessionId,
      realm: 'realm1',
      authid: (join.payload as { authid: string }).authid,
      authrole: 'anonymous',
      authmethod: 'anonymous',
      transport: 'local',
      serializer: 'none',
      remoteAddress: undefined,
    });
    const reg = await events.next(is('registration.create', { uri: 'com.test.p' }));
    assert.deepEqual(reg.payload, {
      id: (reg.payload as { id: number }).id,
      uri: 'com.test.p',
      match: 'exact',
      invoke: 'single',
      realm: 'realm1',
      session: sessionId,
    });
    const sub = await events.next(is('subscription.create', { uri: 'com.test.t' }));
    assert.equal((sub.payload as { session: number }).session, sessionId);
    const uris = events.all.map((m) => (m.payload as { uri?: string }).uri).filter(Boolean);
    assert.ok(
      uris.every((u) => !u!.startsWith('wamp.')),
      `no meta API entries: ${uris.join(', ')}`,
    );
  });

  it('a WebSocket client: join with its address, its registration and subscription created and deleted, then leave', async function () {
    await helper.load(nodeModules, flow());
    const events = collect(helper.getNode('events'));
    await waitStatus(helper.getNode('reg'), isConnected);
    const client = await openClient(`${helper.url().replace(/^http/, 'ws')}/wamp`);
    const id = client.session!.id;
    const join = await events.next(is('session.join', { id }));
    assert.equal((join.payload as { transport: string }).transport, 'websocket');
    assert.equal((join.payload as { serializer: string }).serializer, 'json');
    assert.match(String((join.payload as { remoteAddress: string }).remoteAddress), /127\.0\.0\.1/);

    await client.register('com.client.p', () => 1);
    await client.subscribe('com.client.t', () => undefined);
    await events.next(is('registration.create', { uri: 'com.client.p', session: id }));
    await events.next(is('subscription.create', { uri: 'com.client.t', session: id }));
    await client.close();
    await events.next(is('registration.delete', { uri: 'com.client.p', session: id }));
    await events.next(is('subscription.delete', { uri: 'com.client.t', session: id }));
    await events.next(is('session.leave', { id }));
  });

  it('realms created on demand are watched from their first session', async function () {
    await helper.load(nodeModules, flow({ autoCreateRealms: true }));
    const events = collect(helper.getNode('events'));
    const client = new Connection({
      url: `${helper.url().replace(/^http/, 'ws')}/wamp`,
      realm: 'ondemand',
      reconnect: { enabled: false },
    });
    client.open();
    await client.connected(3000);
    await events.next(is('session.join', { realm: 'ondemand' }));
    await client.register('com.ondemand.p', () => 1);
    await events.next(is('registration.create', { realm: 'ondemand', uri: 'com.ondemand.p' }));
    await client.close();
  });

  it('off by default: the router sends nothing', async function () {
    await helper.load(nodeModules, flow({ outputEvents: false }));
    const events = collect(helper.getNode('events'));
    await waitStatus(helper.getNode('reg'), isConnected);
    const client = await openClient(`${helper.url().replace(/^http/, 'ws')}/wamp`);
    await client.register('com.client.p', () => 1);
    await client.close();
    const routerNode = helper.getNode('router') as unknown as {
      send: { getCalls(): Array<{ thisValue: unknown }> };
    };
    assert.equal(routerNode.send.getCalls().filter((c) => c.thisValue === routerNode).length, 0);
    assert.equal(events.all.length, 0);
  });
});
