// The client session against a scripted raw router: exactly what goes on the wire.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { CLIENT_ROLES, Session, type SessionCloseInfo } from '../../src/client/session';
import { Result } from '../../src/client/types';
import { ErrorUri, WampError } from '../../src/wamp/errors';
import { joined, outcome, rawPair, type RawPeer } from './raw-peer';

/** Once the peer sees this PUBLISH, everything it sent before has reached the session. */
async function roundTrip(session: Session, peer: RawPeer): Promise<void> {
  await session.publish('test.flush');
  await peer.expect(16);
}

describe('client session: HELLO', () => {
  it('names the realm, announces the four client roles with only the supported features, and offers anonymous by default', async () => {
    const { session, peer, hello } = await joined();
    assert.equal(hello[1], 'realm1');
    const details = hello[2] as Record<string, unknown>;
    assert.deepEqual(details.roles, CLIENT_ROLES);
    assert.deepEqual(Object.keys(details.roles as object).sort(), [
      'callee',
      'caller',
      'publisher',
      'subscriber',
    ]);
    const caller = (details.roles as Record<string, { features: Record<string, boolean> }>).caller.features;
    // Bondy refuses progressive_call_results without call_canceling: both go together.
    assert.equal(caller.progressive_call_results, true);
    assert.equal(caller.call_canceling, true);
    assert.deepEqual(details.authmethods, ['anonymous']);
    assert.equal(details.authid, undefined);
    assert.equal(session.isOpen, true);
    assert.equal(session.id, 12345);
    peer.transport.close();
    await peer.whenClosed();
  });

  it('WELCOME establishes the session with its id and details', async () => {
    const { session } = await joined();
    assert.equal(session.details.authrole, 'anonymous');
    assert.equal(session.currentState, 'established');
  });
});

describe('client session: ABORT and GOODBYE', () => {
  it('ABORT in answer to HELLO rejects join with the reason as a WampError', async () => {
    const { peer, clientEnd } = rawPair();
    const session = new Session(clientEnd, { realm: 'nope' });
    const joining = session.join();
    await peer.expect(1);
    peer.send([3, { message: 'no realm' }, 'wamp.error.no_such_realm']);
    await assert.rejects(
      joining,
      (e: WampError) =>
        e instanceof WampError && e.uri === 'wamp.error.no_such_realm' && e.details.message === 'no realm',
    );
    await peer.whenClosed();
  });

  it('router GOODBYE is answered with GOODBYE goodbye_and_out, pending requests reject, close reports the router reason', async () => {
    const { session, peer } = await joined();
    const closed = new Promise<SessionCloseInfo>((r) => session.once('close', r));
    const call = session.call('com.x');
    await peer.expect(48);
    peer.send([6, { message: 'bye' }, 'wamp.close.system_shutdown']);
    assert.deepEqual(await peer.next(), [6, {}, 'wamp.close.goodbye_and_out']);
    const info = await closed;
    assert.equal(info.reason, 'wamp.close.system_shutdown');
    assert.equal(info.byRouter, true);
    assert.equal(await outcome(call), 'wamp.error.connection_lost');
    await peer.whenClosed();
    assert.equal(await outcome(session.call('com.y')), 'wamp.error.connection_lost');
  });

  it('leave() sends GOODBYE and completes on the router GOODBYE', async () => {
    const { session, peer } = await joined();
    const left = session.leave();
    assert.deepEqual(await peer.next(), [6, {}, 'wamp.close.normal']);
    peer.send([6, {}, 'wamp.close.goodbye_and_out']);
    await left;
    assert.equal(session.isOpen, false);
    await peer.whenClosed();
  });
});

describe('client session: protocol violations by the router', () => {
  const cases: Array<[string, unknown[]]> = [
    ['a REGISTERED for a request never made', [65, 999, 7]],
    ['a malformed message', [36, 'x', 1, {}]],
    ['a message type a router never sends', [48, 1, {}, 'com.x']],
    ['a second WELCOME', [2, 5, {}]],
  ];
  for (const [what, msg] of cases) {
    it(`${what} => ABORT wamp.error.protocol_violation and the transport closes`, async () => {
      const { session, peer } = await joined();
      const pending = session.call('com.pending');
      await peer.expect(48);
      peer.send(msg);
      const abort = await peer.expect(3);
      assert.equal(abort[2], 'wamp.error.protocol_violation');
      await peer.whenClosed();
      assert.equal(await outcome(pending), 'wamp.error.connection_lost');
      assert.equal(session.isOpen, false);
    });
  }

  it('a message before WELCOME => ABORT protocol_violation and join rejects', async () => {
    const { peer, clientEnd } = rawPair();
    const session = new Session(clientEnd, { realm: 'realm1' });
    const joining = session.join();
    await peer.expect(1);
    peer.send([36, 1, 2, {}]);
    assert.equal((await peer.expect(3))[2], 'wamp.error.protocol_violation');
    assert.equal(await outcome(joining), 'wamp.error.protocol_violation');
  });
});

describe('client session: every promise settles when the session closes', () => {
  it('call, register, subscribe, acknowledged publish and unregister all reject with wamp.error.connection_lost', async () => {
    const { session, peer } = await joined();
    const regP = session.register('com.r', () => 1);
    const req = await peer.expect(64);
    peer.send([65, req[1], 77]);
    const reg = await regP;
    const call = session.call('com.c');
    const register = session.register('com.r2', () => 1);
    const subscribe = session.subscribe('com.t', () => undefined);
    const publish = session.publish('com.t', [1], {}, { acknowledge: true });
    const unregister = reg.unregister();
    for (let i = 0; i < 5; i++) await peer.next();
    peer.transport.close(1006, 'gone');
    const results = await Promise.all([call, register, subscribe, publish, unregister].map(outcome));
    assert.deepEqual(results, Array(5).fill('wamp.error.connection_lost'));
    assert.equal(reg.id, undefined);
  });

  it('requests made after the close reject at once', async () => {
    const { session, peer } = await joined();
    peer.transport.close();
    await new Promise((r) => session.once('close', r));
    const all = [
      session.call('a.b'),
      session.register('a.b', () => 1),
      session.subscribe('a.b', () => 1),
      session.publish('a.b'),
    ];
    assert.deepEqual(await Promise.all(all.map(outcome)), Array(4).fill('wamp.error.connection_lost'));
  });
});

describe('client session: caller', () => {
  it('sends CALL with args and kwargs and resolves with RESULT; ERROR rejects with its uri, args and kwargs', async () => {
    const { session, peer } = await joined();
    const ok = session.call('com.add', [1, 2], { k: 1 }, { disclose_me: true });
    const call = await peer.expect(48);
    assert.deepEqual(call.slice(2), [{ disclose_me: true }, 'com.add', [1, 2], { k: 1 }]);
    peer.send([50, call[1], {}, [3]]);
    assert.deepEqual(await ok, { args: [3], kwargs: {}, details: {} });

    const bad = session.call('com.fail');
    const call2 = await peer.expect(48);
    assert.deepEqual(call2, [48, call2[1], {}, 'com.fail']);
    peer.send([8, 48, call2[1], {}, 'com.error.oops', ['why'], { code: 7 }]);
    await assert.rejects(
      bad,
      (e: WampError) => e.uri === 'com.error.oops' && e.args[0] === 'why' && e.kwargs.code === 7,
    );
  });

  it('progressive results: receive_progress is set, each progressive RESULT reaches onProgress, the final one resolves', async () => {
    const { session, peer } = await joined();
    const seen: unknown[] = [];
    const p = session.call('com.long', [], {}, { onProgress: (r) => seen.push(r.args[0]) });
    const call = await peer.expect(48);
    assert.equal((call[2] as Record<string, unknown>).receive_progress, true);
    peer.send([50, call[1], { progress: true }, [1]]);
    peer.send([50, call[1], { progress: true }, [2]]);
    peer.send([50, call[1], {}, ['done']]);
    assert.deepEqual((await p).args, ['done']);
    assert.deepEqual(seen, [1, 2]);
  });

  it('cancel via AbortSignal sends CANCEL mode kill and rejects with wamp.error.canceled on the dealer ERROR (cancelled spelling accepted)', async () => {
    const { session, peer } = await joined();
    const ac = new AbortController();
    const p = session.call('com.slow', [], {}, { signal: ac.signal });
    const call = await peer.expect(48);
    ac.abort();
    assert.deepEqual(await peer.next(), [49, call[1], { mode: 'kill' }]);
    peer.send([8, 48, call[1], {}, 'wamp.error.cancelled']);
    assert.equal(await outcome(p), 'wamp.error.canceled');
  });

  it('cancel in skip mode settles at once; a late RESULT is ignored', async () => {
    const { session, peer } = await joined();
    const ac = new AbortController();
    const p = session.call('com.slow', [], {}, { signal: ac.signal, cancelMode: 'skip' });
    const call = await peer.expect(48);
    ac.abort();
    assert.equal(await outcome(p), 'wamp.error.canceled');
    assert.deepEqual(await peer.next(), [49, call[1], { mode: 'skip' }]);
    peer.send([50, call[1], {}, [1]]);
    const again = session.call('com.next');
    const c2 = await peer.expect(48);
    peer.send([50, c2[1], {}, [2]]);
    assert.deepEqual((await again).args, [2]);
  });

  it('an ERROR refusing the CANCEL is tolerated; the call still settles with its RESULT', async () => {
    const { session, peer } = await joined();
    const ac = new AbortController();
    const p = session.call('com.slow', [], {}, { signal: ac.signal });
    const call = await peer.expect(48);
    ac.abort();
    await peer.expect(49);
    peer.send([8, 49, call[1], {}, 'wamp.error.invalid_argument']);
    peer.send([50, call[1], {}, ['finished']]);
    assert.deepEqual((await p).args, ['finished']);
    assert.equal(session.isOpen, true);
  });

  it('without call_canceling at the dealer no CANCEL is sent and the call rejects locally', async () => {
    const { session, peer } = await joined({}, { dealer: { features: {} }, broker: { features: {} } });
    const ac = new AbortController();
    const p = session.call('com.slow', [], {}, { signal: ac.signal });
    await peer.expect(48);
    ac.abort();
    assert.equal(await outcome(p), 'wamp.error.canceled');
    const p2 = session.call('com.next');
    assert.equal((await peer.next())[0], 48, 'the next message is the next CALL, not a CANCEL');
    void p2.catch(() => undefined);
  });

  it('timeout: CALL carries timeout when the dealer supports call_timeout; the call rejects with wamp.error.timeout', async () => {
    const { session, peer } = await joined();
    const p = session.call('com.slow', [], {}, { timeout: 30 });
    const call = await peer.expect(48);
    assert.equal((call[2] as Record<string, unknown>).timeout, 30);
    assert.equal(await outcome(p), 'wamp.error.timeout');
    assert.deepEqual(await peer.next(), [49, call[1], { mode: 'killnowait' }]);
  });
});

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

describe('client session: publisher and subscriber', () => {
  it('publish without acknowledge resolves at once; with acknowledge it resolves with the publication id', async () => {
    const { session, peer } = await joined();
    assert.deepEqual(await session.publish('com.t', ['a'], {}, { exclude_me: false }), {});
    assert.deepEqual(await peer.next(), [16, 1, { exclude_me: false }, 'com.t', ['a']]);
    const acked = session.publish('com.t', [], { k: 1 }, { acknowledge: true });
    const m = await peer.expect(16);
    assert.deepEqual(m.slice(2), [{ acknowledge: true }, 'com.t', [], { k: 1 }]);
    peer.send([17, m[1], 555]);
    assert.deepEqual(await acked, { publicationId: 555 });
  });

  it('several subscribe() calls for one topic and options share one WAMP subscription; each handler gets each event', async () => {
    const { session, peer } = await joined();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const pa = session.subscribe('com.t', (e) => a.push(e.args[0]));
    const pb = session.subscribe('com.t', (e) => b.push(e.args[0]));
    const sub = await peer.expect(32);
    peer.send([33, sub[1], 900]);
    const [sa, sb] = await Promise.all([pa, pb]);
    assert.equal(sa.id, 900);
    assert.equal(sb.id, 900);
    const sc = await session.subscribe('com.t', () => undefined);
    peer.send([36, 900, 1, { topic: 'com.t' }, ['x']]);
    await roundTrip(session, peer);
    await sa.unsubscribe();
    await sc.unsubscribe();
    peer.send([36, 900, 2, {}, ['y']]);
    await roundTrip(session, peer);
    const unsub = sb.unsubscribe();
    const m = await peer.expect(34);
    assert.equal(m[2], 900);
    peer.send([35, m[1]]);
    await unsub;
    assert.deepEqual(a, ['x']);
    assert.deepEqual(b, ['x', 'y']);
    assert.equal(peer.pending, 0);
  });

  it('EVENT details: topic from details.topic for pattern subscriptions, else the subscribed topic', async () => {
    const { session, peer } = await joined();
    const events: Array<{ topic: string; publicationId: number; kwargs: unknown }> = [];
    const p = session.subscribe(
      'com.',
      (e) => events.push({ topic: e.topic, publicationId: e.publicationId, kwargs: e.kwargs }),
      { match: 'prefix' },
    );
    const m = await peer.expect(32);
    assert.deepEqual(m.slice(2), [{ match: 'prefix' }, 'com.']);
    peer.send([33, m[1], 5]);
    await p;
    peer.send([36, 5, 10, { topic: 'com.a' }, [], { v: 1 }]);
    peer.send([36, 5, 11, {}]);
    await roundTrip(session, peer);
    assert.deepEqual(events, [
      { topic: 'com.a', publicationId: 10, kwargs: { v: 1 } },
      { topic: 'com.', publicationId: 11, kwargs: {} },
    ]);
  });

  it('router-initiated UNSUBSCRIBED (request 0) revokes the subscription', async () => {
    const { session, peer } = await joined();
    const p = session.subscribe('com.t', () => undefined);
    const m = await peer.expect(32);
    peer.send([33, m[1], 5]);
    const sub = await p;
    const revoked = new Promise((r) => session.once('revoked', (kind: string, id: number) => r([kind, id])));
    peer.send([35, 0, { subscription: 5, reason: 'x' }]);
    assert.deepEqual(await revoked, ['subscription', 5]);
    assert.equal(sub.id, undefined);
  });

  it('SUBSCRIBE refused by ERROR rejects with the error', async () => {
    const { session, peer } = await joined();
    const p = session.subscribe('com.t', () => undefined);
    const m = await peer.expect(32);
    peer.send([8, 32, m[1], {}, 'wamp.error.not_authorized']);
    assert.equal(await outcome(p), 'wamp.error.not_authorized');
  });
});
