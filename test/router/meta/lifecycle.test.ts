// The meta peer's life: one per realm, hidden from clients, closed with its realm or router;
// and the meta procedures under the realm's authorization.
import assert from 'node:assert/strict';
import { Router } from '../../../src/router';
import { MessageType as M } from '../../../src/wamp/messages';
import { Peer } from '../peer';
import { META_ROLES, failure, joinAs, metaSession, results, namedLoginRouter } from './helpers';

describe('meta peer lifecycle', () => {
  let router: Router;
  afterEach(() => router.close());

  describe('each realm has its own meta peer, invisible to clients', () => {
    it('serves each realm its own sessions', async () => {
      router = new Router({ realms: [{ name: 'realm1' }, { name: 'realm2' }] });
      const a = await Peer.join(router, 'realm1');
      await Peer.join(router, 'realm2');
      const b = await Peer.join(router, 'realm2');
      assert.deepEqual(await results(a, 'wamp.session.list'), [[a.sessionId]]);
      assert.deepEqual(await results(b, 'wamp.session.count'), [2]);
      assert.notEqual(metaSession(router, 'realm1'), metaSession(router, 'realm2'));
      assert.equal(router.sessionCount, 3);
    });

    it('serves realms created on demand', async () => {
      router = new Router({ autoCreateRealms: true });
      const a = await Peer.join(router, 'fresh');
      assert.equal(
        (a.welcome.roles as Record<string, { features: Record<string, boolean> }>).dealer.features
          .session_meta_api,
        true,
      );
      assert.deepEqual(await results(a, 'wamp.session.count'), [1]);
      assert.equal(router.sessionCount, 1);
    });
  });

  describe('router close and realm removal close the meta peers', () => {
    it('router.close ends every session, meta peers included, and their realm listeners', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const p = await Peer.join(router);
      await results(p, 'wamp.session.count');
      const realm = router.realm('realm1')!;
      const meta = metaSession(router);
      assert.ok(realm.listenerCount('session-leave') > 1);
      await router.close();
      await p.closed;
      await meta.closed;
      assert.equal(realm.sessions.size, 0);
      assert.equal(realm.listenerCount('session-leave'), 1, 'only the router’s own listener is left');
      assert.equal(realm.listenerCount('registration-create'), 0);
    });

    it('removeRealm closes its meta peer', async () => {
      router = new Router({ realms: [{ name: 'realm1' }, { name: 'realm2' }] });
      const realm = router.realm('realm1')!;
      const p = await Peer.join(router);
      const meta = metaSession(router);
      router.removeRealm('realm1');
      assert.equal((await p.next(M.GOODBYE))[2], 'wamp.close.close_realm');
      await meta.closed;
      assert.equal(realm.sessions.size, 0);
      assert.equal(realm.listenerCount('subscription-create'), 0);
      const q = await Peer.join(router, 'realm2');
      assert.deepEqual(await results(q, 'wamp.session.count'), [1], 'the other realm is served still');
    });
  });

  describe('meta procedures and topics are subject to the realm authorizer', () => {
    const roles = [
      {
        name: 'admin',
        permissions: [{ uri: 'wamp.', match: 'prefix' as const, call: true, subscribe: true }],
      },
      {
        name: 'user',
        permissions: [{ uri: 'com.app.', match: 'prefix' as const, call: true, subscribe: true }],
      },
    ];

    it('a role needs call permission on the meta procedure', async () => {
      router = namedLoginRouter({ name: 'realm1', roles });
      const admin = await joinAs(router, 'root@admin');
      const user = await joinAs(router, 'joe@user');
      assert.deepEqual(await results(admin, 'wamp.session.count'), [2]);
      assert.equal(await failure(user, 'wamp.session.count'), 'wamp.error.not_authorized');
      assert.equal(await failure(user, 'wamp.session.kill', [admin.sessionId]), 'wamp.error.not_authorized');
      assert.ok(admin.isOpen);
      const req = user.request();
      user.send([M.SUBSCRIBE, req, {}, 'wamp.session.on_join']);
      assert.equal((await user.answer(req, M.SUBSCRIBED))[4], 'wamp.error.not_authorized');
    });

    it('without roles every session may call them', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const p = await Peer.join(router);
      assert.deepEqual(await results(p, 'wamp.registration.list'), [{ exact: [], prefix: [], wildcard: [] }]);
    });
  });

  describe('the meta peer learns the caller without caller disclosure', () => {
    it('kill refuses the caller itself whether or not it disclosed itself', async () => {
      router = new Router({ realms: [{ name: 'realm1', roles: META_ROLES }] });
      const p = await Peer.join(router);
      const request = p.request();
      p.send([M.CALL, request, { disclose_me: true }, 'wamp.session.kill', [p.sessionId]]);
      assert.equal((await p.answer(request, M.RESULT))[4], 'wamp.error.no_such_session');
      assert.equal(await failure(p, 'wamp.session.kill', [p.sessionId]), 'wamp.error.no_such_session');
    });
  });
});
