// Connection over scripted raw peers: the publish queue while disconnected (count and bytes
// bounds, oldest dropped, sent in order on connect, rejected on giving up or close).
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { publishSize } from '../../src/client/publish-queue';
import { outcome } from './raw-peer';
import {
  PeerQueue,
  connection,
  scriptedPerTest,
  statusWhere,
  welcome,
  refusedConnection,
} from './scripted-connection';

describe('client connection: publish queue', () => {
  scriptedPerTest();

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
    const { c, attempts } = refusedConnection({
      publishQueue: 5,
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, jitter: 0, maxRetries: 1 },
    });
    c.open();
    const q = c.publish('com.t', ['x']);
    await statusWhere(c, (x) => x.state === 'failed');
    assert.equal(await outcome(q), 'wamp.error.connection_lost');
    assert.equal(c.queuedPublishes, 0);
    assert.ok(attempts() >= 2);
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
