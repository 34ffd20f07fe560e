// The dealer ending calls early: CANCEL in its three modes, and timeouts (the caller's and the
// router's callTimeoutMs), each with INTERRUPT to a callee that can take it.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { ALL_ROLES, Peer } from './peer';

/** Roles of a callee that does not support call canceling or progressive results. */
const PLAIN_ROLES = { roles: { caller: { features: {} }, callee: { features: {} } } };

describe('router dealer', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(() => router.close());

  describe('call canceling: CANCEL with mode skip, kill, killnowait', () => {
    async function pendingCall(calleeDetails: Record<string, unknown> = { roles: ALL_ROLES }) {
      const callee = await Peer.join(router, 'realm1', calleeDetails);
      const caller = await Peer.join(router);
      await callee.register('slow');
      const request = caller.sendCall('slow');
      const inv = await callee.next(M.INVOCATION);
      return { callee, caller, request, inv };
    }

    it('skip: the caller gets ERROR canceled at once, no INTERRUPT, the late YIELD is dropped', async () => {
      const { callee, caller, request, inv } = await pendingCall();
      caller.send([M.CANCEL, request, { mode: 'skip' }]);
      assert.equal((await caller.answer(request, M.RESULT))[4], 'wamp.error.canceled');
      callee.send([M.YIELD, inv[1], {}, ['late']]);
      await callee.sync();
      await caller.sync();
      assert.deepEqual(callee.queued(M.INTERRUPT), []);
      assert.deepEqual(caller.queued(M.RESULT), []);
      assert.ok(callee.isOpen, 'a late YIELD is not a protocol violation');
    });

    it("kill: INTERRUPT to the callee, and the caller gets the callee's ERROR", async () => {
      const { callee, caller, request, inv } = await pendingCall();
      caller.send([M.CANCEL, request, { mode: 'kill' }]);
      const interrupt = await callee.next(M.INTERRUPT);
      assert.deepEqual(interrupt, [M.INTERRUPT, inv[1], { mode: 'kill' }]);
      await caller.sync();
      assert.equal(caller.queued(M.ERROR).length, 0, 'no ERROR before the callee answers');
      callee.send([M.ERROR, M.INVOCATION, inv[1], {}, 'wamp.error.canceled', ['stopped']]);
      assert.deepEqual(await caller.answer(request, M.RESULT), [
        M.ERROR,
        M.CALL,
        request,
        {},
        'wamp.error.canceled',
        ['stopped'],
      ]);
    });

    it('kill is the default mode, and a callee that finishes first still gives RESULT', async () => {
      const { callee, caller, request, inv } = await pendingCall();
      caller.send([M.CANCEL, request, {}]);
      await callee.next(M.INTERRUPT);
      callee.send([M.YIELD, inv[1], {}, ['done']]);
      assert.deepEqual(await caller.answer(request, M.RESULT), [M.RESULT, request, {}, ['done']]);
    });

    it('killnowait: INTERRUPT and ERROR canceled at once; the callee answer is dropped', async () => {
      const { callee, caller, request, inv } = await pendingCall();
      caller.send([M.CANCEL, request, { mode: 'killnowait' }]);
      assert.equal((await caller.answer(request, M.RESULT))[4], 'wamp.error.canceled');
      assert.deepEqual(await callee.next(M.INTERRUPT), [M.INTERRUPT, inv[1], { mode: 'killnowait' }]);
      callee.send([M.ERROR, M.INVOCATION, inv[1], {}, 'wamp.error.canceled']);
      await caller.sync();
      assert.deepEqual(caller.queued(M.ERROR), []);
    });

    it('a callee without call_canceling is treated as skip', async () => {
      const { callee, caller, request } = await pendingCall(PLAIN_ROLES);
      caller.send([M.CANCEL, request, { mode: 'kill' }]);
      assert.equal((await caller.answer(request, M.RESULT))[4], 'wamp.error.canceled');
      await callee.sync();
      assert.deepEqual(callee.queued(M.INTERRUPT), []);
    });

    it('an unknown mode is a protocol violation: ABORT', async () => {
      const { caller, request } = await pendingCall();
      caller.send([M.CANCEL, request, { mode: 'later' }]);
      await caller.protocolViolation(/mode/);
    });
  });

  describe('call timeout: CALL timeout and the router callTimeoutMs end the call with wamp.error.timeout and INTERRUPT the callee', () => {
    it('forwards timeout to the callee and times out', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('slow');
      const request = caller.sendCall('slow', { timeout: 20 });
      const inv = await callee.next(M.INVOCATION);
      assert.deepEqual(inv[3], { timeout: 20 });
      assert.equal((await caller.answer(request, M.RESULT))[4], 'wamp.error.timeout');
      assert.deepEqual(await callee.next(M.INTERRUPT), [
        M.INTERRUPT,
        inv[1],
        { mode: 'killnowait', reason: 'wamp.error.timeout' },
      ]);
      callee.send([M.YIELD, inv[1], {}]);
      await caller.sync();
      assert.deepEqual(caller.queued(M.RESULT), []);
    });

    it('applies the router callTimeoutMs to every call', async () => {
      await router.close();
      router = new Router({ realms: [{ name: 'realm1' }], callTimeoutMs: 20 });
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('slow');
      const request = caller.sendCall('slow');
      assert.deepEqual((await callee.next(M.INVOCATION))[3], {});
      assert.equal((await caller.answer(request, M.RESULT))[4], 'wamp.error.timeout');
    });

    it('a malformed timeout is a protocol violation: ABORT', async () => {
      const caller = await Peer.join(router);
      caller.sendCall('p', { timeout: -1 });
      await caller.protocolViolation(/timeout/);
    });
  });
});
