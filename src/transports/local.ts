// The in-process transport: two connected ends that pass messages by reference, without
// serializing. Delivery is asynchronous and ordered, so neither side re-enters the other.
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from './transport';

const resolved = Promise.resolve();

class LocalEnd implements Transport {
  readonly info: TransportInfo = { type: 'local', serializer: 'none', secure: true };
  peer!: LocalEnd;
  private handlers: TransportHandlers | null = null;
  private held: unknown[] = [];
  private open = true;
  private closeInfo: CloseInfo | null = null;

  get isOpen(): boolean {
    return this.open;
  }

  get bufferedAmount(): number {
    return 0;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const held = this.held;
    this.held = [];
    for (const m of held) handlers.onMessage(m);
    if (this.closeInfo) handlers.onClose(this.closeInfo);
  }

  send(message: readonly unknown[]): void {
    if (!this.open) return;
    this.peer.enqueue(message);
  }

  /**
   * Messages sent to this end, delivered together by one microtask (not a closure each). Two
   * lists taken in turn: the one being delivered, and the one filling for the next microtask;
   * slots are cleared rather than the lists shortened, so that they keep their storage.
   */
  private inbox: unknown[] = [];
  private inboxLength = 0;
  private spare: unknown[] = [];
  private flushing = false;

  private enqueue(message: unknown): void {
    this.inbox[this.inboxLength++] = message;
    if (this.flushing) return;
    this.flushing = true;
    // A resolved promise's then() rather than queueMicrotask(), which makes an AsyncResource
    // and a bound function per microtask: the same microtask, a fraction of the garbage.
    void resolved.then(this.flush);
  }

  private readonly flush = (): void => {
    this.flushing = false;
    const batch = this.inbox;
    const n = this.inboxLength;
    this.inbox = this.spare;
    this.inboxLength = 0;
    let i = 0;
    try {
      for (; i < n; i++) {
        const m = batch[i];
        batch[i] = undefined;
        this.deliver(m);
      }
    } finally {
      // A handler that threw: what was left of the batch is dropped, as before.
      for (; i < n; i++) batch[i] = undefined;
      this.spare = batch;
    }
  };

  close(_code?: number, reason = 'closed'): void {
    if (!this.open) return;
    this.shut({ reason, local: true });
    const peer = this.peer;
    // After messages already in flight, like a socket's FIN after its data.
    queueMicrotask(() => peer.shut({ reason, local: false }));
  }

  private deliver(message: unknown): void {
    if (this.closeInfo) return;
    if (this.handlers) this.handlers.onMessage(message);
    else this.held.push(message);
  }

  private shut(info: CloseInfo): void {
    this.open = false;
    if (this.closeInfo) return;
    this.closeInfo = info;
    if (this.handlers) queueMicrotask(() => this.handlers?.onClose(info));
  }
}

/**
 * The client ends of `Router.connectLocal`: what arrives there was built by this library's own
 * router from messages it validated, so the client session need not validate it again.
 */
const routerEnds = new WeakSet<Transport>();

/** Marks `t` as the client end of a local pair whose other end a Router holds (Router.connectLocal). */
export function markRouterEnd(t: Transport): void {
  routerEnds.add(t);
}

/** Whether every message `t` delivers comes from this library's router (see `markRouterEnd`). */
export function fromOwnRouter(t: Transport): boolean {
  return routerEnds.has(t);
}

/** Two connected transports: give one to a `Router.accept`, the other to a client session. */
export function createLocalPair(): [Transport, Transport] {
  const a = new LocalEnd();
  const b = new LocalEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
