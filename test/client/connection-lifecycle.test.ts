// Connection over scripted raw peers: its status, requests while disconnected or when the link
// drops, close() (also while the transport is still opening), and that every promise settles.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Connection, type ConnectionStatus } from '../../src/client/connection';
import { outcome, rawPair } from './raw-peer';
import {
  PeerQueue,
  connected,
  connection,
  scriptedPerTest,
  statusWhere,
  welcome,
} from './scripted-connection';

describe('client connection: status and requests while disconnected', () => {
  scriptedPerTest();

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
    const { peers, c, p: p1 } = await connected();
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
    const { peers, c, p } = await connected();
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
  scriptedPerTest();

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
