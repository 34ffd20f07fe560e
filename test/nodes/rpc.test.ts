import assert from 'node:assert/strict';
import { pendingCount } from '../../nodes/shared/invocations';
import type { NodeMessage } from '../../nodes/shared/red-types';
import {
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  rpcFlow,
} from './helpers';

async function start(call?: object, register?: object): Promise<void> {
  await helper.load(nodeModules, rpcFlow(call, register));
  await waitStatus(helper.getNode('reg'), isConnected);
}

describe('wamp-call, wamp-register and wamp-response', function () {
  nodeRedPerTest();

  describe('a call is answered by a wamp-response node', function () {
    it('adds the result to the incoming message', async function () {
      await start();
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        assert.deepEqual(msg.args, [2, 3]);
        assert.equal(msg.procedure, 'com.test.proc');
        assert.equal(typeof (msg._wamp as { invocationId: unknown }).invocationId, 'string');
        const [a, b] = msg.args as number[];
        helper.getNode('resp').receive({ ...msg, payload: a + b });
      });
      const out = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({ args: [2, 3], keep: 'me' });
      const [msg] = await out;
      assert.equal(msg.payload, 5);
      assert.deepEqual(msg.args, [5]);
      assert.deepEqual(msg.kwargs, {});
      assert.equal(msg.keep, 'me');
      assert.equal(pendingCount(), 0);
    });

    it('takes the procedure from msg.procedure when the node has none, and sends payload as the one argument', async function () {
      await start({ procedure: '' });
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        assert.deepEqual(msg.args, ['hi']);
        helper.getNode('resp').receive({ ...msg, args: [1, 2], kwargs: { k: true } });
      });
      const out = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({ procedure: 'com.test.proc', payload: 'hi' });
      const [msg] = await out;
      assert.deepEqual(msg.payload, [1, 2]);
      assert.deepEqual(msg.kwargs, { k: true });
    });
  });

  describe('progressive results', function () {
    it('sends each progressive result on the second output, and the final one once on the first', async function () {
      await start({ progressive: true, outputs: 2, wires: [['out'], ['progress']] });
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        const resp = helper.getNode('resp');
        resp.receive({ ...msg, payload: 1, progress: true });
        resp.receive({ ...msg, payload: 2, progress: true });
        resp.receive({ ...msg, payload: 3 });
      });
      const out = nextMessages(helper.getNode('out'));
      const progress = nextMessages(helper.getNode('progress'), 3);
      helper.getNode('call').receive({ payload: 0 });
      const [final] = await out;
      assert.deepEqual([final.payload, final.progress], [3, false]);
      const parts = await progress;
      assert.deepEqual(
        parts.map((m) => [m.payload, m.progress, (m.parts as { index: number }).index, m.complete]),
        [
          [1, true, 0, undefined],
          [2, true, 1, undefined],
          [3, false, 2, true],
        ],
      );
      const ids = new Set(parts.map((m) => (m.parts as { id: string }).id));
      assert.equal(ids.size, 1);
      assert.equal((parts[2].parts as { count: number }).count, 3);
      assert.equal((parts[0].parts as { count?: number }).count, undefined);
    });
  });

  describe('msg.action = "cancel"', function () {
    it('cancels the pending call: Catch gets wamp.error.canceled and the invocation is dropped', async function () {
      await start();
      const invoked = nextMessages(helper.getNode('callee'));
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ payload: 1, callId: 'c1' });
      await invoked;
      assert.equal(pendingCount(), 1);
      helper.getNode('call').receive({ action: 'cancel', callId: 'c1' });
      const [msg] = await caught;
      const error = msg.error as { code: string; source: { id: string } };
      assert.equal(error.code, 'wamp.error.canceled');
      assert.equal(error.source.id, 'call');
      assert.equal((msg._error as { uri: string }).uri, 'wamp.error.canceled');
    });
  });

  describe('errors reach a Catch node', function () {
    it('an ERROR from the callee (msg.wampError) carries its URI and arguments; the message reads as its text', async function () {
      await start();
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        helper
          .getNode('resp')
          .receive({ ...msg, wampError: { uri: 'com.test.failed', message: 'no luck', kwargs: { n: 1 } } });
      });
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ payload: 1 });
      const [msg] = await caught;
      assert.equal((msg.error as { code: string }).code, 'com.test.failed');
      assert.equal((msg.error as { message: string }).message, 'no luck');
      assert.deepEqual(msg._error, {
        uri: 'com.test.failed',
        args: ['no luck'],
        kwargs: { n: 1 },
        message: 'no luck',
      });
    });

    it('a string msg.wampError that is not a URI becomes wamp.error.runtime_error', async function () {
      await start();
      helper
        .getNode('callee')
        .on('input', (msg: NodeMessage) => helper.getNode('resp').receive({ ...msg, wampError: 'it broke' }));
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ payload: 1 });
      const [msg] = await caught;
      assert.equal((msg.error as { code: string }).code, 'wamp.error.runtime_error');
      assert.deepEqual((msg._error as { args: unknown[] }).args, ['it broke']);
    });

    it('calling an unregistered procedure fails with wamp.error.no_such_procedure', async function () {
      await start({ procedure: 'com.test.nobody' });
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ payload: 1 });
      const [msg] = await caught;
      assert.equal((msg.error as { code: string }).code, 'wamp.error.no_such_procedure');
    });

    it('an unanswered invocation times out with wamp.error.timeout after the register timeout', async function () {
      await start({}, { timeout: 0.05 });
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ payload: 1 });
      const [msg] = await caught;
      assert.equal((msg.error as { code: string }).code, 'wamp.error.timeout');
      assert.equal(pendingCount(), 0);
    });

    it('wamp-response without a pending invocation reports an error', async function () {
      await start();
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('resp').receive({ payload: 1, _wamp: { invocationId: 'nope' } });
      const [msg] = await caught;
      assert.match(String((msg.error as { message: string }).message), /wamp-response\.errors\.gone/);
    });

    it('an invalid msg.action is rejected', async function () {
      await start();
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ action: 'explode' });
      const [msg] = await caught;
      assert.match(String((msg.error as { message: string }).message), /invalid-action/);
    });
  });

  describe('redeploy', function () {
    it('pending invocations get wamp.error.canceled when the wamp-register node is redeployed', async function () {
      await start();
      const invoked = nextMessages(helper.getNode('callee'));
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('call').receive({ payload: 1 });
      await invoked;
      const flow = rpcFlow({}, { procedure: 'com.test.other' });
      await helper.setFlows(flow, 'nodes');
      const [msg] = await caught;
      assert.equal((msg.error as { code: string }).code, 'wamp.error.canceled');
      assert.equal(pendingCount(), 0);
    });
  });
});
