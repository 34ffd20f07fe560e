// The client session as caller against a scripted raw router, exactly what goes on the wire:
// CALL and RESULT, progressive results, cancelling, timeouts.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { WampError } from '../../src/wamp/errors';
import { joined, outcome } from './raw-peer';

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
