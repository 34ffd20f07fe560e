import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { Peer } from './peer';

describe('router broker', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(() => router.close());

  async function publish(
    p: Peer,
    topic: string,
    options: Record<string, unknown> = {},
    args?: unknown[],
    kwargs?: Record<string, unknown>,
  ) {
    const request = p.request();
    const msg: unknown[] = [M.PUBLISH, request, { acknowledge: true, ...options }, topic];
    if (args) msg.push(args);
    if (kwargs) msg.push(kwargs);
    p.send(msg);
    return p.answer(request, M.PUBLISHED);
  }

  describe('a subscriber receives EVENTs for its topic', () => {
    it('delivers args and kwargs with the subscription ID', async () => {
      const sub = await Peer.join(router);
      const pub = await Peer.join(router);
      const id = await sub.subscribe('com.example.topic');
      const published = await publish(pub, 'com.example.topic', {}, [1, 'two'], { three: 3 });
      assert.equal(published[0], M.PUBLISHED);
      const event = await sub.next(M.EVENT);
      assert.deepEqual(event, [M.EVENT, id, published[2], {}, [1, 'two'], { three: 3 }]);
    });

    it('omits empty payload', async () => {
      const sub = await Peer.join(router);
      const pub = await Peer.join(router);
      await sub.subscribe('t');
      await publish(pub, 't');
      assert.equal((await sub.next(M.EVENT)).length, 4);
    });

    it('sends nothing to subscribers of other topics', async () => {
      const sub = await Peer.join(router);
      const pub = await Peer.join(router);
      await sub.subscribe('a.b');
      await publish(pub, 'a.c');
      await sub.sync();
      assert.deepEqual(sub.queued(M.EVENT), []);
    });
  });

  describe('acknowledge: PUBLISHED only when asked', () => {
    it('answers PUBLISHED with a publication ID, and nothing without acknowledge', async () => {
      const pub = await Peer.join(router);
      const published = await publish(pub, 't');
      assert.ok(Number.isInteger(published[2]));
      pub.send([M.PUBLISH, pub.request(), {}, 't']);
      await pub.sync();
      assert.deepEqual(pub.queued(M.PUBLISHED), []);
    });

    it('a publication that fails is answered with ERROR only when it was to be acknowledged', async () => {
      const pub = await Peer.join(router);
      pub.send([M.PUBLISH, pub.request(), {}, 'wamp.reserved.topic']);
      await pub.sync();
      assert.deepEqual(pub.queued(M.ERROR), [], 'no ERROR for an unacknowledged PUBLISH');
      const request = pub.request();
      pub.send([M.PUBLISH, request, { acknowledge: true }, 'wamp.reserved.topic']);
      const err = await pub.next(M.ERROR);
      assert.deepEqual([err[1], err[2], err[4]], [M.PUBLISH, request, 'wamp.error.invalid_uri']);
    });
  });

  describe('a repeated SUBSCRIBE returns the same subscription ID, shared by all subscribers', () => {
    it('gives one ID per topic and match', async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id1 = await a.subscribe('x.y');
      const id2 = await a.subscribe('x.y');
      const id3 = await b.subscribe('x.y');
      const id4 = await b.subscribe('x.y', { match: 'prefix' });
      assert.equal(id1, id2);
      assert.equal(id1, id3);
      assert.notEqual(id1, id4);
    });

    it('delivers one EVENT per subscription to a session subscribed twice alike', async () => {
      const a = await Peer.join(router);
      const pub = await Peer.join(router);
      await a.subscribe('x.y');
      await a.subscribe('x.y');
      await publish(pub, 'x.y');
      await a.next(M.EVENT);
      await a.sync();
      assert.deepEqual(a.queued(M.EVENT), []);
    });
  });

  describe('UNSUBSCRIBE stops EVENTs; an unknown subscription is ERROR wamp.error.no_such_subscription', () => {
    it('unsubscribes', async () => {
      const a = await Peer.join(router);
      const pub = await Peer.join(router);
      const id = await a.subscribe('t');
      const req = a.request();
      a.send([M.UNSUBSCRIBE, req, id]);
      assert.deepEqual(await a.answer(req, M.UNSUBSCRIBED), [M.UNSUBSCRIBED, req]);
      await publish(pub, 't');
      await a.sync();
      assert.deepEqual(a.queued(M.EVENT), []);
    });

    it("refuses an unknown ID, and another session's subscription", async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id = await a.subscribe('t');
      const req = b.request();
      b.send([M.UNSUBSCRIBE, req, id]);
      const err = await b.answer(req, M.UNSUBSCRIBED);
      assert.deepEqual(err.slice(0, 5), [M.ERROR, M.UNSUBSCRIBE, req, {}, 'wamp.error.no_such_subscription']);
    });
  });

  describe('publisher exclusion: exclude_me defaults to true', () => {
    it('does not send the publisher its own event unless exclude_me is false', async () => {
      const a = await Peer.join(router);
      await a.subscribe('t');
      await publish(a, 't', {}, ['first']);
      await publish(a, 't', { exclude_me: false }, ['second']);
      const event = await a.next(M.EVENT);
      assert.deepEqual(event[4], ['second']);
      await a.sync();
      assert.deepEqual(a.queued(M.EVENT), []);
    });
  });

  describe('publisher identification: disclose_me puts publisher, publisher_authid, publisher_authrole in EVENT details', () => {
    it('discloses when asked, and only then', async () => {
      const sub = await Peer.join(router);
      const pub = await Peer.join(router);
      await sub.subscribe('t');
      await publish(pub, 't', { disclose_me: true });
      const e1 = await sub.next(M.EVENT);
      assert.deepEqual(e1[3], {
        publisher: pub.sessionId,
        publisher_authid: pub.welcome.authid,
        publisher_authrole: 'anonymous',
      });
      await publish(pub, 't');
      assert.deepEqual((await sub.next(M.EVENT))[3], {});
    });
  });

  describe('pattern-based subscriptions: prefix and wildcard, with EVENT details.topic', () => {
    it('delivers to exact, prefix and wildcard subscriptions, each with its own ID', async () => {
      const sub = await Peer.join(router);
      const pub = await Peer.join(router);
      const exact = await sub.subscribe('com.app.item.update');
      const prefix = await sub.subscribe('com.app', { match: 'prefix' });
      const wildcard = await sub.subscribe('com..item.', { match: 'wildcard' });
      const other = await sub.subscribe('com..other.', { match: 'wildcard' });
      await publish(pub, 'com.app.item.update', {}, [7]);
      const events = [await sub.next(M.EVENT), await sub.next(M.EVENT), await sub.next(M.EVENT)];
      const bySub = new Map(events.map((e) => [e[1], e]));
      assert.deepEqual(bySub.get(exact)?.[3], {});
      assert.deepEqual(bySub.get(prefix)?.[3], { topic: 'com.app.item.update' });
      assert.deepEqual(bySub.get(wildcard)?.[3], { topic: 'com.app.item.update' });
      assert.equal(bySub.has(other), false);
      await sub.sync();
      assert.deepEqual(sub.queued(M.EVENT), []);
    });

    it('an unknown match policy is a protocol violation (as the spec test vectors say): ABORT', async () => {
      const sub = await Peer.join(router);
      sub.send([M.SUBSCRIBE, sub.request(), { match: 'regex' }, 'a']);
      await sub.protocolViolation(/match/);
    });
  });

  describe('subscriber black- and whitelisting: exclude, exclude_authid, exclude_authrole, eligible, eligible_authid, eligible_authrole combine with AND', () => {
    let subs: Peer[];
    let pub: Peer;
    beforeEach(async () => {
      await router.close();
      router = new Router({
        realms: [{ name: 'realm1' }],
        authenticators: () => [
          {
            method: 'anonymous',
            begin: (hello) => ({
              kind: 'welcome',
              identity: {
                authid: hello.authid ?? 'x',
                authrole: String(hello.authextra.role ?? 'user'),
                authmethod: 'anonymous',
                authprovider: 'static',
              },
            }),
          },
        ],
      });
      const as = (authid: string, role: string) =>
        Peer.join(router, 'realm1', { roles: {}, authid, authextra: { role } });
      subs = [await as('alice', 'admin'), await as('bob', 'user'), await as('carol', 'user')];
      pub = await as('pub', 'user');
      for (const s of subs) await s.subscribe('t');
    });

    async function receivers(options: Record<string, unknown>): Promise<string[]> {
      await publish(pub, 't', options);
      await Promise.all(subs.map((s) => s.sync()));
      const got: string[] = [];
      for (const s of subs) {
        if (s.queued(M.EVENT).length > 0) got.push(String(s.welcome.authid));
        s.received.length = 0;
      }
      return got;
    }

    it('applies each list', async () => {
      assert.deepEqual(await receivers({}), ['alice', 'bob', 'carol']);
      assert.deepEqual(await receivers({ exclude: [subs[0].sessionId] }), ['bob', 'carol']);
      assert.deepEqual(await receivers({ exclude_authid: ['bob'] }), ['alice', 'carol']);
      assert.deepEqual(await receivers({ exclude_authrole: ['user'] }), ['alice']);
      assert.deepEqual(await receivers({ eligible: [subs[1].sessionId] }), ['bob']);
      assert.deepEqual(await receivers({ eligible_authid: ['alice', 'carol'] }), ['alice', 'carol']);
      assert.deepEqual(await receivers({ eligible_authrole: ['user'] }), ['bob', 'carol']);
    });

    it('combines lists with AND', async () => {
      assert.deepEqual(await receivers({ eligible_authrole: ['user'], exclude_authid: ['bob'] }), ['carol']);
      assert.deepEqual(
        await receivers({ eligible: [subs[0].sessionId, subs[1].sessionId], eligible_authrole: ['user'] }),
        ['bob'],
      );
    });

    it('a malformed list is a protocol violation (as the spec test vectors say): ABORT', async () => {
      pub.send([M.PUBLISH, pub.request(), { exclude: 'bob', acknowledge: true }, 't']);
      await pub.protocolViolation(/exclude/);
    });
  });

  describe('event retention: retain keeps the last event per topic, get_retained delivers it after SUBSCRIBED', () => {
    it('delivers the last retained event with details.retained', async () => {
      const pub = await Peer.join(router);
      await publish(pub, 'r.t', { retain: true }, ['old']);
      const p2 = await publish(pub, 'r.t', { retain: true }, ['new']);
      await publish(pub, 'r.t', {}, ['not retained']);
      const sub = await Peer.join(router);
      const req = sub.request();
      sub.send([M.SUBSCRIBE, req, { get_retained: true }, 'r.t']);
      await sub.sync();
      const [subscribed, event, ...rest] = sub.received;
      assert.equal(subscribed[0], M.SUBSCRIBED, 'SUBSCRIBED comes first');
      assert.deepEqual(event, [M.EVENT, subscribed[2], p2[2], { retained: true }, ['new']]);
      assert.deepEqual(rest, []);
    });

    it('sends nothing retained without get_retained, and retained events of every matching topic to a pattern subscription', async () => {
      const pub = await Peer.join(router);
      await publish(pub, 'r.a', { retain: true }, ['a']);
      await publish(pub, 'r.b', { retain: true }, ['b']);
      await publish(pub, 's.c', { retain: true }, ['c']);
      const sub = await Peer.join(router);
      await sub.subscribe('r.a');
      await sub.sync();
      assert.deepEqual(sub.queued(M.EVENT), []);
      await sub.subscribe('r.', { match: 'prefix', get_retained: true });
      const events = [await sub.next(M.EVENT), await sub.next(M.EVENT)].map((e) => [
        (e[3] as { topic: string }).topic,
        e[4],
      ]);
      assert.deepEqual(events.sort(), [
        ['r.a', ['a']],
        ['r.b', ['b']],
      ]);
    });
  });

  describe('URIs: invalid ones are wamp.error.invalid_uri; clients may not publish into wamp.', () => {
    it('refuses', async () => {
      const p = await Peer.join(router);
      assert.equal((await publish(p, 'bad uri'))[4], 'wamp.error.invalid_uri');
      assert.equal((await publish(p, 'a..b'))[4], 'wamp.error.invalid_uri');
      assert.equal((await publish(p, 'wamp.session.on_join'))[4], 'wamp.error.invalid_uri');
      const req = p.request();
      p.send([M.SUBSCRIBE, req, {}, 'a..b']);
      assert.equal((await p.answer(req, M.SUBSCRIBED))[4], 'wamp.error.invalid_uri');
      // Subscribing to the router's own topics is fine.
      await p.subscribe('wamp.session.on_join');
    });
  });

  describe('authorization: a refused publish or subscribe is ERROR wamp.error.not_authorized', () => {
    it('asks authorize() with realm, role, action and URI', async () => {
      await router.close();
      const asked: string[] = [];
      router = new Router({
        realms: [{ name: 'realm1' }],
        authorize: (realm, role, action, uri) => {
          asked.push(`${realm.name} ${role} ${action} ${uri}`);
          return uri.startsWith('open.');
        },
      });
      const p = await Peer.join(router);
      await p.subscribe('open.t');
      assert.equal((await publish(p, 'closed.t'))[4], 'wamp.error.not_authorized');
      const req = p.request();
      p.send([M.SUBSCRIBE, req, {}, 'closed.t']);
      assert.equal((await p.answer(req, M.SUBSCRIBED))[4], 'wamp.error.not_authorized');
      assert.deepEqual(asked, [
        'realm1 anonymous subscribe open.t',
        'realm1 anonymous publish closed.t',
        'realm1 anonymous subscribe closed.t',
      ]);
    });
  });

  describe('a leaving session loses its subscriptions, and empty ones are deleted', () => {
    it('emits unsubscribe and delete on the realm', async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id = await a.subscribe('t');
      await b.subscribe('t');
      const realm = router.realm('realm1')!;
      const seen: string[] = [];
      for (const e of ['subscription-unsubscribe', 'subscription-delete'])
        realm.on(e, (_s, sub) => seen.push(`${e} ${sub.id === id}`));
      a.close();
      await a.closed;
      await b.sync();
      assert.deepEqual(seen, ['subscription-unsubscribe true']);
      assert.ok(realm.broker.get(id));
      b.close();
      await b.closed;
      const c = await Peer.join(router);
      await c.sync();
      assert.deepEqual(seen, [
        'subscription-unsubscribe true',
        'subscription-unsubscribe true',
        'subscription-delete true',
      ]);
      assert.equal(realm.broker.get(id), undefined);
      assert.deepEqual(realm.broker.list(), []);
    });
  });
});
