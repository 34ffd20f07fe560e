// Reconnect pacing: exponential backoff with jitter, so that many clients losing one router
// do not all come back in the same instant.

export interface ReconnectOptions {
  enabled?: boolean;
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Fraction of the delay added or taken away at random (0.25 = ±25 %). */
  jitter?: number;
  maxRetries?: number;
  /** After a fatal ABORT (bad realm, bad credentials): keep trying slowly, or stop. */
  onFatal?: 'stop' | 'slow';
  slowRetryMs?: number;
}

export type ReconnectSettings = Required<ReconnectOptions>;

export function resolveReconnect(o: ReconnectOptions = {}): ReconnectSettings {
  return {
    enabled: o.enabled ?? true,
    initialDelayMs: o.initialDelayMs ?? 1000,
    maxDelayMs: o.maxDelayMs ?? 30000,
    factor: o.factor ?? 2,
    jitter: o.jitter ?? 0.25,
    maxRetries: o.maxRetries ?? Infinity,
    onFatal: o.onFatal ?? 'slow',
    slowRetryMs: o.slowRetryMs ?? 60000,
  };
}

/**
 * The delay before retry number `retry` (1-based): the exponential step with up to ±jitter of it,
 * never more than `maxDelayMs`. Near the maximum the spread is taken from below only, so that
 * clients stay spread out and the maximum stays a true maximum.
 */
export function backoffDelay(
  s: ReconnectSettings,
  retry: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(s.maxDelayMs, s.initialDelayMs * s.factor ** Math.max(0, retry - 1));
  const low = base * (1 - s.jitter);
  const high = Math.min(s.maxDelayMs, base * (1 + s.jitter));
  return Math.max(0, Math.round(low + (high - low) * random()));
}
