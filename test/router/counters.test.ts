import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { Peer } from './peer';

// What an operator's view of the router reads beside the meta API: how often a registration was
// invoked, how many events a subscription delivered, and the realm's client traffic.
describe('router counters for an operator view', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }, { name: 'realm2' }] });
  });
  afterEach(() => router.close());

  it('lists the realm names in creation order', () => {
    assert.deepEqual(router.realmNames(), ['realm1', 'realm2']);
    router.addRealm({ name: 'realm3' });
    assert.deepEqual(router.realmNames(), ['realm1', 'realm2', 'realm3']);
  });

  it('counts the INVOCATIONs of a registration, whatever the answer', async () => {
    const callee = await Peer.join(router);
    const caller = await Peer.join(router);
    const id = await callee.register('com.count');
    const reg = router.realm('realm1')!.dealer.get(id)!;
    assert.equal(reg.calls, 0);
    for (const answer of ['yield', 'error']) {
      const request = caller.request();
      caller.send([M.CALL, request, {}, 'com.count']);
      const inv = await callee.next(M.INVOCATION);
      callee.send(
        answer === 'yield' ? [M.YIELD, inv[1], {}] : [M.ERROR, M.INVOCATION, inv[1], {}, 'com.error.no'],
      );
      await caller.answer(request, M.RESULT);
    }
    assert.equal(reg.calls, 2);
    // A call with no callee reaches no registration.
    await caller.call('com.none');
    assert.equal(reg.calls, 2);
  });

  it('counts the EVENTs a subscription delivered, one per receiving subscriber', async () => {
    const a = await Peer.join(router);
    const b = await Peer.join(router);
    const pub = await Peer.join(router);
    const id = await a.subscribe('com.topic');
    await b.subscribe('com.topic');
    const sub = router.realm('realm1')!.broker.get(id)!;
    const request = pub.request();
    pub.send([M.PUBLISH, request, { acknowledge: true }, 'com.topic', [1]]);
    await pub.answer(request, M.PUBLISHED);
    await Promise.all([a.next(M.EVENT), b.next(M.EVENT)]);
    assert.equal(sub.events, 2);
    // Excluded by a blacklist: not delivered, not counted.
    const r2 = pub.request();
    pub.send([M.PUBLISH, r2, { acknowledge: true, exclude: [b.sessionId] }, 'com.topic', [2]]);
    await pub.answer(r2, M.PUBLISHED);
    await a.next(M.EVENT);
    assert.equal(sub.events, 3);
  });

  it('counts the messages of client sessions per realm, not those of the meta API peer', async () => {
    const traffic = router.realm('realm1')!.traffic;
    const other = router.realm('realm2')!.traffic;
    const p = await Peer.join(router);
    // WELCOME is the first message out; HELLO came before the session was in the realm.
    assert.deepEqual(traffic, { messagesIn: 0, messagesOut: 1 });
    const r = await p.call('wamp.session.count');
    assert.equal(r[0], M.RESULT);
    // CALL in, RESULT out: the meta peer's INVOCATION and YIELD are the router's own.
    assert.deepEqual(traffic, { messagesIn: 1, messagesOut: 2 });
    assert.deepEqual(other, { messagesIn: 0, messagesOut: 0 });
  });
});
