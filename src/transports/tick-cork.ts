// Holds a socket's writes until the end of the current tick, or of the current round of the event
// loop. One incoming TCP chunk often carries many WAMP messages (pipelined calls, a publish fanned
// out to one subscriber many times); their answers then leave in one system call instead of one
// each. Profiling showed per-message writev calls as the router's largest cost.
import type net from 'node:net';

/**
 * When held writes leave:
 * - `tick`: at the end of the current tick (process.nextTick);
 * - `immediate`: once the event loop's current round of callbacks is done (setImmediate). Node-RED
 *   delivers every message in a setImmediate callback of its own, and process.nextTick runs after
 *   each of them: with `tick`, a flow sending 100 messages wrote 100 times. `immediate` writes
 *   them once, in the loop's check phase (right after the poll phase that read the input, or
 *   after the current batch of immediates).
 */
export type CorkRelease = 'tick' | 'immediate';

export class TickCork {
  private held = false;

  constructor(
    private readonly socket: net.Socket | undefined,
    private readonly until: CorkRelease = 'tick',
  ) {}

  /** Call before writing: the writes held are flushed together when `until` says. */
  hold(): void {
    if (this.held || !this.socket) return;
    this.held = true;
    this.socket.cork();
    if (this.until === 'tick') process.nextTick(this.release);
    else setImmediate(this.release);
  }

  private readonly release = (): void => {
    this.held = false;
    this.socket?.uncork();
  };
}
