// The router's public face for operators: `snapshot()` and `traffic()` read its state as plain
// records, and typed events tell what changes. Used through the package's entry, as a user would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  Router,
  Session,
  type RegistrationEvent,
  type RouterEvents,
  type SessionInfo,
  type SubscriptionEvent,
} from '../../src';

async function join(router: Router, realm = 'realm1'): Promise<Session> {
  const s = new Session(router.connectLocal(), { realm });
  await s.join();
  return s;
}

/** Every emission of the router's events `names`, in order, as [name, argument]. */
function record<K extends keyof RouterEvents>(router: Router, names: K[]): Array<[K, RouterEvents[K][0]]> {
  const seen: Array<[K, RouterEvents[K][0]]> = [];
  for (const name of names)
    (router.on as (n: K, l: (a: RouterEvents[K][0]) => void) => Router)(name, (a) => seen.push([name, a]));
  return seen;
}

/** Lets the in-process transport deliver what is in flight. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('router inspection: snapshot and typed events', () => {
  let router: Router;
  const open: Session[] = [];

  /** A trusted internal session of realm1 holding a registration and a subscription of com.internal. */
  async function internalSession(): Promise<void> {
    const internal = new Session(router.connectLocal({ trusted: true, internal: true }), { realm: 'realm1' });
    await internal.join();
    open.push(internal);
    await internal.register('com.internal', () => 1);
    await internal.subscribe('com.internal', () => undefined);
  }
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }, { name: 'realm2' }] });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => (s.isOpen ? s.leave() : undefined)));
    await router.close();
  });

  describe('the snapshot lists realms, client sessions, registrations, subscriptions and counters', () => {
    it('an idle router: its realms in creation order, empty, the meta API left out', () => {
      assert.deepEqual(router.snapshot(), {
        realms: ['realm1', 'realm2'].map((name) => ({
          name,
          sessions: [],
          registrations: [],
          subscriptions: [],
          traffic: { messagesIn: 0, messagesOut: 0 },
          history: [],
          revocations: [],
        })),
        sessionCount: 0,
        handshakingCount: 0,
      });
    });

    it('sessions: identity, transport, join time and message counts', async () => {
      const before = Date.now();
      const s = await join(router);
      open.push(s);
      const snap = router.snapshot();
      assert.equal(snap.sessionCount, 1);
      const [info] = snap.realms[0].sessions;
      assert.equal(info.id, s.id);
      assert.equal(info.realm, 'realm1');
      assert.equal(info.authid, s.details.authid);
      assert.equal(info.authrole, 'anonymous');
      assert.equal(info.authmethod, 'anonymous');
      assert.deepEqual(info.transport, { type: 'local', serializer: 'none', secure: true });
      assert.ok(info.joinedAt instanceof Date && info.joinedAt.getTime() >= before - 1000);
      assert.equal(info.messagesIn, 1, 'HELLO');
      assert.equal(info.messagesOut, 1, 'WELCOME');
      assert.deepEqual(snap.realms[1].sessions, []);
    });

    it('registrations: uri, match, invoke, callees in order, calls served', async () => {
      const a = await join(router);
      const b = await join(router);
      const caller = await join(router);
      open.push(a, b, caller);
      await a.register('com.add', () => 1, { invoke: 'roundrobin' });
      await b.register('com.add', () => 2, { invoke: 'roundrobin' });
      await caller.call('com.add');
      const [reg] = router.snapshot().realms[0].registrations;
      assert.deepEqual(
        { ...reg, id: 0, created: null },
        {
          id: 0,
          uri: 'com.add',
          match: 'exact',
          invoke: 'roundrobin',
          callees: [a.id, b.id],
          calls: 1,
          created: null,
        },
      );
      assert.ok(reg.id > 0 && reg.created instanceof Date);
    });

    it('subscriptions: uri, match, subscribers, events delivered; and the realm traffic', async () => {
      const a = await join(router);
      const b = await join(router);
      open.push(a, b);
      let got = 0;
      await a.subscribe('com.news', () => got++, { match: 'prefix' });
      await b.subscribe('com.news', () => got++, { match: 'prefix' });
      await a.publish('com.news.today', [1], {}, { acknowledge: true, exclude_me: false });
      const realm = router.snapshot().realms[0];
      assert.equal(realm.subscriptions.length, 1);
      const [sub] = realm.subscriptions;
      assert.equal(sub.uri, 'com.news');
      assert.equal(sub.match, 'prefix');
      assert.deepEqual([...sub.subscribers].sort(), [a.id, b.id].sort());
      assert.equal(sub.events, 2);
      assert.deepEqual(realm.traffic, router.traffic('realm1'));
      // WELCOME ×2, SUBSCRIBE/SUBSCRIBED ×2, PUBLISH/PUBLISHED, EVENT ×2.
      assert.deepEqual(realm.traffic, { messagesIn: 3, messagesOut: 7 });
      assert.equal(router.traffic('nowhere'), undefined);
    });

    it('is a copy: changing it changes nothing in the router', async () => {
      const s = await join(router);
      open.push(s);
      await s.register('com.p', () => 1);
      const snap = router.snapshot();
      snap.realms[0].sessions[0].transport.type = 'websocket';
      snap.realms[0].sessions[0].joinedAt.setTime(0);
      snap.realms[0].registrations[0].callees.push(42);
      snap.realms[0].traffic.messagesIn = 1000;
      router.traffic('realm1')!.messagesOut = 1000;
      const again = router.snapshot().realms[0];
      assert.equal(again.sessions[0].transport.type, 'local');
      assert.notEqual(again.sessions[0].joinedAt.getTime(), 0);
      assert.deepEqual(again.registrations[0].callees, [s.id]);
      assert.notEqual(again.traffic.messagesIn, 1000);
      assert.notEqual(again.traffic.messagesOut, 1000);
    });

    it('leaves out the router’s own sessions and what only they hold', async () => {
      await internalSession();
      const realm = router.snapshot().realms[0];
      assert.deepEqual([realm.sessions, realm.registrations, realm.subscriptions], [[], [], []]);
      assert.equal(router.snapshot().sessionCount, 0);
    });

    it('counts connections still in their handshake', () => {
      const transport = router.connectLocal();
      assert.equal(router.snapshot().handshakingCount, 1);
      transport.close();
    });
  });

  describe('events tell what changes, as records', () => {
    it('session join and leave carry the session’s record', async () => {
      const seen = record(router, ['session-join', 'session-leave']);
      const s = await join(router);
      const id = s.id;
      await s.leave();
      await settle();
      assert.deepEqual(
        seen.map(([name, info]) => [name, (info as SessionInfo).id, (info as SessionInfo).realm]),
        [
          ['session-join', id, 'realm1'],
          ['session-leave', id, 'realm1'],
        ],
      );
    });

    it('registration: create, register, unregister, delete; a second callee only registers', async () => {
      const seen = record(router, [
        'registration-create',
        'registration-register',
        'registration-unregister',
        'registration-delete',
      ]);
      const a = await join(router);
      const b = await join(router);
      open.push(a, b);
      const ra = await a.register('com.p', () => 1, { invoke: 'first' });
      const rb = await b.register('com.p', () => 2, { invoke: 'first' });
      await ra.unregister();
      await rb.unregister();
      await settle();
      const shown = seen.map(([name, e]) => {
        const { realm, session, registration } = e as RegistrationEvent;
        return [name, realm, session, registration.uri, registration.invoke, registration.callees];
      });
      assert.deepEqual(shown, [
        ['registration-create', 'realm1', a.id, 'com.p', 'first', [a.id]],
        ['registration-register', 'realm1', a.id, 'com.p', 'first', [a.id]],
        ['registration-register', 'realm1', b.id, 'com.p', 'first', [a.id, b.id]],
        ['registration-unregister', 'realm1', a.id, 'com.p', 'first', [b.id]],
        ['registration-unregister', 'realm1', b.id, 'com.p', 'first', []],
        ['registration-delete', 'realm1', b.id, 'com.p', 'first', []],
      ]);
    });

    it('subscription: create and subscribe, then unsubscribe and delete when its subscriber leaves, before it leaves', async () => {
      const seen = record(router, [
        'subscription-create',
        'subscription-subscribe',
        'subscription-unsubscribe',
        'subscription-delete',
        'session-leave',
      ]);
      const s = await join(router, 'realm2');
      await s.subscribe('com.t.', () => undefined, { match: 'prefix' });
      const id = s.id;
      await s.leave();
      await settle();
      const shown = seen.map(([name, e]) => {
        if (name === 'session-leave') return [name, (e as SessionInfo).id];
        const { realm, session, subscription } = e as SubscriptionEvent;
        return [name, realm, session, subscription.uri, subscription.match, subscription.subscribers];
      });
      assert.deepEqual(shown, [
        ['subscription-create', 'realm2', id, 'com.t.', 'prefix', [id]],
        ['subscription-subscribe', 'realm2', id, 'com.t.', 'prefix', [id]],
        ['subscription-unsubscribe', 'realm2', id, 'com.t.', 'prefix', []],
        ['subscription-delete', 'realm2', id, 'com.t.', 'prefix', []],
        ['session-leave', id],
      ]);
    });

    it('leave out the router’s own sessions (the meta API peer, a trusted internal session)', async () => {
      const seen = record(router, ['session-join', 'registration-create', 'subscription-create']);
      router.addRealm({ name: 'realm3' }); // its meta API peer registers wamp.* procedures
      await internalSession();
      await settle();
      assert.deepEqual(seen, []);
    });

    it('realms: created (configured, added, on demand) and removed', async () => {
      const onDemand = new Router({ autoCreateRealms: true });
      try {
        const seen = record(onDemand, ['realm-create', 'realm-remove', 'session-leave']);
        onDemand.addRealm({ name: 'added' });
        const s = await join(onDemand, 'made.on.demand');
        await s.leave();
        await settle();
        onDemand.removeRealm('added');
        assert.deepEqual(
          seen.map(([name, a]) => [name, typeof a === 'string' ? a : (a as SessionInfo).realm]),
          [
            ['realm-create', 'added'],
            ['realm-create', 'made.on.demand'],
            ['session-leave', 'made.on.demand'],
            ['realm-remove', 'made.on.demand'],
            ['realm-remove', 'added'],
          ],
        );
      } finally {
        await onDemand.close();
      }
    });

    it('a realm is listened to only while the router has a listener for the event', async () => {
      const realm = router.realm('realm1')!;
      const before = realm.listenerCount('registration-create');
      const listener = (): void => undefined;
      router.on('registration-create', listener);
      router.on('registration-create', listener);
      assert.equal(realm.listenerCount('registration-create'), before + 1);
      router.addRealm({ name: 'realm3' });
      assert.equal(router.realm('realm3')!.listenerCount('registration-create'), before + 1);
      router.off('registration-create', listener);
      assert.equal(realm.listenerCount('registration-create'), before + 1, 'one listener is left');
      router.off('registration-create', listener);
      assert.equal(realm.listenerCount('registration-create'), before);
      assert.equal(router.realm('realm3')!.listenerCount('registration-create'), before);
    });

    it('a listener that throws is logged; the session it is about is served all the same', async () => {
      const errors: string[] = [];
      const logged = new Router({
        realms: [{ name: 'realm1' }],
        logger: { info() {}, warn() {}, error: (m) => errors.push(m) },
      });
      try {
        logged.on('session-join', () => {
          throw new Error('listener bug');
        });
        logged.on('registration-create', () => {
          throw new Error('listener bug');
        });
        const s = await join(logged);
        await s.register('com.p', () => 7);
        assert.equal(await s.call('com.p').then((r) => r.args[0]), 7);
        await s.leave();
        assert.equal(errors.length, 2);
        assert.ok(errors.every((m) => /listener failed: Error: listener bug/.test(m)));
      } finally {
        await logged.close();
      }
    });
  });

  it('the README documents every event', () => {
    // Typed as a record of every RouterEvents key: a new event fails to compile until listed here.
    const events: Record<keyof RouterEvents, true> = {
      'session-join': true,
      'session-leave': true,
      'realm-create': true,
      'realm-remove': true,
      'registration-create': true,
      'registration-register': true,
      'registration-unregister': true,
      'registration-delete': true,
      'subscription-create': true,
      'subscription-subscribe': true,
      'subscription-unsubscribe': true,
      'subscription-delete': true,
    };
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    const library = readme.slice(readme.indexOf('## The library'), readme.indexOf('## Command-line router'));
    for (const name of Object.keys(events)) assert.ok(library.includes(`\`${name}\``), name);
    assert.match(library, /router\.snapshot\(\)/);
    assert.match(library, /router\.traffic\(realm\)/);
  });
});
