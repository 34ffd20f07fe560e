// Slowing down password guessing, with a clock the test moves.
import assert from 'node:assert/strict';
import { LoginThrottle } from '../../../src/router/auth';

function throttle(extra: ConstructorParameters<typeof LoginThrottle>[0] = {}) {
  const clock = { t: 1_000_000 };
  const t = new LoginThrottle({
    freeFailures: 3,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    forgetAfterMs: 60_000,
    now: () => clock.t,
    ...extra,
  });
  return { t, clock };
}

describe('LoginThrottle', () => {
  it('lets the first few failures through without delay', () => {
    const { t } = throttle();
    for (let i = 0; i < 3; i++) {
      t.recordFailure('joe', '10.0.0.1');
      assert.equal(t.retryAfter('joe', '10.0.0.1'), 0);
    }
    t.recordFailure('joe', '10.0.0.1');
    assert.equal(t.retryAfter('joe', '10.0.0.1'), 1000);
  });

  it('doubles the lockout with each further failure, up to the ceiling', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 3; i++) t.recordFailure('joe', 'a');
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.recordFailure('joe', 'a');
      const wait = t.retryAfter('joe', 'a');
      seen.push(wait);
      clock.t += wait; // the client waits out the lockout, then fails again
      assert.equal(t.retryAfter('joe', 'a'), 0);
    }
    assert.deepEqual(seen, [1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('counts down as time passes', () => {
    const { t, clock } = throttle({ freeFailures: 0 });
    t.recordFailure('joe', 'a');
    clock.t += 400;
    assert.equal(t.retryAfter('joe', 'a'), 600);
  });

  it('keeps authids and addresses apart', () => {
    const { t } = throttle({ freeFailures: 0 });
    t.recordFailure('joe', 'a');
    assert.ok(t.retryAfter('joe', 'a') > 0);
    assert.equal(t.retryAfter('joe', 'b'), 0);
    assert.equal(t.retryAfter('ann', 'a'), 0);
  });

  it('a success clears the record', () => {
    const { t } = throttle({ freeFailures: 0 });
    t.recordFailure('joe', 'a');
    t.recordSuccess('joe', 'a');
    assert.equal(t.retryAfter('joe', 'a'), 0);
    assert.equal(t.size, 0);
  });

  it('forgets failures after a quiet period', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 5; i++) t.recordFailure('joe', 'a');
    clock.t += 60_000;
    assert.equal(t.retryAfter('joe', 'a'), 0);
    assert.equal(t.size, 0);
    t.recordFailure('joe', 'a');
    assert.equal(t.retryAfter('joe', 'a'), 0, 'counting starts again');
  });

  it('keeps at most maxEntries records, dropping the least recently failed', () => {
    const { t } = throttle({ freeFailures: 0, maxEntries: 3 });
    for (const who of ['a', 'b', 'c', 'd']) t.recordFailure(who, 'x');
    assert.equal(t.size, 3);
    assert.equal(t.retryAfter('a', 'x'), 0);
    assert.ok(t.retryAfter('d', 'x') > 0);
  });
});
