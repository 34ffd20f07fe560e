// Slows down password guessing: after a few failed logins for the same authid from the same
// address, further attempts are refused (without checking the secret) for a window that doubles
// with each failure, up to a ceiling. Pure bookkeeping with an injected clock; the router asks
// `retryAfter` before verifying and reports each outcome. Records are keyed by the authid *and*
// the address together: failures from one address never lock the user out at another.
import { createHash } from 'node:crypto';

export interface LoginThrottleOptions {
  /** Failures allowed before any delay. Default 3. */
  freeFailures?: number;
  /** Lockout after the first counted failure, in ms; doubles with each further one. Default 1000. */
  baseDelayMs?: number;
  /** Ceiling of the lockout, in ms. Default 5 minutes. */
  maxDelayMs?: number;
  /** A record with no failure for this long is forgotten. Default 15 minutes. */
  forgetAfterMs?: number;
  /** At most this many records are kept; the least recently failed go first. Default 10000. */
  maxEntries?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  last: number;
  lockedUntil: number;
}

/**
 * Use in the handshake: before `verify`, if `retryAfter(who, address) > 0` answer with the usual
 * authentication failure without verifying (the refused attempt is not counted); after it,
 * `recordFailure` or `recordSuccess`. `who` is the HELLO authid, or the cryptosign pubkey when
 * there is none.
 */
export class LoginThrottle {
  private readonly records = new Map<string, Failures>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until a login for `who` from `address` may be verified again; 0 = now. */
  retryAfter(who: string, address: string): number {
    const rec = this.current(key(who, address));
    return rec ? Math.max(0, rec.lockedUntil - this.now()) : 0;
  }

  recordFailure(who: string, address: string): void {
    const k = key(who, address);
    const now = this.now();
    const rec = this.current(k) ?? { count: 0, last: now, lockedUntil: 0 };
    rec.count += 1;
    rec.last = now;
    const over = rec.count - this.freeFailures;
    if (over > 0) {
      // 2^(over-1), capped before it can overflow.
      const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(over - 1, 40));
      rec.lockedUntil = now + delay;
    }
    // Re-insert so the map's order is least recently failed first.
    this.records.delete(k);
    this.records.set(k, rec);
    this.evict();
  }

  /** A successful login clears the record. */
  recordSuccess(who: string, address: string): void {
    this.records.delete(key(who, address));
  }

  get size(): number {
    return this.records.size;
  }

  private current(k: string): Failures | undefined {
    const rec = this.records.get(k);
    if (rec && this.now() - rec.last >= this.forgetAfterMs && this.now() >= rec.lockedUntil) {
      this.records.delete(k);
      return undefined;
    }
    return rec;
  }

  private evict(): void {
    if (this.records.size <= this.maxEntries) return;
    const now = this.now();
    for (const [k, rec] of this.records) {
      if (now - rec.last >= this.forgetAfterMs && now >= rec.lockedUntil) this.records.delete(k);
    }
    for (const k of this.records.keys()) {
      if (this.records.size <= this.maxEntries) break;
      this.records.delete(k);
    }
  }
}

function key(who: string, address: string): string {
  // JSON keeps the pair unambiguous whatever characters an authid holds; the hash keeps every
  // record small whatever the client claimed (a failed login must not leave its authid behind).
  return createHash('sha256')
    .update(JSON.stringify([who, address]))
    .digest('base64');
}
