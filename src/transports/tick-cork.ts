// Holds a socket's writes until the end of the current tick. One incoming TCP chunk often
// carries many WAMP messages (pipelined calls, a publish fanned out to one subscriber many
// times); their answers then leave in one system call instead of one each. Profiling showed
// per-message writev calls as the router's largest cost.
import type net from 'node:net';

export class TickCork {
  private held = false;

  constructor(private readonly socket: net.Socket | undefined) {}

  /** Call before writing: the writes of this tick are flushed together on the next one. */
  hold(): void {
    if (this.held || !this.socket) return;
    this.held = true;
    this.socket.cork();
    process.nextTick(this.release);
  }

  private readonly release = (): void => {
    this.held = false;
    this.socket?.uncork();
  };
}
