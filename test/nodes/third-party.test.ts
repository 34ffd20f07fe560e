// A client we did not write (Autobahn|JS) meets flows on the wamp-router node's own port: it
// calls a procedure a wamp-register → function → wamp-response flow serves, receives what a
// wamp-publish node publishes, and publishes what a wamp-subscribe node receives.
import assert from 'node:assert/strict';
import type { NodeMessage } from '../../nodes/shared/red-types';
import { openAutobahn, AbError, type AbConnection } from '../interop/autobahn';
import {
  coreNodes,
  freePort,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
} from './helpers';

function flow(port: number): object[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'router',
      z: 'f1',
      type: 'wamp-router',
      realms: [{ name: 'realm1' }],
      usePort: true,
      port,
      path: '/ws',
    },
    { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
    {
      id: 'reg',
      z: 'f1',
      type: 'wamp-register',
      connection: 'conn',
      procedure: 'com.example.add',
      wires: [['fn']],
    },
    {
      id: 'fn',
      z: 'f1',
      type: 'function',
      wires: [['resp']],
      func: "const [a, b] = msg.args;\nif (typeof a !== 'number' || typeof b !== 'number') { msg.wampError = { uri: 'com.example.error.not_a_number', message: 'numbers only' }; return msg; }\nmsg.payload = a + b;\nmsg.kwargs = { by: 'node-red' };\nreturn msg;",
    },
    { id: 'resp', z: 'f1', type: 'wamp-response' },
    {
      id: 'pub',
      z: 'f1',
      type: 'wamp-publish',
      connection: 'conn',
      topic: 'com.example.from_flow',
      acknowledge: true,
    },
    {
      id: 'sub',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'conn',
      topic: 'com.example.from_autobahn',
      wires: [['out']],
    },
    { id: 'out', z: 'f1', type: 'helper' },
  ];
}

describe('Autobahn|JS talks to flows through the wamp-router node', function () {
  let ab: AbConnection | undefined;
  // Before the Node-RED hooks: the Autobahn client leaves while its router still runs.
  afterEach(async function () {
    await ab?.close();
    ab = undefined;
  });
  nodeRedPerTest();

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    it(`over WebSocket with ${serializer}: call, receive an event, publish an event`, async function () {
      const port = await freePort();
      await helper.load([...nodeModules, ...coreNodes()], flow(port));
      await Promise.all(['reg', 'sub', 'pub'].map((id) => waitStatus(helper.getNode(id), isConnected)));
      ab = await openAutobahn({ kind: 'websocket', url: `ws://127.0.0.1:${port}/ws`, serializer }, 'realm1');

      // RPC: served by wamp-register → function → wamp-response.
      const result = (await ab.session.call('com.example.add', [2, 3])) as {
        args: unknown[];
        kwargs: Record<string, unknown>;
      };
      assert.deepEqual([result.args, result.kwargs], [[5], { by: 'node-red' }]);
      await assert.rejects(ab.session.call('com.example.add', ['x', 1]), (e: unknown) => {
        assert.ok(e instanceof AbError);
        assert.equal((e as unknown as { error: string }).error, 'com.example.error.not_a_number');
        assert.deepEqual((e as unknown as { args: unknown[] }).args, ['numbers only']);
        return true;
      });

      // PubSub, flow → Autobahn: args and kwargs as wamp-publish sent them.
      const got: Array<[unknown[], Record<string, unknown>]> = [];
      let wake = (): void => undefined;
      const both = new Promise<void>((resolve) => (wake = () => void (got.length === 2 && resolve())));
      // Awaiting SUBSCRIBED: the subscription is in place before the flow publishes.
      await ab.session.subscribe('com.example.from_flow', (args, kwargs) => {
        got.push([args ?? [], kwargs ?? {}]);
        wake();
      });
      helper.getNode('pub').receive({ payload: { t: 21.5 } });
      helper.getNode('pub').receive({ args: [1, 'two'], kwargs: { three: 3 } });
      await both;
      assert.deepEqual(got, [
        [[{ t: 21.5 }], {}],
        [[1, 'two'], { three: 3 }],
      ]);

      // PubSub, Autobahn → flow.
      const event = nextMessages(helper.getNode('out'));
      await ab.session.publish('com.example.from_autobahn', [7, 8], { unit: 'C' }, { acknowledge: true });
      const [msg] = (await event) as NodeMessage[];
      assert.equal(msg.topic, 'com.example.from_autobahn');
      assert.deepEqual(msg.args, [7, 8]);
      assert.deepEqual(msg.kwargs, { unit: 'C' });
      assert.deepEqual(msg.payload, [7, 8]);
    });
  }
});
