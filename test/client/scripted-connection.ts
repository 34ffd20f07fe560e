// Connections over scripted raw peers, for the Connection tests: each transport the connection
// opens is a fresh scripted peer (PeerQueue), the peer's WELCOME, and waiting for a status.
// scriptedPerTest() closes what a test opened.
import { afterEach } from 'mocha';
import { Connection, type ConnectionOptions, type ConnectionStatus } from '../../src/client/connection';
import { ROUTER_ROLES, rawPair, type RawPeer } from './raw-peer';

/** Each transport the connection opens shows up here as a fresh scripted peer. */
export class PeerQueue {
  private ready: RawPeer[] = [];
  private waiters: Array<(p: RawPeer) => void> = [];
  readonly all: RawPeer[] = [];

  factory = () => {
    const { peer, clientEnd } = rawPair();
    this.all.push(peer);
    const w = this.waiters.shift();
    if (w) w(peer);
    else this.ready.push(peer);
    return clientEnd;
  };

  next(): Promise<RawPeer> {
    const p = this.ready.shift();
    return p ? Promise.resolve(p) : new Promise((r) => this.waiters.push(r));
  }
}

/** Answers the HELLO `peer` receives with WELCOME; the HELLO. */
export async function welcome(peer: RawPeer, sessionId = 1): Promise<unknown[]> {
  const hello = await peer.expect(1);
  peer.send([2, sessionId, { roles: ROUTER_ROLES, authrole: 'anonymous' }]);
  return hello;
}

export function statusWhere(
  c: Connection,
  pred: (s: ConnectionStatus) => boolean,
): Promise<ConnectionStatus> {
  if (pred(c.status)) return Promise.resolve(c.status);
  return new Promise((resolve) => {
    const on = (s: ConnectionStatus) => {
      if (!pred(s)) return;
      c.off('status', on);
      resolve(s);
    };
    c.on('status', on);
  });
}

const open: Connection[] = [];
const allPeers: PeerQueue[] = [];

/** A connection over `peers`, quick to retry (5 ms, at most 20 ms, no jitter), not yet opened. */
export function connection(peers: PeerQueue, extra: Partial<ConnectionOptions> = {}): Connection {
  const { reconnect, ...rest } = extra;
  const c = new Connection({
    realm: 'realm1',
    transportFactory: peers.factory,
    ...rest,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0, ...reconnect },
  });
  open.push(c);
  allPeers.push(peers);
  return c;
}

/** A connection the test made itself, closed after it. */
export function track(c: Connection): Connection {
  open.push(c);
  return c;
}

/** A connection (not yet opened) whose every transport fails to open; `attempts()` counts them. */
export function refusedConnection(extra: Partial<ConnectionOptions>): {
  c: Connection;
  attempts: () => number;
} {
  let opened = 0;
  const c = new Connection({
    realm: 'realm1',
    transportFactory: () => {
      opened++;
      throw new Error('refused');
    },
    ...extra,
  });
  return { c: track(c), attempts: () => opened };
}

/** A connection opened and connected to its first scripted peer `p`. */
export async function connected(
  extra: Partial<ConnectionOptions> = {},
): Promise<{ peers: PeerQueue; c: Connection; p: RawPeer }> {
  const peers = new PeerQueue();
  const c = connection(peers, extra);
  c.open();
  const p = await peers.next();
  await welcome(p);
  await statusWhere(c, (x) => x.state === 'connected');
  return { peers, c, p };
}

/** Closes the connections and scripted peers of each test of the calling describe. */
export function scriptedPerTest(): void {
  afterEach(async () => {
    const closing = open.splice(0).map((c) => c.close());
    // The scripted peers do not answer GOODBYE: closing their ends finishes the sessions at once.
    for (const q of allPeers.splice(0)) for (const p of q.all) p.transport.close();
    await Promise.all(closing);
  });
}
