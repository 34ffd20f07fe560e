// Message rates of a router's realms over the last minute: one sample a second of the client
// messages (in + out) each realm has seen since the previous sample. The caller owns the timer,
// so that tests can sample at will.
import type { Router } from './library';

export const RATE_SAMPLES = 60;

export class RateSampler {
  private readonly totals = new Map<string, number>();
  private readonly series = new Map<string, number[]>();

  constructor(
    private readonly router: Router,
    private readonly size = RATE_SAMPLES,
  ) {
    // The baseline: what happened before sampling began is not a rate.
    for (const name of router.realmNames()) {
      this.totals.set(name, this.total(name));
      this.series.set(name, new Array<number>(size).fill(0));
    }
  }

  /** Takes one sample per realm; realms that no longer exist are forgotten. */
  sample(): void {
    const names = this.router.realmNames();
    for (const known of [...this.series.keys()]) {
      if (!names.includes(known)) {
        this.series.delete(known);
        this.totals.delete(known);
      }
    }
    for (const name of names) {
      const total = this.total(name);
      // A realm created since the last sample (on demand) counts from zero.
      const previous = this.totals.get(name) ?? 0;
      this.totals.set(name, total);
      let s = this.series.get(name);
      if (!s) this.series.set(name, (s = new Array<number>(this.size).fill(0)));
      s.push(Math.max(0, total - previous));
      if (s.length > this.size) s.splice(0, s.length - this.size);
    }
  }

  /** The last `size` samples of `realm`, oldest first; none for a realm not seen yet. */
  rates(realm: string): number[] {
    return [...(this.series.get(realm) ?? [])];
  }

  private total(realm: string): number {
    const t = this.router.traffic(realm);
    return t ? t.messagesIn + t.messagesOut : 0;
  }
}
