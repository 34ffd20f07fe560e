// Progressive call invocations (advanced profile): a caller streams one call as several CALLs
// with the same request ID; the dealer delivers them as INVOCATIONs of one invocation ID to one
// callee. And a request ID reused while its call is in flight is a protocol violation.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { ALL_ROLES, Peer } from './peer';

const STREAMING = {
  roles: {
    ...ALL_ROLES,
    caller: { features: { ...ALL_ROLES.caller.features, progressive_call_invocations: true } },
    callee: { features: { ...ALL_ROLES.callee.features, progressive_call_invocations: true } },
  },
};

describe('router dealer: progressive call invocations', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(() => router.close());

  it('is announced in WELCOME', async () => {
    const p = await Peer.join(router);
    const dealer = (p.welcome.roles as Record<string, { features: Record<string, boolean> }>).dealer;
    assert.equal(dealer.features.progressive_call_invocations, true);
  });

  it('chunks reach one callee as INVOCATIONs of one ID, the last without progress; the YIELD answers', async () => {
    const callees = [
      await Peer.join(router, 'realm1', STREAMING),
      await Peer.join(router, 'realm1', STREAMING),
    ];
    for (const c of callees) await c.register('com.upload', { invoke: 'roundrobin' });
    const caller = await Peer.join(router, 'realm1', STREAMING);
    caller.send([M.CALL, 1, { progress: true }, 'com.upload', ['part 1']]);
    const first = await callees[0].next(M.INVOCATION);
    assert.deepEqual(first[3], { progress: true });
    caller.send([M.CALL, 1, { progress: true }, 'com.upload', ['part 2']]);
    caller.send([M.CALL, 1, {}, 'com.upload', ['part 3']]);
    const second = await callees[0].next(M.INVOCATION);
    const last = await callees[0].next(M.INVOCATION);
    assert.deepEqual([second[1], second[3], second[4]], [first[1], { progress: true }, ['part 2']]);
    assert.deepEqual([last[1], last[3], last[4]], [first[1], {}, ['part 3']]);
    await callees[1].sync();
    assert.equal(callees[1].queued(M.INVOCATION).length, 0, 'every chunk went to the first callee');
    callees[0].send([M.YIELD, first[1], {}, ['3 parts']]);
    assert.deepEqual(await caller.answer(1, M.RESULT), [M.RESULT, 1, {}, ['3 parts']]);
  });

  it('every chunk in payload passthru mode reaches the callee with its ppt_* options and bytes untouched', async () => {
    const ppt = {
      roles: {
        caller: { features: { ...STREAMING.roles.caller.features, payload_passthru_mode: true } },
        callee: { features: { ...STREAMING.roles.callee.features, payload_passthru_mode: true } },
      },
    };
    const callee = await Peer.join(router, 'realm1', ppt);
    await callee.register('com.upload');
    const caller = await Peer.join(router, 'realm1', ppt);
    const chunk = (n: number) => new Uint8Array([n, 255, 0]);
    caller.send([
      M.CALL,
      1,
      { progress: true, ppt_scheme: 'x_custom', ppt_keyid: 'k1' },
      'com.upload',
      [chunk(1)],
    ]);
    const first = await callee.next(M.INVOCATION);
    assert.deepEqual(first[3], { progress: true, ppt_scheme: 'x_custom', ppt_keyid: 'k1' });
    caller.send([M.CALL, 1, { ppt_scheme: 'x_custom', ppt_keyid: 'k2' }, 'com.upload', [chunk(2)]]);
    const last = await callee.next(M.INVOCATION);
    assert.deepEqual(last[3], { ppt_scheme: 'x_custom', ppt_keyid: 'k2' });
    assert.deepEqual(Array.from((last[4] as unknown[])[0] as Uint8Array), [2, 255, 0]);
  });

  it('a chunk after the call ended is dropped, not taken for a new call', async () => {
    const callee = await Peer.join(router, 'realm1', STREAMING);
    await callee.register('com.upload');
    const caller = await Peer.join(router, 'realm1', STREAMING);
    caller.send([M.CALL, 1, { progress: true }, 'com.upload', ['a']]);
    const inv = await callee.next(M.INVOCATION);
    callee.send([M.ERROR, M.INVOCATION, inv[1], {}, 'com.error.enough']);
    await caller.answer(1, M.ERROR);
    caller.send([M.CALL, 1, {}, 'com.upload', ['late']]);
    await callee.sync();
    await caller.sync();
    assert.equal(callee.queued(M.INVOCATION).length, 0);
    assert.ok(caller.isOpen);
  });

  it('cancel and timeout still end a streaming call', async () => {
    const callee = await Peer.join(router, 'realm1', STREAMING);
    await callee.register('com.upload');
    const caller = await Peer.join(router, 'realm1', STREAMING);
    caller.send([M.CALL, 1, { progress: true }, 'com.upload', ['a']]);
    const inv = await callee.next(M.INVOCATION);
    caller.send([M.CANCEL, 1, { mode: 'killnowait' }]);
    assert.equal((await caller.answer(1, M.ERROR))[4], 'wamp.error.canceled');
    assert.equal((await callee.next(M.INTERRUPT))[1], inv[1]);

    caller.send([M.CALL, 2, { progress: true, timeout: 50 }, 'com.upload', ['b']]);
    await callee.next(M.INVOCATION);
    assert.equal((await caller.answer(2, M.ERROR))[4], 'wamp.error.timeout');
  });

  it('a callee without the feature: ERROR wamp.error.feature_not_supported', async () => {
    const callee = await Peer.join(router);
    await callee.register('com.plain');
    const caller = await Peer.join(router, 'realm1', STREAMING);
    caller.send([M.CALL, 1, { progress: true }, 'com.plain', ['a']]);
    assert.equal((await caller.answer(1, M.ERROR))[4], 'wamp.error.feature_not_supported');
  });

  it('CALL with progress from a caller that did not announce the feature is a protocol violation', async () => {
    const callee = await Peer.join(router, 'realm1', STREAMING);
    await callee.register('com.upload');
    const caller = await Peer.join(router);
    caller.send([M.CALL, 1, { progress: true }, 'com.upload', ['a']]);
    const abort = await caller.next(M.ABORT);
    assert.equal(abort[2], 'wamp.error.protocol_violation');
  });

  it('a request ID reused while its (non-progressive) call is in flight is a protocol violation', async () => {
    const callee = await Peer.join(router);
    await callee.register('com.slow');
    const caller = await Peer.join(router);
    caller.send([M.CALL, 7, {}, 'com.slow', [1]]);
    const inv = await callee.next(M.INVOCATION);
    caller.send([M.CALL, 7, {}, 'com.slow', [2]]);
    const abort = await caller.next(M.ABORT);
    assert.equal(abort[2], 'wamp.error.protocol_violation');
    // The callee learns the caller left and the first call is interrupted.
    assert.equal((await callee.next(M.INTERRUPT))[1], inv[1]);
  });
});
