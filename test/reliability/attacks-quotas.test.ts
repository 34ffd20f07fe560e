// Attacks by one client on the others (issue "Hold against a hostile client"): each test performs
// the attack against a real listener and shows that it fails, that the attacker is the one
// refused, and that the other sessions never notice. docs/RELIABILITY.md "Attacks" lists them.
// Attacks on memory by an ordinary session: subscriptions, registrations, retained events,
// testaments and realms created on demand are all bounded.
import assert from 'node:assert/strict';
import { MessageType as M } from '../../src/wamp/messages';
import { Peer } from '../router/peer';
import { attackBed } from './attack-bed';
import { until } from './support';

describe('attacks on other sessions fail', function () {
  this.timeout(60_000);
  const bed = attackBed();
  const { start, warnings } = bed;

  describe("an ordinary session's memory is bounded", () => {
    it('subscriptions and registrations per session: the one over the quota gets wamp.error.limit_exceeded, logged', async () => {
      await start({ limits: { maxSubscriptionsPerSession: 3, maxRegistrationsPerSession: 2 } });
      const p = await Peer.join(bed.router);
      for (const t of ['a', 'b', 'c']) await p.subscribe(`com.${t}`);
      await p.subscribe('com.a'); // the same one again is not another
      const req = p.request();
      p.send([M.SUBSCRIBE, req, {}, 'com.d']);
      assert.equal((await p.answer(req, M.SUBSCRIBED))[4], 'wamp.error.limit_exceeded');
      await p.register('com.p1');
      await p.register('com.p2');
      const r2 = p.request();
      p.send([M.REGISTER, r2, {}, 'com.p3']);
      assert.equal((await p.answer(r2, M.REGISTERED))[4], 'wamp.error.limit_exceeded');
      assert.match(warnings.join('\n'), /3 subscriptions held/);
      assert.match(warnings.join('\n'), /2 registrations held/);
    });

    it('retained events per realm are bounded by count and bytes, oldest dropped', async () => {
      await start({ limits: { maxRetainedEvents: 3, maxRetainedBytes: 100_000 } });
      const pub = await Peer.join(bed.router);
      for (let i = 1; i <= 5; i++) pub.send([M.PUBLISH, pub.request(), { retain: true }, `com.r.${i}`, [i]]);
      await pub.sync();
      const broker = bed.router.realm('realm1')!.broker;
      assert.equal(broker.retainedUsage.events, 3);
      const sub = await Peer.join(bed.router);
      await sub.subscribe('com.r.', { match: 'prefix', get_retained: true });
      await sub.sync();
      assert.deepEqual(
        sub.queued(M.EVENT).map((e) => (e[4] as number[])[0]),
        [3, 4, 5],
      );
      // By bytes: a 60 KB and a 50 KB event do not both fit in 100 KB.
      pub.send([M.PUBLISH, pub.request(), { retain: true }, 'com.big.1', ['x'.repeat(60_000)]]);
      pub.send([M.PUBLISH, pub.request(), { retain: true }, 'com.big.2', ['y'.repeat(50_000)]]);
      await pub.sync();
      assert.ok(broker.retainedUsage.bytes <= 100_000);
      assert.ok(broker.retainedUsage.events <= 3);
      assert.match(warnings.join('\n'), /dropped the \d+ oldest retained event/);
    });

    it('testaments per session are bounded', async () => {
      await start({ limits: { maxTestamentsPerSession: 2 } });
      const p = await Peer.join(bed.router);
      for (let i = 0; i < 2; i++)
        assert.equal((await p.call('wamp.session.add_testament', ['com.t', [i], {}]))[0], M.RESULT);
      const third = await p.call('wamp.session.add_testament', ['com.t', [3], {}]);
      assert.equal(third[4], 'wamp.error.limit_exceeded');
    });

    it('a realm created on demand goes with its last session, retained events and all', async () => {
      await start({ realms: [], autoCreateRealms: true });
      for (let i = 0; i < 20; i++) {
        const p = await Peer.join(bed.router, `com.attack.realm${i}`);
        p.send([M.PUBLISH, p.request(), { retain: true }, 'com.t', ['x'.repeat(1000)]]);
        await p.sync();
        p.close();
        await p.closed;
      }
      await until(() => bed.router.realmNames().length === 0, 10_000, 'on-demand realms removed');
      // One that is still in use stays.
      const a = await Peer.join(bed.router, 'com.kept');
      const b = await Peer.join(bed.router, 'com.kept');
      a.close();
      await a.closed;
      await b.sync();
      assert.deepEqual(bed.router.realmNames(), ['com.kept']);
      b.close();
      await until(() => bed.router.realmNames().length === 0, 10_000, 'last one removed');
    });
  });
});
