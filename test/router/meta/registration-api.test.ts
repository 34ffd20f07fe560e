// Registration meta API: wamp.registration.list/lookup/match/get/list_callees/count_callees and
// the on_create/on_register/on_unregister/on_delete events.
import assert from 'node:assert/strict';
import { Router } from '../../../src/router';
import { MessageType as M } from '../../../src/wamp/messages';
import { Peer } from '../peer';
import { eventOn, failure, results, takeEvents } from './helpers';

describe('registration meta API', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(() => router.close());

  describe('wamp.registration.list gives registration IDs by match policy', () => {
    it('lists exact, prefix and wildcard registrations, and not the meta procedures', async () => {
      const p = await Peer.join(router);
      assert.deepEqual(await results(p, 'wamp.registration.list'), [{ exact: [], prefix: [], wildcard: [] }]);
      const e = await p.register('com.app.add');
      const pre = await p.register('com.app.', { match: 'prefix' });
      const w = await p.register('com..get', { match: 'wildcard' });
      assert.deepEqual(await results(p, 'wamp.registration.list'), [
        { exact: [e], prefix: [pre], wildcard: [w] },
      ]);
    });
  });

  describe('wamp.registration.lookup finds the registration of a procedure under a match policy', () => {
    it('returns the ID or null', async () => {
      const p = await Peer.join(router);
      const e = await p.register('com.app.add');
      const pre = await p.register('com.app.', { match: 'prefix' });
      assert.deepEqual(await results(p, 'wamp.registration.lookup', ['com.app.add']), [e]);
      assert.deepEqual(await results(p, 'wamp.registration.lookup', ['com.app.add', { match: 'exact' }]), [
        e,
      ]);
      assert.deepEqual(await results(p, 'wamp.registration.lookup', ['com.app.', { match: 'prefix' }]), [
        pre,
      ]);
      assert.deepEqual(await results(p, 'wamp.registration.lookup', ['com.app.', { match: 'wildcard' }]), [
        null,
      ]);
      assert.deepEqual(await results(p, 'wamp.registration.lookup', ['com.other']), [null]);
      assert.deepEqual(
        await results(p, 'wamp.registration.lookup', ['wamp.session.count']),
        [null],
        'meta procedures are not reported',
      );
      assert.equal(
        await failure(p, 'wamp.registration.lookup', ['com.app.add', { match: 'fuzzy' }]),
        'wamp.error.invalid_argument',
      );
      assert.equal(await failure(p, 'wamp.registration.lookup', [7]), 'wamp.error.invalid_argument');
    });
  });

  describe('wamp.registration.match gives the registration a call would be routed to', () => {
    it('follows the precedence exact, longest prefix, wildcard; null when none', async () => {
      const p = await Peer.join(router);
      const e = await p.register('com.app.add');
      const pre = await p.register('com.app.', { match: 'prefix' });
      const longer = await p.register('com.app.math.', { match: 'prefix' });
      const w = await p.register('org..get', { match: 'wildcard' });
      assert.deepEqual(await results(p, 'wamp.registration.match', ['com.app.add']), [e]);
      assert.deepEqual(await results(p, 'wamp.registration.match', ['com.app.sub']), [pre]);
      assert.deepEqual(await results(p, 'wamp.registration.match', ['com.app.math.mul']), [longer]);
      assert.deepEqual(await results(p, 'wamp.registration.match', ['org.x.get']), [w]);
      assert.deepEqual(await results(p, 'wamp.registration.match', ['net.x']), [null]);
      assert.deepEqual(await results(p, 'wamp.registration.match', ['wamp.session.list']), [null]);
    });
  });

  describe('wamp.registration.get gives the registration details', () => {
    it('returns id, created (ISO 8601), uri, match and invoke', async () => {
      const p = await Peer.join(router);
      const before = Date.now();
      const id = await p.register('com.app.', { match: 'prefix', invoke: 'roundrobin' });
      const [d] = (await results(p, 'wamp.registration.get', [id])) as [Record<string, unknown>];
      assert.deepEqual(
        { ...d, created: undefined },
        { id, created: undefined, uri: 'com.app.', match: 'prefix', invoke: 'roundrobin' },
      );
      assert.match(d.created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Date.parse(d.created as string) >= before - 1000);
    });

    it('answers wamp.error.no_such_registration for an unknown ID and for a meta procedure', async () => {
      const p = await Peer.join(router);
      const metaReg = router.realm('realm1')!.dealer.lookup('wamp.session.count')!.id;
      for (const proc of [
        'wamp.registration.get',
        'wamp.registration.list_callees',
        'wamp.registration.count_callees',
      ]) {
        assert.equal(await failure(p, proc, [4242]), 'wamp.error.no_such_registration', proc);
        assert.equal(await failure(p, proc, [metaReg]), 'wamp.error.no_such_registration', proc);
      }
    });
  });

  describe('wamp.registration.list_callees and count_callees report the sessions attached', () => {
    it('lists every callee of a shared registration', async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id = await a.register('com.app.add', { invoke: 'random' });
      assert.equal(await b.register('com.app.add', { invoke: 'random' }), id);
      const [callees] = (await results(a, 'wamp.registration.list_callees', [id])) as [number[]];
      assert.deepEqual([...callees].sort(), [a.sessionId, b.sessionId].sort());
      assert.deepEqual(await results(a, 'wamp.registration.count_callees', [id]), [2]);
      b.close();
      await b.closed;
      assert.deepEqual(await results(a, 'wamp.registration.count_callees', [id]), [1]);
    });
  });

  describe('registration meta events', () => {
    it('on_create then on_register; on_unregister then on_delete, with the session ID', async () => {
      const watcher = await Peer.join(router);
      const subs: Record<string, number> = {};
      for (const e of ['on_create', 'on_register', 'on_unregister', 'on_delete'])
        subs[e] = await watcher.subscribe(`wamp.registration.${e}`);
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id = await a.register('com.app.add', { invoke: 'first' });
      const created = await eventOn(watcher, subs.on_create);
      assert.equal((created[4] as unknown[])[0], a.sessionId);
      const details = (created[4] as unknown[])[1] as Record<string, unknown>;
      assert.deepEqual(
        [details.id, details.uri, details.match, details.invoke],
        [id, 'com.app.add', 'exact', 'first'],
      );
      assert.equal(typeof details.created, 'string');
      assert.deepEqual((await eventOn(watcher, subs.on_register))[4], [a.sessionId, id]);

      await b.register('com.app.add', { invoke: 'first' });
      assert.deepEqual((await eventOn(watcher, subs.on_register))[4], [b.sessionId, id]);

      const req = a.request();
      a.send([M.UNREGISTER, req, id]);
      await a.answer(req, M.UNREGISTERED);
      assert.deepEqual((await eventOn(watcher, subs.on_unregister))[4], [a.sessionId, id]);
      b.close(); // a callee that leaves is unregistered too
      assert.deepEqual((await eventOn(watcher, subs.on_unregister))[4], [b.sessionId, id]);
      assert.deepEqual((await eventOn(watcher, subs.on_delete))[4], [b.sessionId, id]);
      await watcher.sync();
      for (const e of Object.keys(subs)) assert.deepEqual(takeEvents(watcher, subs[e]), [], `no more ${e}`);
    });

    it('the order is on_create before on_register and on_unregister before on_delete', async () => {
      const watcher = await Peer.join(router);
      const order = new Map<number, string>();
      for (const e of ['on_create', 'on_register', 'on_unregister', 'on_delete'])
        order.set(await watcher.subscribe(`wamp.registration.${e}`), e);
      const a = await Peer.join(router);
      const id = await a.register('com.app.x');
      const req = a.request();
      a.send([M.UNREGISTER, req, id]);
      await a.answer(req, M.UNREGISTERED);
      await a.sync();
      await watcher.sync();
      assert.deepEqual(
        watcher.queued(M.EVENT).map((m) => order.get(m[1] as number)),
        ['on_create', 'on_register', 'on_unregister', 'on_delete'],
      );
    });
  });
});
