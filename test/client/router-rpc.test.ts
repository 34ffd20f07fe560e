// The client's RPC against the embedded router, in-process: calls, registrations, progressive
// results, cancelling, timeouts.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Result } from '../../src/client/types';
import { WampError } from '../../src/wamp/errors';
import { embeddedRouterPerTest, open } from './embedded-router';

describe('client against the embedded router: RPC', () => {
  embeddedRouterPerTest();

  it('call, register, kwargs, Result, errors and pattern registrations', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
    await callee.register('com.kw', (inv) => new Result(['ok'], { got: inv.kwargs }));
    await callee.register('com.fail', () => {
      throw new WampError('com.error.nope', ['no'], { why: 1 });
    });
    await callee.register('com.pat.', (inv) => inv.procedure, { match: 'prefix' });
    assert.deepEqual((await caller.call('com.add', [2, 3])).args, [5]);
    assert.deepEqual(await caller.call('com.kw', [], { a: 1 }), {
      args: ['ok'],
      kwargs: { got: { a: 1 } },
      details: {},
    });
    await assert.rejects(
      caller.call('com.fail'),
      (e: WampError) => e.uri === 'com.error.nope' && e.kwargs.why === 1,
    );
    assert.deepEqual((await caller.call('com.pat.deep.name')).args, ['com.pat.deep.name']);
    await assert.rejects(caller.call('com.none'), (e: WampError) => e.uri === 'wamp.error.no_such_procedure');
  });

  it('caller identification reaches the callee with disclose_me', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.who', (inv) => inv.details.caller);
    const r = await caller.call('com.who', [], {}, { disclose_me: true });
    assert.equal(r.args[0], caller.session?.id);
  });

  it('progressive results: each progress() reaches onProgress, the return value resolves the call', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.count', (inv) => {
      for (let i = 1; i <= 3; i++) inv.progress([i]);
      return 'done';
    });
    const seen: unknown[] = [];
    const r = await caller.call('com.count', [], {}, { onProgress: (p) => seen.push(p.args[0]) });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(r.args, ['done']);
  });

  it('cancel: the caller aborts, the callee handler sees INTERRUPT on its signal, the call rejects with wamp.error.canceled', async () => {
    const callee = await open({});
    const caller = await open({});
    let started: () => void = () => undefined;
    const running = new Promise<void>((r) => (started = r));
    let interrupted: unknown;
    await callee.register(
      'com.slow',
      (inv) =>
        new Promise((resolve) => {
          started();
          inv.signal.addEventListener('abort', () => {
            interrupted = inv.signal.reason;
            resolve('late');
          });
        }),
    );
    const ac = new AbortController();
    const call = caller.call('com.slow', [], {}, { signal: ac.signal });
    await running;
    ac.abort();
    await assert.rejects(call, (e: WampError) => e.uri === 'wamp.error.canceled');
    assert.equal(interrupted, 'kill');
  });

  it('cancel without an AbortController: the cancel function handed to options.cancelable does the same', async () => {
    const callee = await open({});
    const caller = await open({});
    let interrupted: unknown;
    let onInterrupt: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => (onInterrupt = resolve));
    await callee.register(
      'com.slow2',
      (inv) =>
        new Promise((done) => {
          inv.onAbort((mode) => {
            interrupted = mode;
            done('late');
            onInterrupt();
          });
        }),
    );
    let cancel: (() => void) | undefined;
    const call = caller.call('com.slow2', [], {}, { cancelable: (c) => (cancel = c) });
    assert.equal(typeof cancel, 'function', 'handed over once the CALL is sent');
    cancel!();
    await assert.rejects(call, (e: WampError) => e.uri === 'wamp.error.canceled');
    await aborted;
    assert.equal(interrupted, 'kill');
  });

  it("an invocation's abort listeners: each once with the mode, not one unsubscribed, a late one at once; a signal asked for afterwards is aborted", async () => {
    const callee = await open({});
    const caller = await open({});
    const heard: string[] = [];
    let after: AbortSignal | undefined;
    let settled: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (settled = resolve));
    await callee.register(
      'com.slow3',
      (inv) =>
        new Promise((resolve) => {
          inv.onAbort((m) => heard.push(`a:${m}`));
          const off = inv.onAbort((m) => heard.push(`b:${m}`));
          inv.onAbort((m) => {
            heard.push(`c:${m}`);
            after = inv.signal;
            inv.onAbort((late) => heard.push(`late:${late}`));
            resolve('late');
            settled();
          });
          off();
        }),
    );
    let cancel: (() => void) | undefined;
    const call = caller.call('com.slow3', [], {}, { cancelable: (c) => (cancel = c) });
    cancel!();
    await assert.rejects(call, (e: WampError) => e.uri === 'wamp.error.canceled');
    await finished;
    assert.deepEqual(heard, ['a:kill', 'c:kill', 'late:kill']);
    assert.equal(after?.aborted, true);
    assert.equal(after?.reason, 'kill');
  });

  it('a handler may answer with a plain value, nothing, or a synchronous throw', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.plain', () => 42);
    await callee.register('com.nothing', () => undefined);
    await callee.register('com.throws', () => {
      throw new Error('boom');
    });
    assert.deepEqual((await caller.call('com.plain')).args, [42]);
    assert.deepEqual((await caller.call('com.nothing')).args, []);
    await assert.rejects(
      caller.call('com.throws'),
      (e: WampError) => e.uri === 'wamp.error.runtime_error' && e.args[0] === 'boom',
    );
  });

  it('timeout: a call over its timeout rejects with wamp.error.timeout (or canceled) and the callee is interrupted', async () => {
    const callee = await open({});
    const caller = await open({});
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => (onAbort = resolve));
    await callee.register(
      'com.never',
      (inv) => new Promise(() => inv.signal.addEventListener('abort', () => onAbort())),
    );
    await assert.rejects(caller.call('com.never', [], {}, { timeout: 30 }), (e: WampError) =>
      ['wamp.error.timeout', 'wamp.error.canceled'].includes(e.uri),
    );
    await aborted;
  });
});
