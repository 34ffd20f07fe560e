// The router view's snapshot shows each realm's event history patterns (limit, events held) and
// the recent revocations: what the router took from which session, and the reason it gave.
import assert from 'node:assert/strict';
import { Session } from '../../src/client';
import { Router } from '../../src/router';
import { MAX_REVOCATIONS_KEPT } from '../../src/router/revocations';
import { routerSnapshot } from '../../nodes/shared/router-snapshot';

const ADMIN = [
  {
    name: 'admin',
    permissions: [
      { uri: '', match: 'prefix' as const, call: true, register: true, publish: true, subscribe: true },
      { uri: 'wamp.', match: 'prefix' as const, call: true },
    ],
  },
];

describe('router view snapshot: event history and revocations', () => {
  let router: Router;
  const open: Session[] = [];
  beforeEach(() => {
    router = new Router({
      realms: [
        {
          name: 'realm1',
          anonymous: { role: 'admin' },
          roles: ADMIN,
          history: [
            { uri: 'com.app.counter', limit: 2 },
            { uri: 'com.log.', match: 'prefix' },
          ],
        },
        { name: 'realm2' },
      ],
    });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => (s.isOpen ? s.leave() : undefined)));
    await router.close();
  });

  async function join(realm = 'realm1'): Promise<Session> {
    const s = new Session(router.connectLocal(), { realm });
    await s.join();
    open.push(s);
    return s;
  }

  it('shows each history pattern with its limit and the events it holds; none in a realm without', async () => {
    const s = await join();
    for (const n of [1, 2, 3]) await s.publish('com.app.counter', [n], {}, { acknowledge: true });
    await s.publish('com.log.x', ['l'], {}, { acknowledge: true });
    const [r1, r2] = routerSnapshot('n', 'r', router).realms;
    assert.deepEqual(r1.history, [
      { topic: 'com.app.counter', match: 'exact', limit: 2, kept: 2 },
      { topic: 'com.log.', match: 'prefix', limit: 100, kept: 1 },
    ]);
    assert.deepEqual(r2.history, []);
    // The router's history subscriptions are not client subscriptions.
    assert.deepEqual(r1.subscriptions, []);
  });

  it('lists revocations (kind, uri, session, authid, reason), the latest few', async () => {
    const victim = await join();
    const admin = await join();
    // Read now: the client forgets the ID once the subscription is revoked.
    const subId = (await victim.subscribe('com.app.news', () => {})).id;
    await victim.register('com.app.svc', () => null);
    const regId = (await admin.call('wamp.registration.lookup', ['com.app.svc'])).args[0];
    await admin.call('wamp.subscription.remove', [subId], { reason: 'com.app.maintenance' });
    await admin.call('wamp.registration.remove_callee', [regId, victim.id]);
    const { revocations } = routerSnapshot('n', 'r', router).realms[0];
    assert.deepEqual(
      revocations.map(({ at: _at, ...r }) => r),
      [
        {
          kind: 'subscription',
          id: subId,
          uri: 'com.app.news',
          match: 'exact',
          session: victim.id,
          authid: victim.details.authid,
          reason: 'com.app.maintenance',
        },
        {
          kind: 'registration',
          id: regId,
          uri: 'com.app.svc',
          match: 'exact',
          session: victim.id,
          authid: victim.details.authid,
          reason: 'wamp.error.removed',
        },
      ],
    );
    for (const r of revocations) assert.ok(Math.abs(Date.parse(r.at) - Date.now()) < 60_000);

    for (let i = 0; i < MAX_REVOCATIONS_KEPT + 5; i++) {
      const again = await victim.subscribe(`com.app.t${i}`, () => {});
      await admin.call('wamp.subscription.remove', [again.id]);
    }
    const later = routerSnapshot('n', 'r', router).realms[0].revocations;
    assert.equal(later.length, MAX_REVOCATIONS_KEPT);
    assert.equal(later[later.length - 1].uri, `com.app.t${MAX_REVOCATIONS_KEPT + 4}`);
  });
});
