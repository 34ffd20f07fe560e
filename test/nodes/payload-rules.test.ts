// The payload rules over real flows, both ways:
// - lossless: msg.args / msg.kwargs are always set on what the nodes emit, and honoured on input;
// - natural: a single value travels as msg.payload;
// - symmetric: what a wamp-subscribe emits, a wamp-publish re-sends unchanged;
// - falsy payloads (0, false, "", null) are values, not "no argument" — over pub/sub and call/response.
import assert from 'node:assert/strict';
import type { NodeMessage } from '../../nodes/shared/red-types';
import {
  baseFlow,
  coreNode,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  calleeNodes,
} from './helpers';

const FALSY: unknown[] = [0, false, '', null];

/** pub → com.test.a → subA → outA, and subA → relay (wamp-publish to com.test.b) → subB → outB. */
function pubsubFlow(): object[] {
  return baseFlow([
    { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', topic: '', acknowledge: true },
    {
      id: 'subA',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'conn',
      topic: 'com.test.a',
      wires: [['outA', 'relay']],
    },
    { id: 'outA', z: 'f1', type: 'helper' },
    {
      id: 'relay',
      z: 'f1',
      type: 'wamp-publish',
      connection: 'conn',
      topic: 'com.test.b',
      acknowledge: true,
    },
    {
      id: 'subB',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'conn',
      topic: 'com.test.b',
      wires: [['outB']],
    },
    { id: 'outB', z: 'f1', type: 'helper' },
  ]);
}

/** call → out; reg → callee (the test answers through resp). */
function rpcFlow(): object[] {
  return baseFlow([
    { id: 'call', z: 'f1', type: 'wamp-call', connection: 'conn', procedure: 'com.test.p', wires: [['out']] },
    { id: 'out', z: 'f1', type: 'helper' },
    ...calleeNodes('com.test.p'),
  ]);
}

/**
 * Function nodes on the second and third wires of a subscriber (so Node-RED hands them copies):
 * one puts a new value in msg.payload, one edits the payload in place; each re-publishes.
 */
function functionFlow(): object[] {
  const relay = (id: string, func: string, topic: string): object[] => [
    { id, z: 'f1', type: 'function', func, outputs: 1, x: 0, y: 0, wires: [[`${id}-pub`]] },
    { id: `${id}-pub`, z: 'f1', type: 'wamp-publish', connection: 'conn', topic, acknowledge: true },
    { id: `${id}-sub`, z: 'f1', type: 'wamp-subscribe', connection: 'conn', topic, wires: [[`${id}-out`]] },
    { id: `${id}-out`, z: 'f1', type: 'helper' },
  ];
  return baseFlow([
    { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', topic: 'com.test.c', acknowledge: true },
    {
      id: 'subC',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'conn',
      topic: 'com.test.c',
      wires: [['outC', 'set', 'edit']],
    },
    { id: 'outC', z: 'f1', type: 'helper' },
    ...relay('set', 'msg.payload = { replaced: true };\nreturn msg;', 'com.test.set'),
    ...relay('edit', 'msg.payload.edited = true;\nreturn msg;', 'com.test.edit'),
  ]);
}

/** Publishes through `pub` and resolves with what outA and outB receive. */
async function publishThrough(msg: NodeMessage): Promise<[NodeMessage, NodeMessage]> {
  const a = nextMessages(helper.getNode('outA'));
  const b = nextMessages(helper.getNode('outB'));
  helper.getNode('pub').receive({ topic: 'com.test.a', ...msg });
  return [(await a)[0], (await b)[0]];
}

/** Calls through `call`; the callee's answer is `answer(invocation message)`. */
async function callThrough(
  msg: NodeMessage,
  answer: (inv: NodeMessage) => NodeMessage,
): Promise<[NodeMessage, NodeMessage]> {
  const invoked = nextMessages(helper.getNode('callee'));
  const result = nextMessages(helper.getNode('out'));
  helper.getNode('call').receive(msg);
  const [inv] = await invoked;
  helper.getNode('resp').receive(answer(inv));
  return [inv, (await result)[0]];
}

describe('payload rules over flows', function () {
  nodeRedPerTest();

  describe('publish and subscribe', function () {
    beforeEach(async function () {
      await helper.load(nodeModules, pubsubFlow());
      await Promise.all(['pub', 'subA', 'subB'].map((id) => waitStatus(helper.getNode(id), isConnected)));
    });

    it('symmetric and lossless: a relayed event keeps its exact args and kwargs, whatever their shape', async function () {
      const shapes: Array<{ args: unknown[]; kwargs: Record<string, unknown>; payload: unknown }> = [
        { args: [1, 'x', { y: 2 }], kwargs: { k: [1] }, payload: [1, 'x', { y: 2 }] },
        { args: [], kwargs: { only: 'kw' }, payload: { only: 'kw' } },
        { args: [{ t: 1 }], kwargs: {}, payload: { t: 1 } },
        { args: [], kwargs: {}, payload: [] },
        // One argument that is a list, and a list of two arguments, have the same payload:
        // args tells them apart.
        { args: [[1, 2]], kwargs: {}, payload: [1, 2] },
        { args: [1, 2], kwargs: {}, payload: [1, 2] },
        { args: [[]], kwargs: {}, payload: [] },
        { args: [{}], kwargs: {}, payload: {} },
        ...FALSY.map((v) => ({ args: [v], kwargs: {}, payload: v })),
        // One argument is the payload even beside keyword arguments (which stay in msg.kwargs).
        { args: [0], kwargs: { also: false }, payload: 0 },
      ];
      for (const { args, kwargs, payload } of shapes) {
        const [a, b] = await publishThrough({ args, kwargs });
        const what = JSON.stringify({ args, kwargs });
        assert.deepEqual([a.args, a.kwargs], [args, kwargs], `first subscriber, ${what}`);
        assert.deepEqual(a.payload, payload, `natural payload, ${what}`);
        assert.deepEqual([b.args, b.kwargs, b.payload], [args, kwargs, payload], `after the relay, ${what}`);
        assert.equal(b.topic, 'com.test.b');
      }
    });

    it('natural: msg.payload alone is the one argument; falsy values are values; undefined is none', async function () {
      for (const v of [...FALSY, 'text', 42, { o: 1 }, [1, 2]]) {
        const [a, b] = await publishThrough({ payload: v });
        assert.deepEqual([a.payload, a.args, a.kwargs], [v, [v], {}], `payload ${JSON.stringify(v)}`);
        assert.deepEqual([b.payload, b.args, b.kwargs], [v, [v], {}], `relayed payload ${JSON.stringify(v)}`);
      }
      const [none] = await publishThrough({});
      assert.deepEqual([none.payload, none.args, none.kwargs], [[], [], {}]);
    });

    it('msg.args and msg.kwargs are honoured on input over msg.payload', async function () {
      const [a] = await publishThrough({ payload: 'ignored', args: [false], kwargs: { n: 0 } });
      assert.deepEqual([a.args, a.kwargs, a.payload], [[false], { n: 0 }, false]);
    });
  });

  describe('through function nodes, on copies of the message', function () {
    beforeEach(async function () {
      await helper.load([...nodeModules, coreNode('function/10-function.js')], functionFlow());
      await Promise.all(
        ['pub', 'subC', 'set-sub', 'edit-sub'].map((id) => waitStatus(helper.getNode(id), isConnected)),
      );
    });

    it('a new msg.payload is sent instead of the arguments; an in-place edit travels with them', async function () {
      const cases: Array<{ send: NodeMessage; set: unknown[]; edit: [unknown[], object] }> = [
        // kwargs only: the payload is the kwargs object itself.
        {
          send: { args: [], kwargs: { k: 1 } },
          set: [[{ replaced: true }], {}],
          edit: [[], { k: 1, edited: true }],
        },
        // one argument: the payload is that argument.
        {
          send: { payload: { a: 1 } },
          set: [[{ replaced: true }], {}],
          edit: [[{ a: 1, edited: true }], {}],
        },
      ];
      for (const c of cases) {
        const original = nextMessages(helper.getNode('outC'));
        const set = nextMessages(helper.getNode('set-out'));
        const edit = nextMessages(helper.getNode('edit-out'));
        helper.getNode('pub').receive(c.send);
        const [o] = await original;
        const [s] = await set;
        const [e] = await edit;
        const what = JSON.stringify(c.send);
        // Through JSON: objects made in the function node's sandbox have another Object prototype.
        const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
        assert.deepEqual(plain([s.args, s.kwargs]), c.set, `new payload, ${what}`);
        assert.deepEqual(plain([e.args, e.kwargs]), c.edit, `edited in place, ${what}`);
        // The first wire's message is not the copies: neither change reached it.
        assert.equal(
          JSON.stringify(o.payload).includes('edited') || JSON.stringify(o.payload).includes('replaced'),
          false,
        );
      }
    });
  });

  describe('call and response', function () {
    beforeEach(async function () {
      await helper.load(nodeModules, rpcFlow());
      await waitStatus(helper.getNode('reg'), isConnected);
    });

    it('falsy values travel both ways as values, set through msg.payload', async function () {
      for (const [i, v] of FALSY.entries()) {
        const answer = FALSY[(i + 1) % FALSY.length];
        const [inv, result] = await callThrough({ payload: v }, (m) => ({ ...m, payload: answer }));
        assert.deepEqual([inv.payload, inv.args, inv.kwargs], [v, [v], {}], `argument ${JSON.stringify(v)}`);
        assert.deepEqual(
          [result.payload, result.args, result.kwargs],
          [answer, [answer], {}],
          `result ${JSON.stringify(answer)}`,
        );
      }
    });

    it("lossless both ways: args and kwargs given to wamp-call reach the callee, and the callee's reach the caller", async function () {
      const [inv, result] = await callThrough({ args: [[1, 2]], kwargs: { flag: false } }, (m) => ({
        ...m,
        args: [0, ''],
        kwargs: { r: null },
      }));
      assert.deepEqual([inv.args, inv.kwargs, inv.payload], [[[1, 2]], { flag: false }, [1, 2]]);
      assert.deepEqual([result.args, result.kwargs, result.payload], [[0, ''], { r: null }, [0, '']]);
    });

    it('an invocation answered unchanged echoes its exact arguments', async function () {
      const [, result] = await callThrough({ args: [], kwargs: { only: 'kw' } }, (m) => m);
      assert.deepEqual([result.args, result.kwargs, result.payload], [[], { only: 'kw' }, { only: 'kw' }]);
    });

    it('no payload means no arguments, and a result without arguments has empty args and kwargs', async function () {
      const [inv, result] = await callThrough({}, (m) => ({ _wamp: m._wamp }));
      assert.deepEqual([inv.args, inv.kwargs], [[], {}]);
      assert.deepEqual([result.args, result.kwargs, result.payload], [[], {}, []]);
    });
  });
});
