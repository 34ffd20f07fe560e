// The runtime side of the router view without Node-RED: the snapshot of a router, the rate
// sampler, the operator's requests and actions, and the watch that decides what to push.
import assert from 'node:assert/strict';
import { Result, Session } from '../../src/client';
import { Router } from '../../src/router';
import { connectTransport } from '../../src/transports';
import { RateSampler } from '../../nodes/shared/rate-sampler';
import {
  killSession,
  parseCall,
  parseKill,
  parsePublish,
  testCall,
  testPublish,
} from '../../nodes/shared/router-operator';
import { publishRouter, withdrawRouter } from '../../nodes/shared/router-registry';
import { routerSnapshot, snapshotsDiffer } from '../../nodes/shared/router-snapshot';
import { LIST_TOPIC, RouterWatch, TOPIC_PREFIX } from '../../nodes/shared/router-watch';

async function join(router: Router, realm = 'realm1'): Promise<Session> {
  const s = new Session(router.connectLocal(), { realm });
  await s.join();
  return s;
}

function closed(s: Session): Promise<{ reason: string; byRouter: boolean }> {
  return new Promise((resolve) => s.once('close', resolve));
}

describe('router view: runtime side', () => {
  let router: Router;
  const open: Session[] = [];
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }, { name: 'realm2' }] });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => (s.isOpen ? s.leave() : undefined)));
    await router.close();
  });

  describe('a snapshot shows each realm with its client sessions, registrations and subscriptions', () => {
    it('shows sessions with identity, transport, join time and message counts', async () => {
      const s = await join(router);
      open.push(s);
      const snap = routerSnapshot('n1', 'My router', router, undefined, new Date(0));
      assert.equal(snap.id, 'n1');
      assert.equal(snap.name, 'My router');
      assert.equal(snap.at, '1970-01-01T00:00:00.000Z');
      assert.equal(snap.sessionCount, 1);
      assert.deepEqual(
        snap.realms.map((r) => r.name),
        ['realm1', 'realm2'],
      );
      const [view] = snap.realms[0].sessions;
      assert.equal(view.id, s.id);
      assert.equal(view.authid, s.details.authid);
      assert.equal(view.authrole, 'anonymous');
      assert.equal(view.authmethod, 'anonymous');
      assert.equal(view.transport, 'local');
      assert.equal(view.serializer, 'none');
      assert.equal(view.messagesIn, 1, 'HELLO');
      assert.equal(view.messagesOut, 1, 'WELCOME');
      assert.ok(Date.now() - Date.parse(view.joinedAt) < 5000);
      assert.deepEqual(snap.realms[1].sessions, []);
      // JSON-ready: what the comms channel and the HTTP answer carry.
      assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
    });

    it('shows a long-poll session with transport longpoll and its serializer', async () => {
      const listener = await router.listen({ port: 0 });
      const s = new Session(await connectTransport({ url: listener.longPollUrl, serializer: 'msgpack' }), {
        realm: 'realm1',
      });
      await s.join();
      open.push(s);
      const [view] = routerSnapshot('n1', 'My router', router).realms[0].sessions;
      assert.equal(view.transport, 'longpoll');
      assert.equal(view.serializer, 'msgpack');
      assert.equal(view.remoteAddress, '127.0.0.1');
    });

    it('shows registrations with callees and calls served, without the meta API procedures', async () => {
      const callee = await join(router);
      const caller = await join(router);
      open.push(callee, caller);
      await callee.register('com.add', (inv) => (inv.args as number[]).reduce((a, b) => a + b, 0));
      await caller.call('com.add', [1, 2]);
      await caller.call('com.add', [3, 4]);
      const regs = routerSnapshot('n1', 'r', router).realms[0].registrations;
      assert.equal(regs.length, 1);
      assert.deepEqual(
        { ...regs[0], id: 0, created: '' },
        {
          id: 0,
          procedure: 'com.add',
          match: 'exact',
          invoke: 'single',
          callees: [callee.id],
          calls: 2,
          created: '',
        },
      );
    });

    it('shows subscriptions with subscribers and events delivered', async () => {
      const a = await join(router);
      const b = await join(router);
      open.push(a, b);
      let got = 0;
      await a.subscribe('com.news', () => got++, { match: 'prefix' });
      await b.subscribe('com.news', () => got++, { match: 'prefix' });
      await a.publish('com.news.today', [1], {}, { acknowledge: true, exclude_me: false });
      const subs = routerSnapshot('n1', 'r', router).realms[0].subscriptions;
      assert.equal(subs.length, 1);
      assert.equal(subs[0].topic, 'com.news');
      assert.equal(subs[0].match, 'prefix');
      assert.deepEqual([...subs[0].subscribers].sort(), [a.id, b.id].sort());
      assert.equal(subs[0].events, 2);
    });

    it('drops a session once it has left', async () => {
      const s = await join(router);
      assert.equal(routerSnapshot('n1', 'r', router).realms[0].sessions.length, 1);
      await s.leave();
      assert.equal(routerSnapshot('n1', 'r', router).realms[0].sessions.length, 0);
    });

    it('differs from another only in content, not in the time it was taken', () => {
      const a = routerSnapshot('n1', 'r', router, undefined, new Date(0));
      const b = routerSnapshot('n1', 'r', router, undefined, new Date(1000));
      assert.equal(snapshotsDiffer(a, b), false);
      assert.equal(snapshotsDiffer(undefined, b), true);
      assert.equal(snapshotsDiffer(a, { ...b, sessionCount: 1 }), true);
    });
  });

  describe('the rate sampler keeps a minute of messages per second, per realm', () => {
    it('samples the client messages since the previous sample, oldest first', async () => {
      const sampler = new RateSampler(router, 5);
      assert.deepEqual(sampler.rates('realm1'), [0, 0, 0, 0, 0]);
      assert.deepEqual(sampler.rates('realm9'), []);
      sampler.sample();
      assert.deepEqual(sampler.rates('realm1'), [0, 0, 0, 0, 0]);
      const s = await join(router);
      open.push(s);
      await s.call('wamp.session.count');
      sampler.sample();
      // HELLO is before the realm; WELCOME, CALL and RESULT are in it.
      assert.deepEqual(sampler.rates('realm1'), [0, 0, 0, 0, 3]);
      assert.deepEqual(sampler.rates('realm2'), [0, 0, 0, 0, 0]);
      for (let i = 0; i < 5; i++) sampler.sample();
      assert.deepEqual(sampler.rates('realm1'), [0, 0, 0, 0, 0]);
    });

    it('starts from what happened before it was created, and forgets removed realms', async () => {
      const s = await join(router);
      open.push(s);
      const sampler = new RateSampler(router, 3);
      sampler.sample();
      assert.deepEqual(sampler.rates('realm1'), [0, 0, 0]);
      router.removeRealm('realm2');
      sampler.sample();
      assert.deepEqual(sampler.rates('realm2'), []);
    });
  });

  describe('operator requests are checked before anything is done', () => {
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['a body that is not an object', () => parseCall([1]), /JSON object/],
      ['no realm', () => parseCall({ procedure: 'com.a' }), /realm is required/],
      [
        'an invalid procedure URI',
        () => parseCall({ realm: 'realm1', procedure: 'com..a' }),
        /not a valid WAMP URI/,
      ],
      [
        'args that are not a list',
        () => parseCall({ realm: 'realm1', procedure: 'com.a', args: 'x' }),
        /args must be an array/,
      ],
      [
        'kwargs that are not an object',
        () => parseCall({ realm: 'realm1', procedure: 'com.a', kwargs: [1] }),
        /kwargs must be an object/,
      ],
      ['a bad timeout', () => parseCall({ realm: 'realm1', procedure: 'com.a', timeout: -1 }), /timeout/],
      ['no topic', () => parsePublish({ realm: 'realm1' }), /topic is required/],
      [
        'a non-boolean acknowledge',
        () => parsePublish({ realm: 'realm1', topic: 'com.t', acknowledge: 'yes' }),
        /acknowledge/,
      ],
      ['a session ID that is not a number', () => parseKill('abc', {}), /not a session ID/],
      ['a kill reason that is not a URI', () => parseKill('12', { reason: 'no way' }), /reason/],
      ['a kill message that is not text', () => parseKill('12', { message: 5 }), /message must be a string/],
    ];
    for (const [what, run, message] of cases) {
      it(`refuses ${what}`, () =>
        assert.throws(
          run,
          (e: Error & { uri?: string }) =>
            message.test(e.message) && /^wamp\.error\.invalid_/.test(e.uri ?? ''),
        ));
    }

    it('fills in defaults', () => {
      assert.deepEqual(parseCall({ realm: 'realm1', procedure: 'com.a' }), {
        realm: 'realm1',
        procedure: 'com.a',
        args: [],
        kwargs: {},
        timeout: 10000,
      });
      assert.deepEqual(parsePublish({ realm: 'realm1', topic: 'com.t', args: [1] }), {
        realm: 'realm1',
        topic: 'com.t',
        args: [1],
        kwargs: {},
        acknowledge: true,
      });
      assert.deepEqual(parseKill('12', undefined), { session: 12, reason: 'wamp.close.killed' });
      assert.deepEqual(parseKill('12', { message: ' bye ' }), {
        session: 12,
        reason: 'wamp.close.killed',
        message: 'bye',
      });
    });
  });

  describe('operator actions', () => {
    it('kills a session: the client gets GOODBYE wamp.close.killed from the router', async () => {
      const s = await join(router);
      const ended = closed(s);
      await killSession(router, { session: s.id!, reason: 'wamp.close.killed', message: 'maintenance' });
      const info = await ended;
      assert.equal(info.reason, 'wamp.close.killed');
      assert.equal(info.byRouter, true);
      assert.equal(router.sessionCount, 0);
    });

    it('answers no_such_session for a session that is not there', async () => {
      await assert.rejects(killSession(router, { session: 42, reason: 'wamp.close.killed' }), {
        uri: 'wamp.error.no_such_session',
      });
    });

    it('calls a procedure and shows the result, or the error as an answer', async () => {
      const callee = await join(router);
      open.push(callee);
      await callee.register('com.echo', (inv) => new Result(inv.args));
      const ok = await testCall(router, {
        realm: 'realm1',
        procedure: 'com.echo',
        args: [1, 'a'],
        kwargs: {},
        timeout: 1000,
      });
      assert.equal(ok.ok, true);
      assert.deepEqual(ok.ok && ok.args, [1, 'a']);
      const none = await testCall(router, {
        realm: 'realm1',
        procedure: 'com.none',
        args: [],
        kwargs: {},
        timeout: 1000,
      });
      assert.equal(!none.ok && none.error.uri, 'wamp.error.no_such_procedure');
      // The tester's session is the router's own: it is never listed.
      assert.equal(router.sessionCount, 1);
    });

    it('publishes an event that subscribers receive', async () => {
      const sub = await join(router);
      open.push(sub);
      let receive!: (args: unknown[]) => void;
      const got = new Promise<unknown[]>((resolve) => (receive = resolve));
      await sub.subscribe('com.t', (e) => receive(e.args));
      const answer = await testPublish(router, {
        realm: 'realm1',
        topic: 'com.t',
        args: ['hi'],
        kwargs: {},
        acknowledge: true,
      });
      assert.equal(answer.ok, true);
      assert.equal(typeof (answer.ok && answer.publication), 'number');
      assert.deepEqual(await got, ['hi']);
    });

    it('does not create realms, even on a router that creates them on demand', async () => {
      const onDemand = new Router({ autoCreateRealms: true });
      try {
        await assert.rejects(
          testPublish(onDemand, {
            realm: 'nowhere',
            topic: 'com.t',
            args: [],
            kwargs: {},
            acknowledge: true,
          }),
          { uri: 'wamp.error.no_such_realm' },
        );
        assert.deepEqual(onDemand.realmNames(), []);
      } finally {
        await onDemand.close();
      }
    });
  });

  describe('the watch pushes what changed', () => {
    it('publishes the list and a snapshot on the first tick, then only after a change, and null when the router goes', async () => {
      const pushed: Array<[string, unknown]> = [];
      const watch = new RouterWatch(
        (id) => `name of ${id}`,
        (topic, data) => pushed.push([topic, data]),
      );
      publishRouter('w1', router);
      try {
        watch.tick();
        assert.deepEqual(pushed.map(([t]) => t).sort(), [LIST_TOPIC, `${TOPIC_PREFIX}w1`].sort());
        assert.deepEqual(pushed.find(([t]) => t === LIST_TOPIC)![1], [
          { id: 'w1', name: 'name of w1', sessionCount: 0, realms: ['realm1', 'realm2'] },
        ]);
        pushed.length = 0;
        watch.tick();
        assert.equal(pushed.length, 0, 'nothing changed');
        const s = await join(router);
        open.push(s);
        watch.tick();
        const snap = pushed.find(([t]) => t === `${TOPIC_PREFIX}w1`)?.[1] as {
          realms: { sessions: { id: number }[]; rate: number[] }[];
        };
        assert.deepEqual(
          snap.realms[0].sessions.map((x) => x.id),
          [s.id],
        );
        assert.equal(snap.realms[0].rate.length, 60);
        assert.ok(
          pushed.some(([t]) => t === LIST_TOPIC),
          'the session count changed',
        );
      } finally {
        withdrawRouter('w1', router);
      }
      pushed.length = 0;
      watch.tick();
      assert.deepEqual(pushed, [
        [`${TOPIC_PREFIX}w1`, null],
        [LIST_TOPIC, []],
      ]);
    });
  });
});
