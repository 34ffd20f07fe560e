// Connection over scripted raw peers: registrations and subscriptions are persistent, made again
// on each new session with their handles kept valid; refusals and watches.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { outcome } from './raw-peer';
import {
  PeerQueue,
  connected,
  connection,
  scriptedPerTest,
  statusWhere,
  welcome,
} from './scripted-connection';

describe('client connection: persistent registrations and subscriptions', () => {
  scriptedPerTest();

  it('after a reconnect it re-registers and re-subscribes by itself; the handles stay valid with new ids', async () => {
    const { peers, c, p: p1 } = await connected();
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
    const { peers, c, p } = await connected();
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
