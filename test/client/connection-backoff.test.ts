// Connection's reconnect pacing: exponential backoff with jitter under a true maximum, and the defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { backoffDelay, resolveReconnect } from '../../src/client/backoff';

describe('client connection: backoff', () => {
  it('grows by factor from initialDelayMs up to maxDelayMs, with jitter within ±jitter', () => {
    const s = resolveReconnect({ initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(s, n)),
      [100, 200, 400, 800, 1000, 1000],
    );
    const j = resolveReconnect({ initialDelayMs: 100, jitter: 0.25 });
    assert.equal(
      backoffDelay(j, 1, () => 0),
      75,
    );
    assert.equal(
      backoffDelay(j, 1, () => 1),
      125,
    );
  });

  it('the maximum is a true maximum: jitter near it spreads the delays below it, never above', () => {
    const s = resolveReconnect({ initialDelayMs: 1000, maxDelayMs: 30000, jitter: 0.25 });
    const delays: number[] = [];
    for (let retry = 1; retry <= 12; retry++)
      for (const r of [0, 0.25, 0.5, 0.75, 0.999, 1]) delays.push(backoffDelay(s, retry, () => r));
    assert.ok(Math.max(...delays) <= 30000, `max ${Math.max(...delays)}`);
    assert.equal(
      backoffDelay(s, 12, () => 1),
      30000,
    );
    assert.equal(
      backoffDelay(s, 12, () => 0),
      22500,
    );
    for (let i = 0; i < 1000; i++) assert.ok(backoffDelay(s, 10) <= 30000);
  });

  it('defaults: enabled, 1000 ms, 30000 ms, factor 2, jitter 0.25, unlimited retries, slow retry after fatal errors', () => {
    assert.deepEqual(resolveReconnect(), {
      enabled: true,
      initialDelayMs: 1000,
      maxDelayMs: 30000,
      factor: 2,
      jitter: 0.25,
      maxRetries: Infinity,
      onFatal: 'slow',
      slowRetryMs: 60000,
    });
  });
});
