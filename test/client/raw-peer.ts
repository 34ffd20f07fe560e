// A scripted raw WAMP router end for client tests: it sees exactly what the client sends and
// answers whatever the test tells it to, over the in-process transport.
import { createLocalPair } from '../../src/transports/local';
import type { CloseInfo, Transport } from '../../src/transports/transport';
import { Session, type SessionOptions } from '../../src/client/session';

export const ROUTER_ROLES = {
  broker: { features: { publisher_exclusion: true, pattern_based_subscription: true } },
  dealer: { features: { call_canceling: true, progressive_call_results: true, call_timeout: true } },
};

export class RawPeer {
  private readonly inbox: unknown[][] = [];
  private waiters: Array<(m: unknown[]) => void> = [];
  closed: CloseInfo | null = null;
  private closeWaiters: Array<(c: CloseInfo) => void> = [];

  constructor(readonly transport: Transport) {
    transport.attach({
      onMessage: (v) => {
        const m = v as unknown[];
        const w = this.waiters.shift();
        if (w) w(m);
        else this.inbox.push(m);
      },
      onDecodeError: () => undefined,
      onClose: (info) => {
        this.closed = info;
        for (const w of this.closeWaiters) w(info);
        this.closeWaiters = [];
      },
    });
  }

  /** The next message the client sends. */
  next(): Promise<unknown[]> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The next message, which must be of `type`. */
  async expect(type: number): Promise<unknown[]> {
    const m = await this.next();
    if (m[0] !== type) throw new Error(`expected message type ${type}, got ${JSON.stringify(m)}`);
    return m;
  }

  send(m: unknown[]): void {
    this.transport.send(m);
  }

  whenClosed(): Promise<CloseInfo> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  get pending(): number {
    return this.inbox.length;
  }
}

export function rawPair(): { peer: RawPeer; clientEnd: Transport } {
  const [clientEnd, routerEnd] = createLocalPair();
  return { peer: new RawPeer(routerEnd), clientEnd };
}

/** A session joined to a scripted peer that announced `roles` in WELCOME. */
export async function joined(
  options: Partial<SessionOptions> = {},
  roles: Record<string, unknown> = ROUTER_ROLES,
): Promise<{ session: Session; peer: RawPeer; hello: unknown[] }> {
  const { peer, clientEnd } = rawPair();
  const session = new Session(clientEnd, { realm: 'realm1', ...options });
  const joining = session.join();
  const hello = await peer.expect(1);
  peer.send([2, 12345, { roles, authid: 'anon', authrole: 'anonymous', authmethod: 'anonymous' }]);
  await joining;
  return { session, peer, hello };
}

/** Settles to 'resolved:<value>' or the rejection's WAMP URI, so tests can assert on either. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    return `resolved:${JSON.stringify(await p)}`;
  } catch (e) {
    return (e as { uri?: string }).uri ?? String(e);
  }
}
