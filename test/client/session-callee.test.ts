// The client session as callee against a scripted raw router, exactly what goes on the wire:
// REGISTER, INVOCATION and YIELD, errors, progress, INTERRUPT, revocation.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Session } from '../../src/client/session';
import { Result } from '../../src/client/types';
import { ErrorUri, WampError } from '../../src/wamp/errors';
import { joined } from './raw-peer';

describe('client session: callee', () => {
  async function registered(handler: Parameters<Session['register']>[1]) {
    const ctx = await joined();
    const p = ctx.session.register('com.proc', handler);
    const req = await ctx.peer.expect(64);
    ctx.peer.send([65, req[1], 42]);
    const reg = await p;
    return { ...ctx, reg };
  }

  it('REGISTERED gives the registration id; INVOCATION runs the handler with args, kwargs, details and procedure', async () => {
    let got: unknown;
    const { peer, reg } = await registered((inv) => {
      got = { args: inv.args, kwargs: inv.kwargs, procedure: inv.procedure, caller: inv.details.caller };
      return new Result([1, 2], { x: 1 });
    });
    assert.equal(reg.id, 42);
    peer.send([68, 9, 42, { caller: 5 }, ['a'], { b: 1 }]);
    assert.deepEqual(await peer.next(), [70, 9, {}, [1, 2], { x: 1 }]);
    assert.deepEqual(got, { args: ['a'], kwargs: { b: 1 }, procedure: 'com.proc', caller: 5 });
  });

  it('handler results: undefined => YIELD without args, a plain value v => YIELD [v], details.procedure names pattern matches', async () => {
    const values: unknown[] = [undefined, 7];
    let procedure = '';
    const { peer } = await registered((inv) => {
      procedure = inv.procedure;
      return values.shift();
    });
    peer.send([68, 1, 42, { procedure: 'com.proc.sub' }]);
    assert.deepEqual(await peer.next(), [70, 1, {}]);
    assert.equal(procedure, 'com.proc.sub');
    peer.send([68, 2, 42, {}]);
    assert.deepEqual(await peer.next(), [70, 2, {}, [7]]);
  });

  it('a thrown WampError becomes ERROR with its uri, args and kwargs; another Error becomes wamp.error.runtime_error', async () => {
    const errors = [new WampError('com.error.bad', ['x'], { k: 1 }), new Error('boom')];
    const { peer } = await registered(() => {
      throw errors.shift();
    });
    peer.send([68, 1, 42, {}]);
    assert.deepEqual(await peer.next(), [8, 68, 1, {}, 'com.error.bad', ['x'], { k: 1 }]);
    peer.send([68, 2, 42, {}]);
    assert.deepEqual(await peer.next(), [8, 68, 2, {}, ErrorUri.RUNTIME_ERROR, ['boom']]);
  });

  it('progress() sends YIELD progress=true only when the caller asked for progress', async () => {
    const { peer } = await registered(async (inv) => {
      inv.progress([1]);
      inv.progress([2]);
      return 'end';
    });
    peer.send([68, 1, 42, { receive_progress: true }]);
    assert.deepEqual(await peer.next(), [70, 1, { progress: true }, [1]]);
    assert.deepEqual(await peer.next(), [70, 1, { progress: true }, [2]]);
    assert.deepEqual(await peer.next(), [70, 1, {}, ['end']]);
    peer.send([68, 2, 42, {}]);
    assert.deepEqual(await peer.next(), [70, 2, {}, ['end']]);
  });

  it('INTERRUPT aborts the handler signal with the mode as reason, and the callee answers ERROR wamp.error.canceled', async () => {
    let reason: unknown;
    const { peer } = await registered((inv) =>
      inv.args[0] === 'quick'
        ? 'quick'
        : new Promise((resolve) =>
            inv.signal.addEventListener('abort', () => {
              reason = inv.signal.reason;
              resolve('too late');
            }),
          ),
    );
    peer.send([68, 3, 42, {}]);
    peer.send([69, 3, { mode: 'kill' }]);
    assert.deepEqual(await peer.next(), [8, 68, 3, {}, 'wamp.error.canceled']);
    assert.equal(reason, 'kill');
    // Nothing else follows for that invocation: the next message answers the next invocation.
    peer.send([68, 4, 42, {}, ['quick']]);
    assert.deepEqual(await peer.next(), [70, 4, {}, ['quick']]);
  });

  it('INTERRUPT runs onAbort listeners once with the mode; a signal asked for afterwards is already aborted', async () => {
    const seen: string[] = [];
    let late: AbortSignal | undefined;
    let unsubscribed = false;
    const { peer } = await registered(
      (inv) =>
        new Promise((resolve) => {
          inv.onAbort((mode) => {
            seen.push(mode);
            setImmediate(() => {
              late = inv.signal;
              inv.onAbort((again) => seen.push(`after:${again}`));
              resolve('too late');
            });
          });
          const off = inv.onAbort(() => (unsubscribed = true));
          off();
        }),
    );
    peer.send([68, 5, 42, {}]);
    peer.send([69, 5, { mode: 'killnowait' }]);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['killnowait', 'after:killnowait']);
    assert.equal(unsubscribed, false, 'an unsubscribed listener does not run');
    assert.equal(late?.aborted, true);
    assert.equal(late?.reason, 'killnowait');
  });

  it('router-initiated UNREGISTERED (request 0) revokes the registration', async () => {
    const { session, peer, reg } = await registered(() => 1);
    const revoked = new Promise<unknown[]>((r) => session.once('revoked', (...a: unknown[]) => r(a)));
    peer.send([67, 0, { registration: 42, reason: 'wamp.error.kicked' }]);
    const [kind, id] = await revoked;
    assert.equal(kind, 'registration');
    assert.equal(id, 42);
    assert.equal(reg.id, undefined);
    await reg.unregister();
  });

  it('unregister sends UNREGISTER and resolves on UNREGISTERED', async () => {
    const { peer, reg } = await registered(() => 1);
    const p = reg.unregister();
    const m = await peer.expect(66);
    assert.equal(m[2], 42);
    peer.send([67, m[1]]);
    await p;
    assert.equal(reg.id, undefined);
  });
});
