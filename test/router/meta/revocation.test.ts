// Registration and subscription revocation: the meta API's remove procedures take callees and
// subscribers off; peers that announced the feature get UNREGISTERED / UNSUBSCRIBED request 0
// with details {registration|subscription, reason}; our client reports it as 'revoked'.
import assert from 'node:assert/strict';
import { Connection } from '../../../src/client/connection';
import { Router } from '../../../src/router';
import { MessageType as M } from '../../../src/wamp/messages';
import { ALL_ROLES, Peer } from '../peer';
import { META_ROLES } from './helpers';

const REVOCABLE = {
  roles: {
    ...ALL_ROLES,
    callee: { features: { ...ALL_ROLES.callee.features, registration_revocation: true } },
    subscriber: { features: { ...ALL_ROLES.subscriber.features, subscription_revocation: true } },
  },
};

describe('revocation through the meta API', () => {
  let router: Router;
  beforeEach(() => {
    // The remove procedures act on other sessions: only roles granted them by name may call them.
    router = new Router({ realms: [{ name: 'realm1', roles: META_ROLES }] });
  });
  afterEach(() => router.close());

  it('is refused without a grant by name (a realm without roles)', async () => {
    const open = new Router({ realms: [{ name: 'realm1' }] });
    try {
      const callee = await Peer.join(open, 'realm1', REVOCABLE);
      const reg = await callee.register('com.svc');
      const other = await Peer.join(open);
      const r = await other.call('wamp.registration.remove', [reg]);
      assert.equal(r[0], M.ERROR);
      assert.equal(r[4], 'wamp.error.not_authorized');
      await callee.sync();
      assert.equal(callee.queued(M.UNREGISTERED).length, 0);
    } finally {
      await open.close();
    }
  });

  it('is announced by dealer and broker', async () => {
    const p = await Peer.join(router);
    const roles = p.welcome.roles as Record<string, { features: Record<string, boolean> }>;
    assert.equal(roles.dealer.features.registration_revocation, true);
    assert.equal(roles.broker.features.subscription_revocation, true);
  });

  it('wamp.registration.remove: UNREGISTERED 0 with registration and reason; calls then fail', async () => {
    const callee = await Peer.join(router, 'realm1', REVOCABLE);
    const plain = await Peer.join(router);
    const reg = await callee.register('com.svc', { invoke: 'roundrobin' });
    await plain.register('com.svc', { invoke: 'roundrobin' });
    const admin = await Peer.join(router);
    const removed = await admin.call('wamp.registration.remove', [reg], {});
    assert.deepEqual(removed.slice(3), [[2]]);
    const note = await callee.next(M.UNREGISTERED);
    assert.deepEqual(note, [M.UNREGISTERED, 0, { registration: reg, reason: 'wamp.error.removed' }]);
    await plain.sync();
    assert.equal(
      plain.queued(M.UNREGISTERED).length,
      0,
      'no revocation to a callee that did not announce it',
    );
    const call = await admin.call('com.svc', []);
    assert.equal(call[0], M.ERROR);
    assert.equal(call[4], 'wamp.error.no_such_procedure');
  });

  it('wamp.subscription.remove_subscriber takes one subscriber off, with the given reason', async () => {
    const a = await Peer.join(router, 'realm1', REVOCABLE);
    const b = await Peer.join(router, 'realm1', REVOCABLE);
    const sub = await a.subscribe('com.news');
    await b.subscribe('com.news');
    const admin = await Peer.join(router);
    admin.send([
      M.CALL,
      admin.request(),
      {},
      'wamp.subscription.remove_subscriber',
      [sub, a.sessionId],
      { reason: 'com.app.banned' },
    ]);
    assert.deepEqual(await a.next(M.UNSUBSCRIBED), [
      M.UNSUBSCRIBED,
      0,
      { subscription: sub, reason: 'com.app.banned' },
    ]);
    admin.send([M.PUBLISH, admin.request(), {}, 'com.news', ['still for b']]);
    assert.deepEqual((await b.next(M.EVENT))[4], ['still for b']);
    await a.sync();
    assert.equal(a.queued(M.EVENT).length, 0);
  });

  it('unknown subscription or subscriber: wamp.error.no_such_subscription / no_such_session', async () => {
    const admin = await Peer.join(router);
    const r1 = await admin.call('wamp.subscription.remove', [12345]);
    assert.equal(r1[4], 'wamp.error.no_such_subscription');
    const a = await Peer.join(router, 'realm1', REVOCABLE);
    const sub = await a.subscribe('com.x');
    const r2 = await admin.call('wamp.subscription.remove_subscriber', [sub, 999]);
    assert.equal(r2[4], 'wamp.error.no_such_session');
  });

  it("our client reports a revoked registration as the connection's 'revoked' event", async () => {
    const c = new Connection({ realm: 'realm1', transportFactory: () => router.connectLocal() });
    c.open();
    await c.connected();
    const reg = await c.register('com.revoked', () => 1);
    const revoked = new Promise<{ kind: string; uri: string; details: Record<string, unknown> }>((resolve) =>
      c.once('revoked', resolve),
    );
    const admin = await Peer.join(router);
    await admin.call('wamp.registration.remove', [reg.id!], {});
    const r = await revoked;
    assert.deepEqual(
      [r.kind, r.uri, r.details.reason],
      ['registration', 'com.revoked', 'wamp.error.removed'],
    );
    await c.close();
  });
});
