// Many timeouts, one timer per length. Every call has a timeout (wamp-call's default, and the
// dealer's own), and a Node.js Timeout per call (a dozen fields, a timer-list insert and an
// unenroll) was a visible cost at full call rates, in CPU and in garbage that lives as long as
// the call. Timeouts of one length expire in the order they started, so each length keeps a FIFO
// queue of small handles and one timer armed for its oldest live entry; a settled call cancels
// its handle, which is dropped when it reaches the head (or when the queue is compacted).

/** What a timeout calls when it expires, with the value it was started with (no closure per call). */
// biome-ignore lint/suspicious/noExplicitAny: each handle carries its own callback's argument type
type Expire = (arg: any) => void;

/** One started timeout; `cancel` it once the call settles. */
export class TimeoutHandle {
  constructor(
    /** performance.now() at which it expires. */
    readonly at: number,
    readonly lane: Lane,
    /** Null once canceled or expired. */
    public target: Expire | null,
    public arg: unknown,
  ) {}
}

/** setTimeout fires at once for more than 2^31-1 ms; longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Lanes kept before empty ones are dropped. */
const MAX_IDLE_LANES = 16;

class Lane {
  private items: TimeoutHandle[] = [];
  private head = 0;
  private live = 0;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(readonly ms: number) {}

  get empty(): boolean {
    return this.live === 0;
  }

  start(target: Expire, arg: unknown): TimeoutHandle {
    const h = new TimeoutHandle(performance.now() + this.ms, this, target, arg);
    this.items.push(h);
    this.live++;
    // A timer left from before fires no later than this one is due (it was armed for an older
    // entry): it re-arms then. Kept rather than cleared, so one call at a time costs no timer each.
    if (this.timer) {
      if (this.live === 1) this.timer.ref();
    } else this.arm(this.ms);
    return h;
  }

  cancel(h: TimeoutHandle): void {
    if (!h.target) return;
    h.target = null;
    h.arg = undefined;
    this.live--;
    if (this.live === 0) return this.reset();
    this.dropDead();
  }

  /** Drops canceled handles at the head, and compacts a queue that is mostly canceled ones. */
  private dropDead(): void {
    const items = this.items;
    // Each slot passed is cleared: a settled call's handle is garbage at once, not kept by the
    // queue until its next compaction (long enough to be promoted out of the young generation).
    while (this.head < items.length && !items[this.head].target) items[this.head++] = PASSED;
    const size = items.length - this.head;
    if (size > 64 && size > 4 * this.live) {
      this.items = items.slice(this.head).filter((h) => h.target !== null);
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
  }

  /** Nothing left to time: the timer stays armed but no longer keeps the process alive. */
  private reset(): void {
    this.items = [];
    this.head = 0;
    this.timer?.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(delay))));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    // Each expiry may start or cancel others (of this lane too): read the state afresh each time.
    while (this.head < this.items.length) {
      const h = this.items[this.head];
      const target = h.target;
      if (target && h.at > now) break;
      this.items[this.head++] = PASSED;
      if (!target) continue;
      const arg = h.arg;
      h.target = null;
      h.arg = undefined;
      this.live--;
      target(arg);
    }
    if (this.live === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.items = [];
      this.head = 0;
      return;
    }
    this.dropDead();
    // An expiry may have started one (arming for its full length): the oldest live one decides.
    if (this.timer) clearTimeout(this.timer);
    this.arm(this.items[this.head].at - now);
  };
}

/** What a queue slot holds once the head has passed it (one shared, settled handle). */
const PASSED = new TimeoutHandle(0, new Lane(0), null, undefined);

/** The timeouts of one owner (a caller, a dealer), grouped by length. */
export class TimeoutQueues {
  private readonly lanes = new Map<number, Lane>();

  /** Calls `onTimeout(arg)` in `ms` milliseconds unless canceled first. */
  start<T>(ms: number, onTimeout: (arg: T) => void, arg: T): TimeoutHandle {
    let lane = this.lanes.get(ms);
    if (!lane) {
      // Lengths may come from messages (msg.timeout): empty lanes do not pile up.
      if (this.lanes.size >= MAX_IDLE_LANES) this.sweep();
      lane = new Lane(ms);
      this.lanes.set(ms, lane);
    }
    return lane.start(onTimeout, arg);
  }

  cancel(h: TimeoutHandle | undefined | null): void {
    h?.lane.cancel(h);
  }

  /** Lengths with a queue kept (for tests). */
  get lengths(): number {
    return this.lanes.size;
  }

  private sweep(): void {
    for (const [ms, lane] of this.lanes) {
      if (!lane.empty) continue;
      lane.stop();
      this.lanes.delete(ms);
    }
  }
}
