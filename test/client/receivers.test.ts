// Calls and invocations without a promise each: `start()` tells a call's outcome to a receiver
// and returns its cancel handle; a handler that returns ANSWER_LATER answers through
// `inv.answer()` / `inv.fail()`. What goes on the wire is the same as with promises.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Session } from '../../src/client/session';
import { ANSWER_LATER, type CallResult, type Invocation, Result } from '../../src/client/types';
import { ErrorUri, WampError } from '../../src/wamp/errors';
import { joined } from './raw-peer';

/** A receiver that records what it is told, and resolves once told. */
function recorder() {
  const told: Array<{ result?: CallResult; error?: WampError }> = [];
  let wake: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (wake = resolve));
  return {
    told,
    settled,
    receiver: {
      result: (r: CallResult) => {
        told.push({ result: r });
        wake();
      },
      error: (e: WampError) => {
        told.push({ error: e });
        wake();
      },
    },
  };
}

describe('client session: start() with a receiver', () => {
  it('sends the same CALL as call(); RESULT reaches result(), ERROR reaches error(), once each', async () => {
    const { session, peer } = await joined();
    const ok = recorder();
    session.start('com.add', [1, 2], { k: 1 }, { disclose_me: true }, ok.receiver);
    const call = await peer.expect(48);
    assert.deepEqual(call.slice(2), [{ disclose_me: true }, 'com.add', [1, 2], { k: 1 }]);
    peer.send([50, call[1], {}, [3]]);
    await ok.settled;
    assert.deepEqual(ok.told, [{ result: { args: [3], kwargs: {}, details: {} } }]);

    const bad = recorder();
    session.start('com.fail', undefined, undefined, {}, bad.receiver);
    const call2 = await peer.expect(48);
    peer.send([8, 48, call2[1], {}, 'com.error.oops', ['why']]);
    peer.send([50, call2[1], {}, ['late']]);
    await bad.settled;
    await session.publish('test.flush');
    await peer.expect(16);
    assert.equal(bad.told.length, 1);
    assert.equal(bad.told[0]!.error?.uri, 'com.error.oops');
    assert.deepEqual(bad.told[0]!.error?.args, ['why']);
  });

  it('progressive results go to onProgress, the final one to result()', async () => {
    const { session, peer } = await joined();
    const seen: unknown[] = [];
    const r = recorder();
    session.start('com.long', [], {}, { onProgress: (p) => seen.push(p.args[0]) }, r.receiver);
    const call = await peer.expect(48);
    assert.equal((call[2] as Record<string, unknown>).receive_progress, true);
    peer.send([50, call[1], { progress: true }, [1]]);
    peer.send([50, call[1], {}, ['done']]);
    await r.settled;
    assert.deepEqual(seen, [1]);
    assert.deepEqual(r.told[0]!.result?.args, ['done']);
  });

  it('the handle cancels: CANCEL (kill) goes out and the dealer ERROR reaches error() as canceled', async () => {
    const { session, peer } = await joined();
    const r = recorder();
    const handle = session.start('com.slow', [], {}, {}, r.receiver);
    const call = await peer.expect(48);
    handle.cancel();
    assert.deepEqual(await peer.expect(49), [49, call[1], { mode: 'kill' }]);
    peer.send([8, 48, call[1], {}, 'wamp.error.cancelled']);
    await r.settled;
    assert.equal(r.told[0]!.error?.uri, ErrorUri.CANCELED);
  });

  it('the timeout reaches error() as wamp.error.timeout', async () => {
    const { session, peer } = await joined();
    const r = recorder();
    session.start('com.slow', [], {}, { timeout: 20 }, r.receiver);
    await peer.expect(48);
    await r.settled;
    assert.equal(r.told[0]!.error?.uri, ErrorUri.TIMEOUT);
  });

  it('on a closed session error() is told at once, and a receiver that throws does not break the session', async () => {
    const { session, peer } = await joined();
    const throwing = {
      result: () => {
        throw new Error('application bug');
      },
      error: () => undefined,
    };
    session.start('com.x', [], {}, {}, throwing);
    const call = await peer.expect(48);
    peer.send([50, call[1], {}, []]);
    // The session goes on: the next call still works.
    const next = session.call('com.y');
    const call2 = await peer.expect(48);
    peer.send([50, call2[1], {}, [1]]);
    assert.deepEqual((await next).args, [1]);

    const left = session.leave();
    await peer.expect(6);
    peer.send([6, {}, 'wamp.close.goodbye_and_out']);
    await left;
    const r = recorder();
    session.start('com.z', [], {}, {}, r.receiver);
    assert.equal(r.told[0]?.error?.uri, ErrorUri.CONNECTION_LOST);
  });
});

describe('client session: CALL options made once for frozen options', () => {
  it('frozen options give every CALL the same options; options changed between calls are read afresh', async () => {
    const { session, peer } = await joined();
    const frozen = Object.freeze({ timeout: 5000, disclose_me: true });
    const answer = async (): Promise<Record<string, unknown>> => {
      const call = await peer.expect(48);
      peer.send([50, call[1], {}, []]);
      return call[2] as Record<string, unknown>;
    };
    session.start('com.a', [], {}, frozen, recorder().receiver);
    const first = await answer();
    session.start('com.a', [], {}, frozen, recorder().receiver);
    const second = await answer();
    assert.deepEqual(first, { disclose_me: true, timeout: 5000 });
    assert.deepEqual(second, first);
    assert.ok(Object.isFrozen(second), 'shared, so frozen');

    const open: Record<string, unknown> = { disclose_me: true };
    session.start('com.a', [], {}, open, recorder().receiver);
    assert.deepEqual(await answer(), { disclose_me: true });
    open.disclose_me = false;
    session.start('com.a', [], {}, open, recorder().receiver);
    assert.deepEqual(await answer(), { disclose_me: false });
    // Frozen options with progress still ask for it.
    session.start('com.a', [], {}, Object.freeze({ onProgress: () => undefined }), recorder().receiver);
    assert.deepEqual(await answer(), { receive_progress: true });
  });
});

describe('client session: ANSWER_LATER', () => {
  async function registered(handler: Parameters<Session['register']>[1]) {
    const ctx = await joined();
    const p = ctx.session.register('com.proc', handler);
    const req = await ctx.peer.expect(64);
    ctx.peer.send([65, req[1], 42]);
    await p;
    return ctx;
  }

  it('inv.answer() sends the YIELD a returned value would (a Result as is, a value as the one argument)', async () => {
    const held: Invocation[] = [];
    const { peer } = await registered((inv) => {
      held.push(inv);
      return ANSWER_LATER;
    });
    peer.send([68, 1, 42, {}, ['a']]);
    peer.send([68, 2, 42, {}]);
    while (held.length < 2) await new Promise((r) => setImmediate(r));
    held[1]!.answer(7);
    assert.deepEqual(await peer.next(), [70, 2, {}, [7]]);
    held[0]!.answer(new Result(['x'], { y: 1 }));
    assert.deepEqual(await peer.next(), [70, 1, {}, ['x'], { y: 1 }]);
  });

  it('inv.fail() sends ERROR as a rejected promise would; only the first answer counts', async () => {
    let inv: Invocation | undefined;
    const { session, peer } = await registered((i) => {
      inv = i;
      return ANSWER_LATER;
    });
    peer.send([68, 1, 42, {}]);
    while (!inv) await new Promise((r) => setImmediate(r));
    inv.fail(new WampError('com.error.bad', ['x']));
    inv.answer('too late');
    inv.fail(new Error('too late'));
    assert.deepEqual(await peer.next(), [8, 68, 1, {}, 'com.error.bad', ['x']]);
    // Nothing more went out for that invocation: the next message is this PUBLISH.
    void session.publish('test.flush');
    assert.equal((await peer.next())[0], 16);
  });

  it('after INTERRUPT the answer is dropped (the callee already answered canceled)', async () => {
    let inv: Invocation | undefined;
    const { peer } = await registered((i) => {
      inv = i;
      return ANSWER_LATER;
    });
    peer.send([68, 1, 42, {}]);
    while (!inv) await new Promise((r) => setImmediate(r));
    peer.send([69, 1, { mode: 'kill' }]);
    assert.deepEqual(await peer.next(), [8, 68, 1, {}, ErrorUri.CANCELED]);
    inv.answer('late');
    inv.fail(new Error('late'));
    await new Promise((r) => setImmediate(r));
    assert.equal(peer.pending, 0);
  });
});
