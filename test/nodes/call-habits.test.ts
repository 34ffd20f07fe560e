// wamp-call and wamp-response where flows meet Node-RED's habits: clones that share a _msgid,
// progressive results as a sequence (join, link call, http response), a leftover msg.error from
// a Catch node, and an ERROR's arguments coming only from what the flow set.
import assert from 'node:assert/strict';
import { pendingCount } from '../../nodes/shared/invocations';
import type { NodeMessage } from '../../nodes/shared/red-types';
import {
  coreNode,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  rpcFlow,
} from './helpers';

interface Supertest {
  get(path: string): Promise<{ status: number; text: string }>;
}

/** Node-RED's HTTP app for `http in` nodes (the test helper does not serve it): grabbed by a node type. */
let httpNode: unknown;
function grabHttpNode(RED: {
  httpNode: unknown;
  nodes: { registerType(t: string, f: unknown): void };
}): void {
  httpNode = RED.httpNode;
  RED.nodes.registerType('http-node-app', function () {});
}

const modules = [
  ...nodeModules,
  coreNode('common/60-link.js'),
  coreNode('network/21-httpin.js'),
  coreNode('sequence/17-split.js'),
  grabHttpNode,
];

async function start(call?: object, extra?: object[]): Promise<void> {
  await helper.load(modules, rpcFlow(call, {}, extra));
  await waitStatus(helper.getNode('reg'), isConnected);
}

/** Answers every invocation with two progressive results, then `final`. */
function answerProgressively(final: unknown): void {
  helper.getNode('callee').on('input', (msg: NodeMessage) => {
    const resp = helper.getNode('resp');
    resp.receive({ ...msg, payload: 'one', progress: true });
    resp.receive({ ...msg, payload: 'two', progress: true });
    resp.receive({ ...msg, payload: final });
  });
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const by = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > by) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('wamp-call and wamp-response in Node-RED flows', function () {
  nodeRedPerTest();

  describe('clones of one message (same _msgid) are separate calls', function () {
    it('msg.action = "cancel" reaches every one of them, by default and by their shared handle', async function () {
      await start();
      for (const cancel of [{ action: 'cancel' }, { action: 'cancel', callId: 'shared' }]) {
        const invoked = nextMessages(helper.getNode('callee'), 3);
        const caught = nextMessages(helper.getNode('caught'), 3);
        // What RED.util.cloneMessage makes of one message: the same _msgid three times.
        for (const n of [1, 2, 3]) helper.getNode('call').receive({ _msgid: 'shared', payload: n });
        await invoked;
        assert.equal(pendingCount(), 3);
        helper.getNode('call').receive(cancel);
        const errors = await caught;
        assert.deepEqual(
          errors.map((m) => (m.error as { code: string }).code),
          ['wamp.error.canceled', 'wamp.error.canceled', 'wamp.error.canceled'],
        );
        assert.deepEqual(errors.map((m) => m.payload).sort(), [1, 2, 3]);
        await until(() => pendingCount() === 0, 'the invocations to be dropped');
      }
    });

    it('msg.callId is the user handle: cancel with it reaches only those calls', async function () {
      await start();
      const invoked = nextMessages(helper.getNode('callee'), 2);
      helper.getNode('call').receive({ _msgid: 'm', callId: 'a', payload: 'a' });
      helper.getNode('call').receive({ _msgid: 'm', callId: 'b', payload: 'b' });
      const invocations = await invoked;
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ action: 'cancel', callId: 'a' });
      const [canceled] = await caught;
      assert.equal(canceled.callId, 'a');
      const out = nextMessages(helper.getNode('out'));
      const b = invocations.find((m) => m.payload === 'b')!;
      helper.getNode('resp').receive({ ...b, payload: 'answer b' });
      const [result] = await out;
      assert.deepEqual([result.callId, result.payload], ['b', 'answer b']);
    });

    it('closing the node (redeploy) cancels every pending clone', async function () {
      await start();
      const invoked = nextMessages(helper.getNode('callee'), 3);
      for (const n of [1, 2, 3]) helper.getNode('call').receive({ _msgid: 'shared', payload: n });
      await invoked;
      assert.equal(pendingCount(), 3);
      await helper.setFlows(rpcFlow({ procedure: 'com.test.other' }), 'nodes');
      await until(() => pendingCount() === 0, 'the canceled invocations to be dropped');
    });
  });

  describe('progressive results as a sequence', function () {
    it('a join node in automatic mode assembles the second output: progress values, then the final one', async function () {
      await start({ progressive: true, outputs: 2, wires: [['out'], ['join']] }, [
        {
          id: 'join',
          z: 'f1',
          type: 'join',
          mode: 'auto',
          build: 'array',
          property: 'payload',
          propertyType: 'msg',
          key: 'topic',
          joiner: '',
          joinerType: 'str',
          accumulate: false,
          timeout: '',
          count: '',
          reduceRight: false,
          x: 0,
          y: 0,
          wires: [['progress']],
        },
      ]);
      answerProgressively('three');
      const joined = nextMessages(helper.getNode('progress'));
      const out = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({ payload: 0 });
      assert.equal((await out)[0].payload, 'three');
      assert.deepEqual((await joined)[0].payload, ['one', 'two', 'three']);
    });

    it('http in → link call → wamp-call (progressive) → link out → http response answers once, with the final result', async function () {
      await start({ progressive: true, outputs: 2, wires: [['lout'], ['progress']] }, [
        { id: 'hin', z: 'f1', type: 'http in', url: '/thing', method: 'get', wires: [['lcall']] },
        {
          id: 'lcall',
          z: 'f1',
          type: 'link call',
          links: ['lin'],
          linkType: 'static',
          timeout: '10',
          wires: [['hres']],
        },
        { id: 'lin', z: 'f1', type: 'link in', links: [], wires: [['call']] },
        { id: 'lout', z: 'f1', type: 'link out', mode: 'return', links: [] },
        { id: 'hres', z: 'f1', type: 'http response', wires: [] },
      ]);
      answerProgressively('the answer');
      const progress = nextMessages(helper.getNode('progress'), 3);
      // require: the test helper's own HTTP client, untyped
      const request = require('supertest') as (app: unknown) => Supertest;
      const res = await request(httpNode).get('/thing');
      assert.equal(res.status, 200);
      assert.equal(res.text, 'the answer');
      assert.deepEqual(
        (await progress).map((m) => m.payload),
        ['one', 'two', 'the answer'],
      );
    });
  });

  describe('wamp-response: what answers with an ERROR', function () {
    it('a leftover msg.error (as a Catch node leaves it) does not: the flow recovered and answers normally', async function () {
      await start();
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        helper.getNode('resp').receive({
          ...msg,
          error: { message: 'boom', source: { id: 'fn', type: 'function', count: 1 } },
          payload: 'recovered',
        });
      });
      const out = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({ payload: 1 });
      assert.equal((await out)[0].payload, 'recovered');
    });

    it("msg.wampError = URI alone sends no arguments, not the invocation's own", async function () {
      await start();
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        assert.deepEqual(msg.args, [7, 8]);
        helper.getNode('resp').receive({ ...msg, wampError: 'com.test.error.out_of_range' });
      });
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ args: [7, 8], kwargs: { unit: 'C' } });
      const [msg] = await caught;
      const error = msg.error as { code: string; message: string };
      assert.equal(error.code, 'com.test.error.out_of_range');
      assert.equal(error.message, 'com.test.error.out_of_range');
      assert.deepEqual(msg._error, {
        uri: 'com.test.error.out_of_range',
        args: [],
        kwargs: {},
        message: 'com.test.error.out_of_range',
      });
    });

    it("the error's arguments are what the flow set: a new msg.payload, or msg.args and msg.kwargs", async function () {
      await start();
      const answers: Array<(m: NodeMessage) => NodeMessage> = [
        (m) => ({ ...m, wampError: 'com.test.error.out_of_range', payload: 'too hot' }),
        (m) => ({
          ...m,
          wampError: 'com.test.error.out_of_range',
          args: ['too hot', 42],
          kwargs: { max: 30 },
        }),
      ];
      const expected = [
        { args: ['too hot'], kwargs: {} },
        { args: ['too hot', 42], kwargs: { max: 30 } },
      ];
      for (const [i, answer] of answers.entries()) {
        const invoked = nextMessages(helper.getNode('callee'));
        const caught = nextMessages(helper.getNode('caught'));
        helper.getNode('call').receive({ payload: 99 });
        helper.getNode('resp').receive(answer((await invoked)[0]));
        const [msg] = await caught;
        const error = msg.error as { code: string; message: string };
        assert.equal(error.code, 'com.test.error.out_of_range');
        assert.equal(error.message, 'too hot', 'the text alone: the URI is msg.error.code');
        const got = msg._error as { args: unknown[]; kwargs: object };
        assert.deepEqual({ args: got.args, kwargs: got.kwargs }, expected[i]);
      }
    });
  });
});
