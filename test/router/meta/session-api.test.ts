// Session meta API: wamp.session.count/list/get/kill*, on_join/on_leave, feature announcement,
// and the meta peer's invisibility.
import assert from 'node:assert/strict';
import { Router } from '../../../src/router';
import { MessageType as M } from '../../../src/wamp/messages';
import { Peer } from '../peer';
import { eventOn, failure, joinAs, metaSession, results, namedLoginRouter } from './helpers';

describe('session meta API', () => {
  let router: Router;
  beforeEach(() => {
    router = namedLoginRouter();
  });
  afterEach(() => router.close());

  describe('the router announces the meta API features it serves in WELCOME', () => {
    it('dealer: session, registration and testament meta API; broker: session and subscription meta API', async () => {
      const p = await joinAs(router, 'alice');
      const roles = p.welcome.roles as Record<string, { features: Record<string, boolean> }>;
      for (const f of ['session_meta_api', 'registration_meta_api', 'testament_meta_api'])
        assert.equal(roles.dealer.features[f], true, f);
      for (const f of ['session_meta_api', 'subscription_meta_api'])
        assert.equal(roles.broker.features[f], true, f);
      assert.equal(roles.broker.features.registration_meta_api, undefined);
    });

    it('announces nothing of it when the router runs without the meta API', async () => {
      await router.close();
      router = new Router({ realms: [{ name: 'realm1' }], metaApi: false });
      const p = await Peer.join(router);
      const roles = p.welcome.roles as Record<string, { features: Record<string, boolean> }>;
      assert.equal(roles.dealer.features.session_meta_api, undefined);
      assert.equal((await p.call('wamp.session.count'))[4], 'wamp.error.no_such_procedure');
      assert.equal(router.realm('realm1')!.sessions.size, 1, 'no meta peer');
    });
  });

  describe('wamp.session.count and wamp.session.list report the client sessions of the realm', () => {
    it('counts and lists every client, not the meta peer', async () => {
      const a = await joinAs(router, 'alice@admin');
      const b = await joinAs(router, 'bob@user');
      assert.deepEqual(await results(a, 'wamp.session.count'), [2]);
      const [ids] = (await results(b, 'wamp.session.list')) as [number[]];
      assert.deepEqual([...ids].sort(), [a.sessionId, b.sessionId].sort());
      assert.ok(!ids.includes(metaSession(router).id));
      assert.equal(router.sessionCount, 2, 'router.sessionCount leaves out the meta peer');
      assert.deepEqual(
        router
          .sessions()
          .map((s) => s.id)
          .sort(),
        [a.sessionId, b.sessionId].sort(),
      );
    });

    it('filters by authrole with filter_authroles', async () => {
      const a = await joinAs(router, 'alice@admin');
      const b = await joinAs(router, 'bob@user');
      await joinAs(router, 'carol@guest');
      assert.deepEqual(await results(a, 'wamp.session.count', [['admin', 'user']]), [2]);
      assert.deepEqual(await results(a, 'wamp.session.list', [['user']]), [[b.sessionId]]);
      assert.deepEqual(await results(a, 'wamp.session.count', [[]]), [0]);
      assert.deepEqual(await results(a, 'wamp.session.count', [null]), [3]);
      assert.equal(await failure(a, 'wamp.session.count', ['admin']), 'wamp.error.invalid_argument');
    });
  });

  describe('wamp.session.get returns the session details', () => {
    it('gives session, authid, authrole, authmethod, authprovider and transport', async () => {
      const a = await joinAs(router, 'alice@admin');
      const b = await joinAs(router, 'bob@user');
      const [d] = (await results(a, 'wamp.session.get', [b.sessionId])) as [Record<string, unknown>];
      assert.deepEqual(d, {
        session: b.sessionId,
        authid: 'bob',
        authrole: 'user',
        authmethod: 'anonymous',
        authprovider: 'test',
        transport: { type: 'local', serializer: 'none', secure: true },
      });
    });

    it('answers wamp.error.no_such_session for an unknown ID and for the meta peer', async () => {
      const a = await joinAs(router, 'alice');
      assert.equal(await failure(a, 'wamp.session.get', [12345]), 'wamp.error.no_such_session');
      assert.equal(
        await failure(a, 'wamp.session.get', [metaSession(router).id]),
        'wamp.error.no_such_session',
      );
      assert.equal(await failure(a, 'wamp.session.get', ['x']), 'wamp.error.invalid_argument');
    });
  });

  describe('wamp.session.on_join and wamp.session.on_leave', () => {
    it('publishes the details of a joining session and [session, authid, authrole] of a leaving one', async () => {
      const watcher = await joinAs(router, 'watcher');
      const onJoin = await watcher.subscribe('wamp.session.on_join');
      const onLeave = await watcher.subscribe('wamp.session.on_leave');
      const b = await joinAs(router, 'bob@user');
      const join = await eventOn(watcher, onJoin);
      assert.deepEqual(join[4], [
        {
          session: b.sessionId,
          authid: 'bob',
          authrole: 'user',
          authmethod: 'anonymous',
          authprovider: 'test',
          transport: { type: 'local', serializer: 'none', secure: true },
        },
      ]);
      assert.equal(
        (join[3] as Record<string, unknown>).publisher,
        undefined,
        'meta events do not disclose the meta peer',
      );
      b.send([M.GOODBYE, {}, 'wamp.close.normal']);
      assert.deepEqual((await eventOn(watcher, onLeave))[4], [b.sessionId, 'bob', 'user']);
      const c = await joinAs(router, 'carol');
      await eventOn(watcher, onJoin);
      c.close();
      assert.deepEqual(
        (await eventOn(watcher, onLeave))[4],
        [c.sessionId, 'carol', 'user'],
        'also when the transport is lost',
      );
    });

    it('the meta peer of a new realm joins without on_join or a router session-join event', async () => {
      const joined: number[] = [];
      router.on('session-join', (s: { id: number }) => joined.push(s.id));
      router.addRealm({ name: 'realm2' });
      const p = await joinAs(router, 'alice', 'realm2');
      const onJoin = await p.subscribe('wamp.session.on_join');
      await p.sync();
      assert.deepEqual(joined, [p.sessionId]);
      assert.equal(p.queued(M.EVENT).length, 0);
      assert.deepEqual(await results(p, 'wamp.session.count'), [1]);
      assert.ok(onJoin > 0);
    });
  });

  describe('wamp.session.kill closes another session with GOODBYE', () => {
    it('uses reason wamp.close.normal by default, as the spec says', async () => {
      const a = await joinAs(router, 'alice');
      const b = await joinAs(router, 'bob');
      assert.deepEqual(await results(a, 'wamp.session.kill', [b.sessionId]), []);
      const bye = await b.next(M.GOODBYE);
      assert.deepEqual(bye.slice(1), [{}, 'wamp.close.normal']);
      await b.closed;
      assert.deepEqual(await results(a, 'wamp.session.count'), [1]);
    });

    it('sends the given reason and message', async () => {
      const a = await joinAs(router, 'alice');
      const b = await joinAs(router, 'bob');
      await results(a, 'wamp.session.kill', [b.sessionId], {
        reason: 'wamp.close.killed',
        message: 'go away',
      });
      assert.deepEqual((await b.next(M.GOODBYE)).slice(1), [{ message: 'go away' }, 'wamp.close.killed']);
    });

    it('refuses the caller itself, unknown sessions and the meta peer with wamp.error.no_such_session', async () => {
      const a = await joinAs(router, 'alice');
      assert.equal(await failure(a, 'wamp.session.kill', [a.sessionId]), 'wamp.error.no_such_session');
      assert.equal(await failure(a, 'wamp.session.kill', [999]), 'wamp.error.no_such_session');
      assert.equal(
        await failure(a, 'wamp.session.kill', [metaSession(router).id]),
        'wamp.error.no_such_session',
      );
      assert.ok(a.isOpen);
      assert.deepEqual(await results(a, 'wamp.session.count'), [1]);
    });

    it('refuses an invalid reason with wamp.error.invalid_uri', async () => {
      const a = await joinAs(router, 'alice');
      const b = await joinAs(router, 'bob');
      assert.equal(
        await failure(a, 'wamp.session.kill', [b.sessionId], { reason: 'not a uri' }),
        'wamp.error.invalid_uri',
      );
      assert.equal(
        await failure(a, 'wamp.session.kill', [b.sessionId], { message: 42 }),
        'wamp.error.invalid_argument',
      );
      assert.ok(b.isOpen);
    });
  });

  describe('wamp.session.kill_by_authid, kill_by_authrole and kill_all close sessions other than the caller', () => {
    it('kill_by_authid closes the sessions of an authid and returns how many', async () => {
      const a1 = await joinAs(router, 'alice');
      const a2 = await joinAs(router, 'alice');
      const b = await joinAs(router, 'bob');
      assert.deepEqual(
        await results(a1, 'wamp.session.kill_by_authid', ['alice'], { reason: 'wamp.close.killed' }),
        [1],
      );
      assert.equal((await a2.next(M.GOODBYE))[2], 'wamp.close.killed');
      assert.ok(a1.isOpen && b.isOpen);
      assert.deepEqual(await results(b, 'wamp.session.kill_by_authid', ['nobody']), [0]);
    });

    it('kill_by_authrole closes the sessions of an authrole', async () => {
      const admin = await joinAs(router, 'alice@admin');
      const u1 = await joinAs(router, 'bob@user');
      const u2 = await joinAs(router, 'carol@user');
      assert.deepEqual(
        await results(admin, 'wamp.session.kill_by_authrole', ['user'], { message: 'maintenance' }),
        [2],
      );
      for (const u of [u1, u2])
        assert.deepEqual((await u.next(M.GOODBYE)).slice(1), [
          { message: 'maintenance' },
          'wamp.close.normal',
        ]);
      assert.deepEqual(await results(admin, 'wamp.session.list'), [[admin.sessionId]]);
    });

    it('kill_all closes every other client session, not the meta peer', async () => {
      const a = await joinAs(router, 'alice');
      const others = [await joinAs(router, 'bob'), await joinAs(router, 'carol')];
      assert.deepEqual(await results(a, 'wamp.session.kill_all'), [2]);
      await Promise.all(others.map((p) => p.closed));
      assert.deepEqual(await results(a, 'wamp.session.count'), [1], 'the meta API still answers');
      assert.equal(await failure(a, 'wamp.session.kill_all', [], { reason: '' }), 'wamp.error.invalid_uri');
    });
  });
});
