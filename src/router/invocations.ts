// The dealer's calls in flight: each INVOCATION sent and not yet answered, found by the callee's
// invocation ID (what YIELD and ERROR name) and by the caller's request ID (what CANCEL and the
// chunks of a progressive call invocation name), each with its call-timeout timer. The dealer
// decides what a call's end means; this file only keeps the books, so that no entry outlives
// its call and no timer outlives its entry.
import { type TimeoutHandle, TimeoutQueues } from '../timers/timeout-queues';
import type { RouterSession } from './session';

export interface Invocation {
  /** The INVOCATION request ID, in the callee's scope. */
  readonly id: number;
  readonly callee: RouterSession;
  readonly caller: RouterSession;
  /** The CALL request ID, in the caller's scope. */
  readonly request: number;
  readonly receiveProgress: boolean;
  timer: TimeoutHandle | null;
  /** Canceled in `kill` mode: INTERRUPT sent, waiting for the callee's answer. */
  interrupted: boolean;
  /** A progressive call invocation whose caller has more CALL chunks to send. */
  streaming: boolean;
  readonly registration: number;
}

/** Calls' timeouts: one timer per length (a Node.js Timeout per call was a visible cost). */
const timeouts = new TimeoutQueues();

export class Invocations {
  private readonly byCallee = new Map<RouterSession, Map<number, Invocation>>();
  private readonly byCaller = new Map<RouterSession, Map<number, Invocation>>();
  /** The highest CALL request ID of each caller: lower ones continue a call or are late. */
  private readonly watermark = new Map<RouterSession, number>();

  /** `timedOut` runs when a call's time is up; the entry is still held then. */
  constructor(private readonly timedOut: (inv: Invocation) => void) {}

  /** Holds `inv` until finish(); `limitMs` (Infinity: none) starts its timer. */
  add(inv: Invocation, limitMs: number): void {
    // A huge timeout (valid: any integer) is waited in steps by the queue (setTimeout itself
    // would fire at once for more than 2^31-1 ms).
    if (limitMs !== Infinity) inv.timer = timeouts.start(limitMs, this.expire, inv);
    sessionMap(this.byCallee, inv.callee).set(inv.id, inv);
    sessionMap(this.byCaller, inv.caller).set(inv.request, inv);
  }

  private readonly expire = (inv: Invocation): void => {
    inv.timer = null;
    this.timedOut(inv);
  };

  /** Whether `inv` is still the call in flight under its caller's request ID. */
  holds(inv: Invocation): boolean {
    return this.byCaller.get(inv.caller)?.get(inv.request) === inv;
  }

  ofCaller(caller: RouterSession, request: number): Invocation | undefined {
    return this.byCaller.get(caller)?.get(request);
  }

  ofCallee(callee: RouterSession, id: number): Invocation | undefined {
    return this.byCallee.get(callee)?.get(id);
  }

  /**
   * For a caller that announced progressive call invocations: whether a CALL request ID that
   * matches no call in flight is at or below the highest seen, i.e. continues a call that has
   * ended (the spec drops it). A new highest ID is remembered.
   */
  isLateChunk(caller: RouterSession, request: number): boolean {
    if (request <= (this.watermark.get(caller) ?? 0)) return true;
    this.watermark.set(caller, request);
    return false;
  }

  /** Stops the timer and drops the entry: the call has ended. */
  finish(inv: Invocation): void {
    timeouts.cancel(inv.timer);
    inv.timer = null;
    this.byCallee.get(inv.callee)?.delete(inv.id);
    this.byCaller.get(inv.caller)?.delete(inv.request);
  }

  /** The calls in flight that `session` is the callee of. */
  toCallee(session: RouterSession): Invocation[] {
    return [...(this.byCallee.get(session)?.values() ?? [])];
  }

  /** The calls in flight that `session` made. */
  fromCaller(session: RouterSession): Invocation[] {
    return [...(this.byCaller.get(session)?.values() ?? [])];
  }

  /** Forgets a session that left (after its calls were finished). */
  forget(session: RouterSession): void {
    this.byCallee.delete(session);
    this.byCaller.delete(session);
    this.watermark.delete(session);
  }
}

function sessionMap(
  map: Map<RouterSession, Map<number, Invocation>>,
  session: RouterSession,
): Map<number, Invocation> {
  let m = map.get(session);
  if (!m) map.set(session, (m = new Map()));
  return m;
}
