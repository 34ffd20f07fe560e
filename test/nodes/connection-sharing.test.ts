// The shared wamp-connection is reference counted: opened by its first user node, kept across
// redeploys of some users, closed after the last; in-process connections follow a redeployed router.
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
  calleeNodes,
  tab,
  callNode,
  sessionsLeft,
} from './helpers';

/** Resolves when the router's session count reaches `n`. */
function sessionCountBecomes(id: string, n: number): Promise<void> {
  const router = findRouter(id)!;
  if (router.sessionCount === n) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (): void => {
      if (router.sessionCount !== n) return;
      router.off('session-leave', check);
      router.off('session-join', check);
      resolve();
    };
    router.on('session-leave', check);
    router.on('session-join', check);
  });
}

describe('wamp-connection', function () {
  nodeRedPerTest();

  describe('the shared connection is reference counted', function () {
    it('a connection created before its router waits for it', async function () {
      // With x/y they are flow nodes, started as in a real deploy: config nodes first, then the
      // flow's nodes in order, so the call node opens the connection before the router exists.
      await helper.load(nodeModules, [
        tab,
        { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
        { ...callNode(), x: 100, y: 100 },
        {
          id: 'router',
          z: 'f1',
          type: 'wamp-router',
          realms: [{ name: 'realm1' }],
          x: 100,
          y: 200,
          wires: [],
        },
      ]);
      await waitStatus(helper.getNode('call'), isConnected);
      assert.equal(sessionsLeft('router'), 1);
    });

    it('redeploying some user nodes keeps the others working; removing all users leaves no session', async function () {
      const register = {
        id: 'reg',
        z: 'f1',
        type: 'wamp-register',
        connection: 'conn',
        procedure: 'com.test.p',
        wires: [['callee']],
      };
      const callee = { id: 'callee', z: 'f1', type: 'helper' };
      const out = { id: 'out', z: 'f1', type: 'helper' };
      const call = { ...callNode(), wires: [['out']] };
      await helper.load(
        nodeModules,
        baseFlow([register, callee, call, out, { id: 'resp', z: 'f1', type: 'wamp-response' }]),
      );
      await waitStatus(helper.getNode('call'), isConnected);
      assert.equal(sessionsLeft('router'), 1);

      // Change only the call node: the register node and the session stay.
      await helper.setFlows(
        baseFlow([
          register,
          callee,
          { ...call, timeout: 5 },
          out,
          { id: 'resp', z: 'f1', type: 'wamp-response' },
        ]),
        'nodes',
      );
      helper
        .getNode('callee')
        .on('input', (msg) => helper.getNode('resp').receive({ ...msg, payload: 'still here' }));
      const answer = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({});
      assert.equal((await answer)[0].payload, 'still here');
      assert.equal(sessionsLeft('router'), 1);

      // Remove every user: the connection closes after the last one.
      await helper.setFlows(baseFlow([]), 'nodes');
      await sessionCountBecomes('router', 0);
    });

    it('with auto-connect off the first request opens the connection and waits for it', async function () {
      await helper.load(nodeModules, [
        tab,
        { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1' }] },
        {
          id: 'conn',
          type: 'wamp-connection',
          transport: 'local',
          router: 'router',
          realm: 'realm1',
          autoConnect: false,
        },
        {
          id: 'pub',
          z: 'f1',
          type: 'wamp-publish',
          connection: 'conn',
          topic: 'com.test.t',
          acknowledge: true,
        },
        {
          id: 'sub',
          z: 'f1',
          type: 'wamp-subscribe',
          connection: 'conn',
          topic: 'com.test.t',
          wires: [['out']],
        },
        { id: 'out', z: 'f1', type: 'helper' },
      ]);
      assert.equal(sessionsLeft('router'), 0);
      const event = nextMessages(helper.getNode('out'));
      helper.getNode('pub').receive({ payload: 'first' });
      // The subscription made before the connection opened was established before the publish went out.
      assert.equal((await event)[0].payload, 'first');
      assert.equal(sessionsLeft('router'), 1);
    });

    it('redeploying the wamp-router node: in-process connections come back to the new router', async function () {
      const conn = {
        id: 'conn',
        type: 'wamp-connection',
        transport: 'local',
        router: 'router',
        realm: 'realm1',
        reconnectDelay: 0.02,
      };
      const rest = [
        ...calleeNodes('com.test.p'),
        { ...callNode(), wires: [['out']] },
        { id: 'out', z: 'f1', type: 'helper' },
      ];
      const routerNode = { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1' }] };
      await helper.load(nodeModules, [tab, routerNode, conn, ...rest]);
      await waitStatus(helper.getNode('call'), isConnected);
      const first = findRouter('router');

      await helper.setFlows([tab, { ...routerNode, callTimeout: 30 }, conn, ...rest], 'nodes');
      assert.notEqual(findRouter('router'), first);
      await sessionCountBecomes('router', 1);
      // The registration was restored on the new router: a call goes through.
      helper
        .getNode('callee')
        .on('input', (msg: NodeMessage) => helper.getNode('resp').receive({ ...msg, payload: 'again' }));
      const answer = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({});
      assert.equal((await answer)[0].payload, 'again');
    });

    it('unloading the flow closes every session and the router', async function () {
      await helper.load(nodeModules, baseFlow([callNode()]));
      await waitStatus(helper.getNode('call'), isConnected);
      const router = findRouter('router')!;
      await helper.unload();
      assert.equal(router.sessionCount, 0);
      assert.equal(findRouter('router'), undefined);
    });
  });
});
