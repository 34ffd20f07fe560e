// Testament meta API: wamp.session.add_testament / flush_testaments, and testaments published
// through the broker when their session ends.
import assert from 'node:assert/strict';
import { Router } from '../../../src/router';
import { MessageType as M } from '../../../src/wamp/messages';
import { Peer } from '../peer';
import { eventOn, failure, joinAs, results, takeEvents, namedLoginRouter } from './helpers';

describe('testament meta API', () => {
  let router: Router;
  beforeEach(() => {
    router = namedLoginRouter();
  });
  afterEach(() => router.close());

  async function setUp(): Promise<{ author: Peer; watcher: Peer; sub: number }> {
    const author = await joinAs(router, 'alice@device');
    const watcher = await joinAs(router, 'bob');
    const sub = await watcher.subscribe('com.app.gone');
    return { author, watcher, sub };
  }

  describe('a testament is published when its session ends', () => {
    it('on GOODBYE, with the given args and kwargs, and without disclosing anyone', async () => {
      const { author, watcher, sub } = await setUp();
      const [id] = await results(author, 'wamp.session.add_testament', [
        'com.app.gone',
        ['bye'],
        { who: 'alice' },
      ]);
      assert.equal(typeof id, 'number');
      await watcher.sync();
      assert.deepEqual(takeEvents(watcher, sub), [], 'not before the session ends');
      author.send([M.GOODBYE, {}, 'wamp.close.normal']);
      const ev = await eventOn(watcher, sub);
      assert.deepEqual(ev[3], {});
      assert.deepEqual(ev.slice(4), [['bye'], { who: 'alice' }]);
    });

    it('when the transport is lost', async () => {
      const { author, watcher, sub } = await setUp();
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['lost']]);
      author.close();
      assert.deepEqual((await eventOn(watcher, sub))[4], ['lost']);
    });

    it('when the session is killed', async () => {
      const { author, watcher, sub } = await setUp();
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['killed']]);
      await results(watcher, 'wamp.session.kill', [author.sessionId]);
      assert.deepEqual((await eventOn(watcher, sub))[4], ['killed']);
    });

    it('discloses the gone session when its publish options ask for it', async () => {
      const { author, watcher, sub } = await setUp();
      await results(author, 'wamp.session.add_testament', ['com.app.gone', [1]], {
        publish_options: { disclose_me: true, acknowledge: true },
      });
      author.close();
      const ev = await eventOn(watcher, sub);
      assert.deepEqual(ev[3], {
        publisher: author.sessionId,
        publisher_authid: 'alice',
        publisher_authrole: 'device',
      });
    });

    it('keeps the publish options: a testament limited to eligible sessions reaches only them', async () => {
      const { author, watcher, sub } = await setUp();
      const other = await joinAs(router, 'carol');
      const otherSub = await other.subscribe('com.app.gone');
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['only carol']], {
        publish_options: { eligible: [other.sessionId] },
      });
      author.close();
      assert.deepEqual((await eventOn(other, otherSub))[4], ['only carol']);
      await watcher.sync();
      assert.deepEqual(takeEvents(watcher, sub), []);
    });

    it('publishes detached testaments before destroyed ones, each in the order added, and on_leave after them', async () => {
      const { author, watcher, sub } = await setUp();
      const onLeave = await watcher.subscribe('wamp.session.on_leave');
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['destroyed 1']]);
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['detached 1']], {
        scope: 'detached',
      });
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['destroyed 2']], {
        scope: 'destroyed',
      });
      author.close();
      await eventOn(watcher, onLeave);
      await watcher.sync();
      assert.deepEqual(
        takeEvents(watcher, sub).map((m) => (m[4] as string[])[0]),
        ['detached 1', 'destroyed 1', 'destroyed 2'],
      );
    });

    it('other sessions ending do not publish the author’s testament', async () => {
      const { author, watcher, sub } = await setUp();
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['x']]);
      const third = await joinAs(router, 'dave');
      third.close();
      await third.closed;
      await watcher.sync();
      assert.deepEqual(takeEvents(watcher, sub), []);
    });
  });

  describe('wamp.session.flush_testaments removes the testaments of a scope', () => {
    it('returns how many were flushed, and they are not published', async () => {
      const { author, watcher, sub } = await setUp();
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['a']]);
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['b']]);
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['c']], { scope: 'detached' });
      assert.deepEqual(
        await results(author, 'wamp.session.flush_testaments'),
        [2],
        'destroyed is the default scope',
      );
      assert.deepEqual(await results(author, 'wamp.session.flush_testaments'), [0]);
      author.close();
      assert.deepEqual((await eventOn(watcher, sub))[4], ['c']);
      await watcher.sync();
      assert.deepEqual(takeEvents(watcher, sub), []);
    });

    it('flushes the detached scope on request', async () => {
      const { author, watcher, sub } = await setUp();
      await results(author, 'wamp.session.add_testament', ['com.app.gone', ['d']], { scope: 'detached' });
      assert.deepEqual(
        await results(author, 'wamp.session.flush_testaments', [], { scope: 'detached' }),
        [1],
      );
      author.close();
      await author.closed;
      await watcher.sync();
      assert.deepEqual(takeEvents(watcher, sub), []);
    });
  });

  describe('add_testament checks its arguments as a PUBLISH would be checked', () => {
    it('refuses a bad scope, bad payload, bad options and topics the caller may not publish to', async () => {
      const author = await joinAs(router, 'alice');
      assert.equal(
        await failure(author, 'wamp.session.add_testament', ['com.app.gone', [], {}], { scope: 'forever' }),
        'wamp.error.invalid_argument',
      );
      assert.equal(
        await failure(author, 'wamp.session.flush_testaments', [], { scope: 'forever' }),
        'wamp.error.invalid_argument',
      );
      assert.equal(
        await failure(author, 'wamp.session.add_testament', ['com.app.gone', 'not a list']),
        'wamp.error.invalid_argument',
      );
      assert.equal(
        await failure(author, 'wamp.session.add_testament', ['com.app.gone', [], []]),
        'wamp.error.invalid_argument',
      );
      assert.equal(
        await failure(author, 'wamp.session.add_testament', ['com.app.gone', []], {
          publish_options: { exclude: 'x' },
        }),
        'wamp.error.invalid_argument',
      );
      assert.equal(
        await failure(author, 'wamp.session.add_testament', ['not a topic!', []]),
        'wamp.error.invalid_uri',
      );
      assert.equal(
        await failure(author, 'wamp.session.add_testament', ['wamp.session.on_join', [{}]]),
        'wamp.error.invalid_uri',
        'wamp. is reserved',
      );
      assert.equal(await failure(author, 'wamp.session.add_testament', []), 'wamp.error.invalid_argument');
      author.close();
      await author.closed;
    });

    it('refuses a topic the caller’s role may not publish to', async () => {
      await router.close();
      router = namedLoginRouter({
        name: 'realm1',
        roles: [
          {
            name: 'user',
            permissions: [
              { uri: 'wamp.session.', match: 'prefix', call: true },
              { uri: 'com.app.', match: 'prefix', subscribe: true },
            ],
          },
        ],
      });
      const author = await joinAs(router, 'alice@user');
      assert.equal(
        await failure(author, 'wamp.session.add_testament', ['com.app.gone', []]),
        'wamp.error.not_authorized',
      );
    });

    it('a client cannot make a testament impersonate another session', async () => {
      const { author, watcher, sub } = await setUp();
      const forged = { session: watcher.sessionId, authid: 'bob', authrole: 'user' };
      await results(author, 'wamp.session.add_testament', ['com.app.gone', []], {
        publish_options: { _on_behalf_of: forged },
      });
      author.close();
      assert.deepEqual((await eventOn(watcher, sub))[3], {});
    });

    it('nor can a client PUBLISH on behalf of another: only the router’s trusted peer may', async () => {
      const { author, watcher, sub } = await setUp();
      const forged = { session: watcher.sessionId, authid: 'bob', authrole: 'user' };
      author.send([
        M.PUBLISH,
        author.request(),
        { disclose_me: true, _on_behalf_of: forged },
        'com.app.gone',
        [],
      ]);
      assert.deepEqual((await eventOn(watcher, sub))[3], {
        publisher: author.sessionId,
        publisher_authid: 'alice',
        publisher_authrole: 'device',
      });
    });
  });
});

describe('testaments when the realm or the router shuts down', () => {
  for (const how of ['router.close()', 'router.removeRealm()'] as const) {
    it(`${how}: every testament reaches its subscribers before their GOODBYE`, async () => {
      const router = new Router({ realms: [{ name: 'realm1' }] });
      const listener = await Peer.join(router);
      await listener.subscribe('com.device.gone');
      const device = await Peer.join(router);
      const added = await device.call('wamp.session.add_testament', ['com.device.gone', ['bye'], {}]);
      assert.equal(added[0], M.RESULT);
      if (how === 'router.close()') await router.close();
      else router.removeRealm('realm1');
      const event = await listener.next(M.EVENT);
      assert.deepEqual(event[4], ['bye']);
      const i = listener.received.findIndex((m) => m[0] === M.EVENT);
      const g = listener.received.findIndex((m) => m[0] === M.GOODBYE);
      assert.ok(g < 0 || i < g, 'the EVENT comes before GOODBYE');
      await router.close();
    });
  }
});
