import assert from 'node:assert/strict';
import type { NodeMessage } from '../../nodes/shared/red-types';
import { findRouter } from '../../nodes/shared/router-registry';
import {
  baseFlow,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
} from './helpers';

function pubsubFlow(sub: object = {}, pub: object = {}): object[] {
  return baseFlow([
    { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', topic: '', acknowledge: true, ...pub },
    {
      id: 'sub',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'conn',
      topic: 'com.test.topic',
      wires: [['out']],
      ...sub,
    },
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ]);
}

async function start(sub?: object, pub?: object): Promise<void> {
  await helper.load(nodeModules, pubsubFlow(sub, pub));
  await waitStatus(helper.getNode('pub'), isConnected);
}

/** Sends a message into a node. */
function deliver(id: string, msg: NodeMessage): void {
  helper.getNode(id).receive(msg);
}

describe('wamp-publish and wamp-subscribe', function () {
  nodeRedPerTest();

  describe('an event published by a flow reaches subscribers on the same connection', function () {
    it('emits topic, payload, args, kwargs and details', async function () {
      await start();
      const got = nextMessages(helper.getNode('out'));
      deliver('pub', { topic: 'com.test.topic', payload: { t: 21.5 } });
      const [msg] = await got;
      assert.equal(msg.topic, 'com.test.topic');
      assert.deepEqual(msg.payload, { t: 21.5 });
      assert.deepEqual(msg.args, [{ t: 21.5 }]);
      assert.deepEqual(msg.kwargs, {});
      assert.equal(typeof msg.details, 'object');
    });

    it('sends msg.args/msg.kwargs when given; kwargs alone become the payload', async function () {
      await start();
      const got = nextMessages(helper.getNode('out'));
      deliver('pub', { topic: 'com.test.topic', payload: 'ignored', kwargs: { a: 1 } });
      const [msg] = await got;
      assert.deepEqual(msg.args, []);
      assert.deepEqual(msg.payload, { a: 1 });
    });

    it('a prefix subscription reports the concrete topic', async function () {
      await start({ topic: 'com.test', match: 'prefix' });
      const got = nextMessages(helper.getNode('out'));
      deliver('pub', { topic: 'com.test.deep.topic', payload: 1 });
      const [msg] = await got;
      assert.equal(msg.topic, 'com.test.deep.topic');
    });

    it('exclude me keeps the event from subscribers on the same connection', async function () {
      await start({ topic: 'com.test.a' }, { excludeMe: true });
      // Events from one session arrive in order: the second one (not excluded) arriving first proves the first was dropped.
      const flowNodes = pubsubFlow({ topic: 'com.test.a' }, { excludeMe: true });
      flowNodes.push({
        id: 'pub2',
        z: 'f1',
        type: 'wamp-publish',
        connection: 'conn',
        topic: 'com.test.a',
        excludeMe: false,
      });
      await helper.setFlows(flowNodes, 'nodes');
      await waitStatus(helper.getNode('pub2'), isConnected);
      const got = nextMessages(helper.getNode('out'));
      deliver('pub', { topic: 'com.test.a', payload: 'excluded' });
      deliver('pub2', { payload: 'delivered' });
      assert.equal((await got)[0].payload, 'delivered');
    });

    it('msg.exclude and msg.eligible select the receiving sessions', async function () {
      await start();
      const ids = findRouter('router')!
        .sessions('realm1')
        .map((s) => s.id);
      assert.equal(ids.length, 1);
      const got = nextMessages(helper.getNode('out'));
      deliver('pub', { topic: 'com.test.topic', payload: 'excluded', exclude: ids });
      deliver('pub', { topic: 'com.test.topic', payload: 'eligible', eligible: ids.join(',') });
      assert.equal((await got)[0].payload, 'eligible');
    });

    it('a retained event is delivered to a later subscriber that asks for it', async function () {
      await helper.load(nodeModules, pubsubFlow({ topic: 'com.test.other' }, { retain: true }));
      await waitStatus(helper.getNode('pub'), isConnected);
      deliver('pub', { topic: 'com.test.kept', payload: 'last' });
      await helper.setFlows(
        pubsubFlow({ topic: 'com.test.kept', getRetained: true }, { retain: true }),
        'nodes',
      );
      const [msg] = await nextMessages(helper.getNode('out'));
      assert.equal(msg.payload, 'last');
      assert.equal((msg.details as { retained?: boolean }).retained, true);
    });
  });

  describe('dynamic subscriptions with msg.action', function () {
    it('subscribe, getSubscriptions and unsubscribe', async function () {
      await start({ topic: '', dynamic: true });
      const out = helper.getNode('out');

      let listed = nextMessages(out);
      deliver('sub', { action: 'getSubscriptions' });
      assert.deepEqual((await listed)[0].payload, []);

      deliver('sub', { action: 'subscribe', topic: 'com.dyn.a' });
      deliver('sub', { action: 'subscribe', topic: 'com.dyn', match: 'prefix' });

      listed = nextMessages(out);
      deliver('sub', { action: 'getSubscriptions' });
      assert.deepEqual((await listed)[0].payload, [
        { topic: 'com.dyn.a', match: 'exact' },
        { topic: 'com.dyn', match: 'prefix' },
      ]);

      // com.dyn.a matches both subscriptions: two events.
      let events = nextMessages(out, 2);
      deliver('pub', { topic: 'com.dyn.a', payload: 1 });
      assert.deepEqual(
        (await events).map((m) => m.topic),
        ['com.dyn.a', 'com.dyn.a'],
      );

      deliver('sub', { action: 'unsubscribe', topic: 'com.dyn' });
      listed = nextMessages(out);
      deliver('sub', { action: 'getSubscriptions' });
      assert.deepEqual((await listed)[0].payload, [{ topic: 'com.dyn.a', match: 'exact' }]);

      events = nextMessages(out, 1);
      deliver('pub', { topic: 'com.dyn.b', payload: 'dropped' });
      deliver('pub', { topic: 'com.dyn.a', payload: 'kept' });
      assert.equal((await events)[0].payload, 'kept');
    });

    it('rejects an invalid action with an error a Catch node receives', async function () {
      await start({ topic: '', dynamic: true });
      const caught = nextMessages(helper.getNode('caught'));
      deliver('sub', { action: 'explode' });
      const [msg] = await caught;
      assert.match((msg.error as { message: string }).message, /invalid-action/);
    });

    it('rejects an invalid match', async function () {
      await start({ topic: '', dynamic: true });
      const caught = nextMessages(helper.getNode('caught'));
      deliver('sub', { action: 'subscribe', topic: 'com.x', match: 'fuzzy' });
      const [msg] = await caught;
      assert.match((msg.error as { message: string }).message, /invalid-match/);
    });
  });

  describe('wamp-publish errors', function () {
    it('no topic on the node or the message is an error', async function () {
      await start();
      const caught = nextMessages(helper.getNode('caught'));
      deliver('pub', { payload: 1 });
      const [msg] = await caught;
      assert.match((msg.error as { message: string }).message, /no-topic/);
    });
  });
});
