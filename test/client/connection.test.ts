// Connection over scripted raw peers: reconnect pacing, persistence of registrations and
// subscriptions, fatal ABORTs, the publish queue, and that every promise settles.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import { Connection, type ConnectionOptions, type ConnectionStatus } from '../../src/client/connection';
import { backoffDelay, resolveReconnect } from '../../src/client/backoff';
import { publishSize } from '../../src/client/publish-queue';
import { ROUTER_ROLES, outcome, rawPair, type RawPeer } from './raw-peer';

/** Each transport the connection opens shows up here as a fresh scripted peer. */
class PeerQueue {
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

async function welcome(peer: RawPeer, sessionId = 1): Promise<unknown[]> {
  const hello = await peer.expect(1);
  peer.send([2, sessionId, { roles: ROUTER_ROLES, authrole: 'anonymous' }]);
  return hello;
}

function statusWhere(c: Connection, pred: (s: ConnectionStatus) => boolean): Promise<ConnectionStatus> {
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
function connection(peers: PeerQueue, extra: Partial<ConnectionOptions> = {}): Connection {
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
const allPeers: PeerQueue[] = [];

afterEach(async () => {
  const closing = open.splice(0).map((c) => c.close());
  // The scripted peers do not answer GOODBYE: closing their ends finishes the sessions at once.
  for (const q of allPeers.splice(0)) for (const p of q.all) p.transport.close();
  await Promise.all(closing);
});

describe('client connection: backoff', () => {
  it('grows by factor from initialDelayMs up to maxDelayMs, with jitter within ±jitter', () => {
    const s = resolveReconnect({ initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(s, n)),
      [100, 200, 400, 800, 1000, 1000],
    );
    const j = resolveReconnect({ initialDelayMs: 100, jitter: 0.25 });
    assert.equal(
      backoffDelay(j, 1, () => 0),
      75,
    );
    assert.equal(
      backoffDelay(j, 1, () => 1),
      125,
    );
  });

  it('the maximum is a true maximum: jitter near it spreads the delays below it, never above', () => {
    const s = resolveReconnect({ initialDelayMs: 1000, maxDelayMs: 30000, jitter: 0.25 });
    const delays: number[] = [];
    for (let retry = 1; retry <= 12; retry++)
      for (const r of [0, 0.25, 0.5, 0.75, 0.999, 1]) delays.push(backoffDelay(s, retry, () => r));
    assert.ok(Math.max(...delays) <= 30000, `max ${Math.max(...delays)}`);
    assert.equal(
      backoffDelay(s, 12, () => 1),
      30000,
    );
    assert.equal(
      backoffDelay(s, 12, () => 0),
      22500,
    );
    for (let i = 0; i < 1000; i++) assert.ok(backoffDelay(s, 10) <= 30000);
  });

  it('defaults: enabled, 1000 ms, 30000 ms, factor 2, jitter 0.25, unlimited retries, slow retry after fatal errors', () => {
    assert.deepEqual(resolveReconnect(), {
      enabled: true,
      initialDelayMs: 1000,
      maxDelayMs: 30000,
      factor: 2,
      jitter: 0.25,
      maxRetries: Infinity,
      onFatal: 'slow',
      slowRetryMs: 60000,
    });
  });
});

describe('client connection: status and requests while disconnected', () => {
  it('reports connecting then connected with realm, session id and details', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    const seen: string[] = [];
    c.on('status', (s: ConnectionStatus) => seen.push(s.state));
    c.open();
    await welcome(await peers.next(), 77);
    const s = await statusWhere(c, (x) => x.state === 'connected');
    assert.deepEqual(seen, ['connecting', 'connected']);
    assert.equal(s.state === 'connected' && s.sessionId, 77);
    assert.equal(s.state === 'connected' && s.realm, 'realm1');
    assert.equal(c.session?.id, 77);
  });

  it('calls and publishes while disconnected reject at once with wamp.error.connection_lost', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    assert.equal(await outcome(c.call('com.x')), 'wamp.error.connection_lost');
    assert.equal(await outcome(c.publish('com.x')), 'wamp.error.connection_lost');
  });

  it('a call in flight when the link drops rejects with wamp.error.connection_lost; status says disconnected with retryInMs', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    c.open();
    const p1 = await peers.next();
    await welcome(p1);
    await statusWhere(c, (x) => x.state === 'connected');
    const call = c.call('com.slow');
    await p1.expect(48);
    const disc = statusWhere(c, (x) => x.state === 'disconnected');
    p1.transport.close(1006, 'link down');
    assert.equal(await outcome(call), 'wamp.error.connection_lost');
    const d = await disc;
    assert.equal(d.state === 'disconnected' && d.retryInMs, 5);
    await welcome(await peers.next());
    await statusWhere(c, (x) => x.state === 'connected');
  });

  it('close() says GOODBYE, settles the pending call and reports closed; no retry follows', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    c.open();
    const p = await peers.next();
    await welcome(p);
    await statusWhere(c, (x) => x.state === 'connected');
    const call = c.call('com.slow');
    await p.expect(48);
    const closing = c.close();
    assert.deepEqual(await p.next(), [6, {}, 'wamp.close.normal']);
    p.send([6, {}, 'wamp.close.goodbye_and_out']);
    await closing;
    assert.equal(await outcome(call), 'wamp.error.connection_lost');
    assert.deepEqual(c.status, { state: 'closed' });
    assert.equal(peers.all.length, 1);
  });
});

describe('client connection: close() while the transport is still opening', () => {
  it('closes the late transport and reports closed; nothing joins', async () => {
    const { peer, clientEnd } = rawPair();
    let deliver: (t: typeof clientEnd) => void = () => undefined;
    const c = new Connection({ realm: 'realm1', transportFactory: () => new Promise((r) => (deliver = r)) });
    c.open();
    await statusWhere(c, (s) => s.state === 'connecting');
    await c.close();
    deliver(clientEnd);
    await peer.whenClosed();
    assert.equal(peer.pending, 0, 'no HELLO was sent');
    assert.deepEqual(c.status, { state: 'closed' });
  });
});

describe('client connection: persistent registrations and subscriptions', () => {
  it('after a reconnect it re-registers and re-subscribes by itself; the handles stay valid with new ids', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    c.open();
    const p1 = await peers.next();
    await welcome(p1);
    await statusWhere(c, (x) => x.state === 'connected');
    const regP = c.register('com.proc', (inv) => `hi ${String(inv.args[0])}`);
    const r1 = await p1.expect(64);
    p1.send([65, r1[1], 100]);
    const reg = await regP;
    const events: unknown[] = [];
    const subP = c.subscribe('com.topic', (e) => events.push(e.args[0]));
    const s1 = await p1.expect(32);
    p1.send([33, s1[1], 200]);
    const sub = await subP;
    assert.equal(reg.id, 100);
    assert.equal(sub.id, 200);

    p1.transport.close(1006, 'router restart');
    const p2 = await peers.next();
    await welcome(p2, 2);
    const r2 = await p2.expect(64);
    assert.deepEqual(r2.slice(2), [{}, 'com.proc']);
    const s2 = await p2.expect(32);
    assert.deepEqual(s2.slice(2), [{}, 'com.topic']);
    assert.equal(reg.id, undefined, 'no id until the new session confirms it');
    p2.send([65, r2[1], 101]);
    p2.send([33, s2[1], 201]);
    await statusWhere(c, (x) => x.state === 'connected' && x.sessionId === 2);
    assert.equal(reg.id, 101);
    assert.equal(sub.id, 201);

    p2.send([68, 9, 101, {}, ['joe']]);
    assert.deepEqual(await p2.next(), [70, 9, {}, ['hi joe']]);
    p2.send([36, 201, 5, {}, ['ev']]);
    await c.publish('flush');
    await p2.expect(16);
    assert.deepEqual(events, ['ev']);
  });

  it('register() and subscribe() while disconnected are kept and made on the next session', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    const reg = await c.register('com.early', () => 1);
    assert.equal(reg.id, undefined);
    c.open();
    const p = await peers.next();
    await welcome(p);
    const r = await p.expect(64);
    assert.equal(r[3], 'com.early');
    p.send([65, r[1], 5]);
    await statusWhere(c, (x) => x.state === 'connected');
    assert.equal(reg.id, 5);
  });

  it('a registration the router refuses is rejected and not kept', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    c.open();
    const p = await peers.next();
    await welcome(p);
    await statusWhere(c, (x) => x.state === 'connected');
    const regP = c.register('com.taken', () => 1);
    const r = await p.expect(64);
    p.send([8, 64, r[1], {}, 'wamp.error.procedure_already_exists']);
    assert.equal(await outcome(regP), 'wamp.error.procedure_already_exists');
    p.transport.close();
    const p2 = await peers.next();
    await welcome(p2);
    await statusWhere(c, (x) => x.state === 'connected');
    assert.equal(p2.pending, 0, 'nothing re-registered');
  });

  it('with a watch: each session tells its answer (refused, refused after reconnecting, accepted), and a refusal keeps it wanted', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    const told: string[] = [];
    const watch = {
      accepted: (reconnect: boolean) => told.push(`accepted ${reconnect}`),
      refused: (e: { uri: string }, reconnect: boolean) => told.push(`refused ${e.uri} ${reconnect}`),
    };
    const reg = await c.register('com.w', () => 1, {}, watch);
    c.open();
    const p1 = await peers.next();
    await welcome(p1);
    const r1 = await p1.expect(64);
    p1.send([8, 64, r1[1], {}, 'wamp.error.procedure_already_exists']);
    await statusWhere(c, (x) => x.state === 'connected');
    assert.deepEqual(told, ['refused wamp.error.procedure_already_exists false']);
    // Refused on an open session: told, not thrown, and kept for the next session.
    const subP = c.subscribe('com.w.t', () => undefined, {}, watch);
    const s1 = await p1.expect(32);
    p1.send([8, 32, s1[1], {}, 'wamp.error.not_authorized']);
    const sub = await subP;
    assert.equal(sub.id, undefined);
    p1.transport.close();
    const p2 = await peers.next();
    await welcome(p2, 2);
    const r2 = await p2.expect(64);
    const s2 = await p2.expect(32);
    p2.send([8, 64, r2[1], {}, 'wamp.error.procedure_already_exists']);
    p2.send([33, s2[1], 7]);
    await statusWhere(c, (x) => x.state === 'connected' && x.sessionId === 2);
    assert.deepEqual(told.slice(1), [
      'refused wamp.error.not_authorized false',
      'refused wamp.error.procedure_already_exists true',
      'accepted true',
    ]);
    assert.equal(sub.id, 7);
    assert.equal(reg.id, undefined);
  });

  it('unsubscribe while disconnected drops it from what the next session restores', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    const sub = await c.subscribe('com.t', () => undefined);
    await sub.unsubscribe();
    c.open();
    const p = await peers.next();
    await welcome(p);
    await statusWhere(c, (x) => x.state === 'connected');
    assert.equal(p.pending, 0);
  });
});

describe('client connection: router GOODBYE and fatal ABORTs', () => {
  it('router GOODBYE is answered and the connection comes back', async () => {
    const peers = new PeerQueue();
    const c = connection(peers);
    c.open();
    const p1 = await peers.next();
    await welcome(p1);
    await statusWhere(c, (x) => x.state === 'connected');
    p1.send([6, {}, 'wamp.close.system_shutdown']);
    assert.deepEqual(await p1.next(), [6, {}, 'wamp.close.goodbye_and_out']);
    const d = await statusWhere(c, (x) => x.state === 'disconnected');
    assert.equal(d.state === 'disconnected' && d.reason, 'wamp.close.system_shutdown');
    await welcome(await peers.next(), 3);
    await statusWhere(c, (x) => x.state === 'connected' && x.sessionId === 3);
  });

  for (const reason of [
    'wamp.error.no_such_realm',
    'wamp.error.authentication_failed',
    'wamp.error.not_authorized',
    'wamp.error.no_auth_method',
    // Crossbar.io's refusal of an unknown authid: no normal-pace retry cures it either.
    'wamp.error.no_such_principal',
  ]) {
    it(`ABORT ${reason} => status failed with the error; onFatal 'stop' stops retrying`, async () => {
      const peers = new PeerQueue();
      const c = connection(peers, { reconnect: { onFatal: 'stop' } });
      c.open();
      const p = await peers.next();
      await p.expect(1);
      p.send([3, { message: 'no' }, reason]);
      const f = await statusWhere(c, (x) => x.state === 'failed');
      assert.equal(f.state === 'failed' && f.error?.uri, reason);
      await p.whenClosed();
      assert.equal(peers.all.length, 1);
    });
  }

  it("onFatal 'slow' retries after slowRetryMs", async () => {
    const peers = new PeerQueue();
    const c = connection(peers, { reconnect: { onFatal: 'slow', slowRetryMs: 30 } });
    c.open();
    const p = await peers.next();
    await p.expect(1);
    p.send([3, {}, 'wamp.error.no_such_realm']);
    await statusWhere(c, (x) => x.state === 'failed');
    await welcome(await peers.next());
    await statusWhere(c, (x) => x.state === 'connected');
  });

  it('maxRetries: after that many failed retries the status is failed and retrying stops', async () => {
    let opened = 0;
    const c = new Connection({
      realm: 'realm1',
      transportFactory: () => {
        opened++;
        throw new Error('refused');
      },
      reconnect: { initialDelayMs: 1, maxRetries: 2, jitter: 0 },
    });
    open.push(c);
    c.open();
    const f = await statusWhere(c, (x) => x.state === 'failed');
    assert.match(f.state === 'failed' ? f.reason : '', /gave up after 2 retries: refused/);
    assert.equal(f.state === 'failed' && f.gaveUp, true, 'says so as a value, not only in its text');
    assert.equal(f.state === 'failed' && f.error?.uri, 'wamp.error.connection_lost');
    assert.equal(opened, 3);
  });

  it('reconnect disabled: a lost link leaves the status disconnected without retryInMs', async () => {
    const peers = new PeerQueue();
    const c = connection(peers, { reconnect: { enabled: false } });
    c.open();
    const p = await peers.next();
    await welcome(p);
    await statusWhere(c, (x) => x.state === 'connected');
    p.transport.close();
    const d = await statusWhere(c, (x) => x.state === 'disconnected');
    assert.equal(d.state === 'disconnected' && d.retryInMs, undefined);
  });
});

describe('client connection: publish queue', () => {
  it('holds up to N publishes while disconnected, drops the oldest, and sends the rest in order on connect', async () => {
    const peers = new PeerQueue();
    const c = connection(peers, { publishQueue: 2 });
    c.open();
    const a = c.publish('com.t', ['a']);
    const b = c.publish('com.t', ['b']);
    const d = c.publish('com.t', ['d'], {}, { acknowledge: true });
    assert.equal(await outcome(a), 'wamp.error.connection_lost');
    assert.equal(c.droppedPublishes, 1);
    const p = await peers.next();
    await welcome(p);
    const m1 = await p.expect(16);
    const m2 = await p.expect(16);
    assert.deepEqual([m1[4], m2[4]], [['b'], ['d']]);
    p.send([17, m2[1], 9]);
    assert.deepEqual(await b, {});
    assert.deepEqual(await d, { publicationId: 9 });
  });

  it('publishQueueBytes: the oldest are dropped to stay within the bytes (event publishDropped); one larger than the bound alone is refused', async () => {
    const peers = new PeerQueue();
    const c = connection(peers, { publishQueue: 100, publishQueueBytes: 100 });
    const dropped: unknown[] = [];
    c.on('publishDropped', (d: unknown) => dropped.push(d));
    c.open();
    const big = 'x'.repeat(40);
    const first = c.publish('com.t', [big]);
    const second = c.publish('com.t', [big]);
    assert.equal(await outcome(first), 'wamp.error.connection_lost');
    assert.deepEqual(dropped, [{ topic: 'com.t', reason: 'bytes', queued: 1 }]);
    const huge = c.publish('com.t', ['y'.repeat(200)]);
    assert.equal(await outcome(huge), 'wamp.error.connection_lost');
    assert.equal(c.queuedPublishes, 1);
    const p = await peers.next();
    await welcome(p);
    const m = await p.expect(16);
    assert.deepEqual(m[4], [big]);
    assert.deepEqual(await second, {});
  });

  it('publishSize counts binary (Buffer, typed arrays) as its bytes and the rest as JSON', () => {
    assert.equal(publishSize('t', ['ab']), Buffer.byteLength('["t",["ab"],{}]'));
    const json = Buffer.byteLength('["t",[0],{"k":0}]');
    assert.equal(publishSize('t', [Buffer.alloc(1000)], { k: new Uint8Array(24) }), json + 1024);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.equal(publishSize('t', [circular]), 0, 'not serializable: left to fail when sent');
  });

  it('giving up (maxRetries) rejects what the queue holds: nothing would ever send it', async () => {
    let opened = 0;
    const c = new Connection({
      realm: 'realm1',
      transportFactory: () => {
        opened++;
        throw new Error('refused');
      },
      publishQueue: 5,
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, jitter: 0, maxRetries: 1 },
    });
    open.push(c);
    c.open();
    const q = c.publish('com.t', ['x']);
    await statusWhere(c, (x) => x.state === 'failed');
    assert.equal(await outcome(q), 'wamp.error.connection_lost');
    assert.equal(c.queuedPublishes, 0);
    assert.ok(opened >= 2);
  });

  it('close() rejects queued publishes', async () => {
    const peers = new PeerQueue();
    const c = connection(peers, { publishQueue: 5 });
    c.open();
    const q = c.publish('com.t', ['x']);
    await c.close();
    assert.equal(await outcome(q), 'wamp.error.connection_lost');
  });
});
