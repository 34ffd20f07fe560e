// Subscription meta API: wamp.subscription.list/lookup/match/get/list_subscribers/
// count_subscribers and the on_create/on_subscribe/on_unsubscribe/on_delete events.
import assert from 'node:assert/strict';
import { Router } from '../../../src/router';
import { MessageType as M } from '../../../src/wamp/messages';
import { Peer } from '../peer';
import { failure, results } from './helpers';

describe('subscription meta API', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(() => router.close());

  describe('wamp.subscription.list gives subscription IDs by match policy', () => {
    it('lists exact, prefix and wildcard subscriptions', async () => {
      const p = await Peer.join(router);
      assert.deepEqual(await results(p, 'wamp.subscription.list'), [{ exact: [], prefix: [], wildcard: [] }]);
      const e = await p.subscribe('com.app.news');
      const pre = await p.subscribe('com.app.', { match: 'prefix' });
      const w = await p.subscribe('com..news', { match: 'wildcard' });
      assert.deepEqual(await results(p, 'wamp.subscription.list'), [
        { exact: [e], prefix: [pre], wildcard: [w] },
      ]);
    });
  });

  describe('wamp.subscription.lookup finds the subscription of a topic under a match policy', () => {
    it('returns the ID or null', async () => {
      const p = await Peer.join(router);
      const e = await p.subscribe('com.app.news');
      const w = await p.subscribe('com..news', { match: 'wildcard' });
      assert.deepEqual(await results(p, 'wamp.subscription.lookup', ['com.app.news']), [e]);
      assert.deepEqual(await results(p, 'wamp.subscription.lookup', ['com..news', { match: 'wildcard' }]), [
        w,
      ]);
      assert.deepEqual(await results(p, 'wamp.subscription.lookup', ['com..news']), [null]);
      assert.equal(
        await failure(p, 'wamp.subscription.lookup', ['com.app.news', { match: 1 }]),
        'wamp.error.invalid_argument',
      );
    });
  });

  describe('wamp.subscription.match lists every subscription a publication would reach', () => {
    it('returns the IDs irrespective of match policy, or null when none', async () => {
      const p = await Peer.join(router);
      const e = await p.subscribe('com.app.news');
      const pre = await p.subscribe('com.app.', { match: 'prefix' });
      const w = await p.subscribe('com..news', { match: 'wildcard' });
      await p.subscribe('org.other');
      const [ids] = (await results(p, 'wamp.subscription.match', ['com.app.news'])) as [number[]];
      assert.deepEqual([...ids].sort(), [e, pre, w].sort());
      assert.deepEqual(await results(p, 'wamp.subscription.match', ['com.app.sport']), [[pre]]);
      assert.deepEqual(await results(p, 'wamp.subscription.match', ['net.nothing']), [null]);
    });
  });

  describe('wamp.subscription.get gives the subscription details', () => {
    it('returns id, created (ISO 8601), uri and match', async () => {
      const p = await Peer.join(router);
      const id = await p.subscribe('com..news', { match: 'wildcard' });
      const [d] = (await results(p, 'wamp.subscription.get', [id])) as [Record<string, unknown>];
      assert.deepEqual(Object.keys(d).sort(), ['created', 'id', 'match', 'uri']);
      assert.deepEqual([d.id, d.uri, d.match], [id, 'com..news', 'wildcard']);
      assert.equal(new Date(d.created as string).toISOString(), d.created);
    });

    it('answers wamp.error.no_such_subscription for an unknown ID', async () => {
      const p = await Peer.join(router);
      for (const proc of [
        'wamp.subscription.get',
        'wamp.subscription.list_subscribers',
        'wamp.subscription.count_subscribers',
      ]) {
        assert.equal(await failure(p, proc, [777]), 'wamp.error.no_such_subscription', proc);
      }
      assert.equal(await failure(p, 'wamp.subscription.get', []), 'wamp.error.invalid_argument');
    });
  });

  describe('wamp.subscription.list_subscribers and count_subscribers report the sessions attached', () => {
    it('lists every subscriber of a subscription', async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id = await a.subscribe('com.app.news');
      assert.equal(await b.subscribe('com.app.news'), id);
      const [ids] = (await results(a, 'wamp.subscription.list_subscribers', [id])) as [number[]];
      assert.deepEqual([...ids].sort(), [a.sessionId, b.sessionId].sort());
      assert.deepEqual(await results(a, 'wamp.subscription.count_subscribers', [id]), [2]);
    });
  });

  describe('subscription meta events', () => {
    it('on_create, on_subscribe, on_unsubscribe, on_delete in order, with the session ID', async () => {
      const watcher = await Peer.join(router);
      const names = new Map<number, string>();
      for (const e of ['on_create', 'on_subscribe', 'on_unsubscribe', 'on_delete'])
        names.set(await watcher.subscribe(`wamp.subscription.${e}`), e);
      await watcher.sync();
      watcher.received.splice(0); // the events of the watcher's own subscriptions
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id = await a.subscribe('com.app.news', {});
      await b.subscribe('com.app.news');
      const req = a.request();
      a.send([M.UNSUBSCRIBE, req, id]);
      await a.answer(req, M.UNSUBSCRIBED);
      b.close();
      await b.closed;
      await a.sync();
      await watcher.sync();
      const events = watcher.queued(M.EVENT).map((m) => [names.get(m[1] as number), m[4]]);
      assert.equal(events.length, 6);
      const [name, [session, details]] = events[0] as [string, [number, Record<string, unknown>]];
      assert.deepEqual(
        [name, session, details.id, details.uri, details.match],
        ['on_create', a.sessionId, id, 'com.app.news', 'exact'],
      );
      assert.deepEqual(events.slice(1), [
        ['on_subscribe', [a.sessionId, id]],
        ['on_subscribe', [b.sessionId, id]],
        ['on_unsubscribe', [a.sessionId, id]],
        ['on_unsubscribe', [b.sessionId, id]],
        ['on_delete', [b.sessionId, id]],
      ]);
    });

    it('reports the watcher’s own subscriptions to meta topics like any other', async () => {
      const watcher = await Peer.join(router);
      const onCreate = await watcher.subscribe('wamp.subscription.on_create');
      const [lists] = (await results(watcher, 'wamp.subscription.list')) as [{ exact: number[] }];
      assert.deepEqual(lists.exact, [onCreate]);
    });
  });
});
