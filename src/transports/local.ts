// The in-process transport: two connected ends that pass messages by reference, without
// serializing. Delivery is asynchronous and ordered, so neither side re-enters the other.
import { withValues } from '../serializers/undecoded-payload';
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from './transport';

const resolved = Promise.resolve();

/**
 * The messages in flight between every pair of ends, in the order sent, delivered by one
 * microtask: those sent while it delivers are delivered by the same one (still after their
 * sender's send() returned, and in order). A call's CALL and INVOCATION, or YIELD and RESULT,
 * take one microtask rather than one each. Two parallel lists whose slots are cleared rather
 * than the lists shortened, so that they keep their storage.
 */
class Deliveries {
  private ends: (LocalEnd | undefined)[] = [];
  private messages: unknown[] = [];
  private length = 0;
  private scheduled = false;

  push(end: LocalEnd, message: unknown): void {
    this.ends[this.length] = end;
    this.messages[this.length++] = message;
    if (this.scheduled) return;
    this.scheduled = true;
    // A resolved promise's then() rather than queueMicrotask(), which makes an AsyncResource
    // and a bound function per microtask: the same microtask, a fraction of the garbage.
    void resolved.then(this.run);
  }

  private readonly run = (): void => {
    const ends = this.ends;
    const messages = this.messages;
    let i = 0;
    try {
      for (; i < this.length; i++) {
        const end = ends[i]!;
        const m = messages[i];
        ends[i] = undefined;
        messages[i] = undefined;
        end.deliver(m);
      }
      this.length = 0;
      this.scheduled = false;
    } catch (e) {
      // A receiver that threw: the others' messages still go, in the next microtask.
      this.resumeAfter(i + 1);
      throw e;
    }
  };

  private resumeAfter(next: number): void {
    const ends = this.ends;
    const messages = this.messages;
    let n = 0;
    for (let j = next; j < this.length; j++, n++) {
      ends[n] = ends[j];
      messages[n] = messages[j];
      ends[j] = undefined;
      messages[j] = undefined;
    }
    this.length = n;
    this.scheduled = n > 0;
    if (this.scheduled) void resolved.then(this.run);
  }
}

const deliveries = new Deliveries();

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
    // A payload the router received undecoded reaches an in-process client as its values.
    this.peer.enqueue(withValues(message));
  }

  private enqueue(message: unknown): void {
    deliveries.push(this, message);
  }

  close(_code?: number, reason = 'closed'): void {
    if (!this.open) return;
    this.shut({ reason, local: true });
    const peer = this.peer;
    // After messages already in flight, like a socket's FIN after its data.
    queueMicrotask(() => peer.shut({ reason, local: false }));
  }

  /** Hands `message` to this end's receiver (see Deliveries). */
  deliver(message: unknown): void {
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
