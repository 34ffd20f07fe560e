// The in-process transport: two connected ends that pass messages by reference, without
// serializing. Delivery is asynchronous and ordered, so neither side re-enters the other.
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from './transport';

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

  /** Messages sent to this end, delivered together by one microtask (not a closure each). */
  private inbox: unknown[] = [];
  private flushing = false;

  private enqueue(message: unknown): void {
    this.inbox.push(message);
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(this.flush);
  }

  private readonly flush = (): void => {
    this.flushing = false;
    const batch = this.inbox;
    this.inbox = [];
    for (let i = 0; i < batch.length; i++) this.deliver(batch[i]);
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

/** Two connected transports: give one to a `Router.accept`, the other to a client session. */
export function createLocalPair(): [Transport, Transport] {
  const a = new LocalEnd();
  const b = new LocalEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
