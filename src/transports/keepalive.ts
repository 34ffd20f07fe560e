// Liveness of a quiet link: ping every `intervalMs`; a peer that sends nothing at all (no pong,
// no message) within `timeoutMs` of a ping is declared dead. NATs and mobile links drop a
// connection without a FIN or RST, and only the lack of traffic tells.

export interface KeepaliveOptions {
  /** Time between pings in ms; 0 or absent: no keepalive. */
  keepaliveMs?: number;
  /** How long the peer has to answer a ping, in ms; default: the interval. */
  keepaliveTimeoutMs?: number;
}

export class Keepalive {
  private timer: NodeJS.Timeout | null = null;
  private awaiting = false;

  private constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {
    this.schedule(intervalMs, () => this.sendPing());
  }

  /** A running keepalive, or null when `options` asks for none. */
  static start(options: KeepaliveOptions, ping: () => void, dead: () => void): Keepalive | null {
    const interval = options.keepaliveMs ?? 0;
    if (!(interval > 0)) return null;
    const timeout =
      options.keepaliveTimeoutMs && options.keepaliveTimeoutMs > 0 ? options.keepaliveTimeoutMs : interval;
    return new Keepalive(interval, timeout, ping, dead);
  }

  /** Any traffic from the peer proves it alive. */
  alive(): void {
    this.awaiting = false;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number, then: () => void): void {
    this.timer = setTimeout(then, ms);
    this.timer.unref();
  }

  private sendPing(): void {
    this.awaiting = true;
    this.ping();
    this.schedule(this.timeoutMs, () => this.check());
  }

  private check(): void {
    if (this.awaiting) {
      this.timer = null;
      this.dead();
      return;
    }
    // The next ping goes one interval after the last (at once if the timeout is the longer).
    this.schedule(Math.max(0, this.intervalMs - this.timeoutMs), () => this.sendPing());
  }
}
