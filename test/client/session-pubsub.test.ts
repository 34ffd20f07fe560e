// The client session as publisher and subscriber against a scripted raw router, exactly what
// goes on the wire: PUBLISH, shared subscriptions, EVENT details, revocation.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Session } from '../../src/client/session';
import { joined, outcome, type RawPeer } from './raw-peer';

/** Once the peer sees this PUBLISH, everything it sent before has reached the session. */
async function roundTrip(session: Session, peer: RawPeer): Promise<void> {
  await session.publish('test.flush');
  await peer.expect(16);
}

describe('client session: publisher and subscriber', () => {
  it('publish without acknowledge resolves at once; with acknowledge it resolves with the publication id', async () => {
    const { session, peer } = await joined();
    assert.deepEqual(await session.publish('com.t', ['a'], {}, { exclude_me: false }), {});
    assert.deepEqual(await peer.next(), [16, 1, { exclude_me: false }, 'com.t', ['a']]);
    const acked = session.publish('com.t', [], { k: 1 }, { acknowledge: true });
    const m = await peer.expect(16);
    assert.deepEqual(m.slice(2), [{ acknowledge: true }, 'com.t', [], { k: 1 }]);
    peer.send([17, m[1], 555]);
    assert.deepEqual(await acked, { publicationId: 555 });
  });

  it('several subscribe() calls for one topic and options share one WAMP subscription; each handler gets each event', async () => {
    const { session, peer } = await joined();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const pa = session.subscribe('com.t', (e) => a.push(e.args[0]));
    const pb = session.subscribe('com.t', (e) => b.push(e.args[0]));
    const sub = await peer.expect(32);
    peer.send([33, sub[1], 900]);
    const [sa, sb] = await Promise.all([pa, pb]);
    assert.equal(sa.id, 900);
    assert.equal(sb.id, 900);
    const sc = await session.subscribe('com.t', () => undefined);
    peer.send([36, 900, 1, { topic: 'com.t' }, ['x']]);
    await roundTrip(session, peer);
    await sa.unsubscribe();
    await sc.unsubscribe();
    peer.send([36, 900, 2, {}, ['y']]);
    await roundTrip(session, peer);
    const unsub = sb.unsubscribe();
    const m = await peer.expect(34);
    assert.equal(m[2], 900);
    peer.send([35, m[1]]);
    await unsub;
    assert.deepEqual(a, ['x']);
    assert.deepEqual(b, ['x', 'y']);
    assert.equal(peer.pending, 0);
  });

  it('EVENT details: topic from details.topic for pattern subscriptions, else the subscribed topic', async () => {
    const { session, peer } = await joined();
    const events: Array<{ topic: string; publicationId: number; kwargs: unknown }> = [];
    const p = session.subscribe(
      'com.',
      (e) => events.push({ topic: e.topic, publicationId: e.publicationId, kwargs: e.kwargs }),
      { match: 'prefix' },
    );
    const m = await peer.expect(32);
    assert.deepEqual(m.slice(2), [{ match: 'prefix' }, 'com.']);
    peer.send([33, m[1], 5]);
    await p;
    peer.send([36, 5, 10, { topic: 'com.a' }, [], { v: 1 }]);
    peer.send([36, 5, 11, {}]);
    await roundTrip(session, peer);
    assert.deepEqual(events, [
      { topic: 'com.a', publicationId: 10, kwargs: { v: 1 } },
      { topic: 'com.', publicationId: 11, kwargs: {} },
    ]);
  });

  it('router-initiated UNSUBSCRIBED (request 0) revokes the subscription', async () => {
    const { session, peer } = await joined();
    const p = session.subscribe('com.t', () => undefined);
    const m = await peer.expect(32);
    peer.send([33, m[1], 5]);
    const sub = await p;
    const revoked = new Promise((r) => session.once('revoked', (kind: string, id: number) => r([kind, id])));
    peer.send([35, 0, { subscription: 5, reason: 'x' }]);
    assert.deepEqual(await revoked, ['subscription', 5]);
    assert.equal(sub.id, undefined);
  });

  it('SUBSCRIBE refused by ERROR rejects with the error', async () => {
    const { session, peer } = await joined();
    const p = session.subscribe('com.t', () => undefined);
    const m = await peer.expect(32);
    peer.send([8, 32, m[1], {}, 'wamp.error.not_authorized']);
    assert.equal(await outcome(p), 'wamp.error.not_authorized');
  });
});
