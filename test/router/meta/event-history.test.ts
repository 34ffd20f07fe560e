// Event history: configured topic patterns keep their events; wamp.subscription.get_events
// returns them as the spec's history items (spec form: filters in ArgumentsKw, oldest first;
// Crossbar form: [subscription, limit], newest first). Raw frames against the spec text.
import assert from 'node:assert/strict';
import { Router } from '../../../src/router';
import type { RealmConfig } from '../../../src/router/config';
import { checkRealms } from '../../../src/router/config-check';
import { parseConfigText } from '../../../src/cli/config-file';
import { MessageType as M } from '../../../src/wamp/messages';
import { ALL_ROLES, Peer } from '../peer';
import { failure, joinAs, results, namedLoginRouter } from './helpers';

type Item = Record<string, unknown>;

const HISTORY: RealmConfig['history'] = [
  { uri: 'com.app.counter', limit: 3 },
  { uri: 'com.log.', match: 'prefix', limit: 10 },
  { uri: 'com..temp', match: 'wildcard' },
];

/** Publishes with acknowledgement; the publication ID. */
async function publish(
  p: Peer,
  topic: string,
  args: unknown[] = [],
  kwargs?: Record<string, unknown>,
  options: Record<string, unknown> = {},
): Promise<number> {
  const request = p.request();
  const payload = kwargs ? [args, kwargs] : [args];
  p.send([M.PUBLISH, request, { acknowledge: true, ...options }, topic, ...payload]);
  const m = await p.answer(request, M.PUBLISHED);
  assert.equal(m[0], M.PUBLISHED, `PUBLISH ${topic} failed: ${JSON.stringify(m)}`);
  return m[2] as number;
}

async function lookup(p: Peer, topic: string, match = 'exact'): Promise<number> {
  const [id] = await results(p, 'wamp.subscription.lookup', [topic, { match }]);
  assert.equal(typeof id, 'number', `no subscription for ${match} ${topic}`);
  return id as number;
}

async function events(p: Peer, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<Item[]> {
  const [list] = await results(p, 'wamp.subscription.get_events', args, kwargs);
  assert.ok(Array.isArray(list), `get_events returns a list: ${JSON.stringify(list)}`);
  return list as Item[];
}

describe('event history (wamp.subscription.get_events)', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1', history: HISTORY }, { name: 'plain' }] });
  });
  afterEach(() => router.close());

  it('is announced by realms that keep history, not by the others', async () => {
    const a = await Peer.join(router);
    const b = await Peer.join(router, 'plain');
    const features = (p: Peer) =>
      (p.welcome.roles as Record<string, { features: Record<string, unknown> }>).broker.features;
    assert.equal(features(a).event_history, true);
    assert.equal(features(b).event_history, undefined);
  });

  it('keeps events published before anyone subscribed, under a subscription that exists from the start', async () => {
    const pub = await Peer.join(router);
    const p1 = await publish(pub, 'com.app.counter', [1]);
    const p2 = await publish(pub, 'com.app.counter', [2], { unit: 'n' });
    const reader = await Peer.join(router);
    const sub = await lookup(reader, 'com.app.counter');
    // Subscribing joins the same subscription, so the ID stays valid for history.
    assert.equal(await reader.subscribe('com.app.counter'), sub);
    const list = await events(reader, [sub]);
    assert.equal(list.length, 2);
    assert.deepEqual(
      list.map((e) => [e.subscription, e.publication, e.args, e.kwargs, e.topic, e.details]),
      [
        [sub, p1, [1], undefined, 'com.app.counter', {}],
        [sub, p2, [2], { unit: 'n' }, 'com.app.counter', {}],
      ],
    );
    for (const e of list) {
      assert.match(String(e.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(String(e.timestamp)) - Date.now()) < 60_000);
    }
  });

  it('keeps at most the limit of each pattern, the newest', async () => {
    const pub = await Peer.join(router);
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await publish(pub, 'com.app.counter', [i]));
    const sub = await lookup(pub, 'com.app.counter');
    const list = await events(pub, [sub]);
    assert.deepEqual(
      list.map((e) => e.publication),
      ids.slice(2),
    );
    assert.deepEqual(router.realm('realm1')!.history.usage.events, 3);
  });

  it('Crossbar form [subscription, limit]: the newest events, newest first', async () => {
    const pub = await Peer.join(router);
    const ids: number[] = [];
    for (let i = 1; i <= 3; i++) ids.push(await publish(pub, 'com.log.a', [i]));
    const sub = await lookup(pub, 'com.log.', 'prefix');
    assert.deepEqual(
      (await events(pub, [sub, 2])).map((e) => e.publication),
      [ids[2], ids[1]],
    );
    // The spec form: oldest first, limit counted from the start; reverse turns it round.
    assert.deepEqual(
      (await events(pub, [sub], { limit: 2 })).map((e) => e.publication),
      [ids[0], ids[1]],
    );
    assert.deepEqual(
      (await events(pub, [sub], { reverse: true, limit: 1 })).map((e) => e.publication),
      [ids[2]],
    );
  });

  it('pattern histories carry the topic in details, and filter by topic', async () => {
    const pub = await Peer.join(router);
    await publish(pub, 'com.log.auth', ['login']);
    await publish(pub, 'com.log.basket', ['add']);
    await publish(pub, 'com.kitchen.temp', [21.5]);
    const sub = await lookup(pub, 'com.log.', 'prefix');
    const list = await events(pub, [sub]);
    assert.deepEqual(
      list.map((e) => (e.details as Item).topic),
      ['com.log.auth', 'com.log.basket'],
    );
    assert.deepEqual(
      (await events(pub, [sub], { topic: 'com.log.basket' })).map((e) => e.args),
      [['add']],
    );
    const temp = await lookup(pub, 'com..temp', 'wildcard');
    assert.deepEqual(
      (await events(pub, [temp])).map((e) => e.args),
      [[21.5]],
    );
  });

  it('pages with after_publication / before_publication and filters by time', async () => {
    const pub = await Peer.join(router);
    const ids: number[] = [];
    for (let i = 1; i <= 6; i++) ids.push(await publish(pub, 'com.log.x', [i]));
    const sub = await lookup(pub, 'com.log.', 'prefix');
    const page = async (kwargs: Record<string, unknown>) =>
      (await events(pub, [sub], kwargs)).map((e) => e.publication);
    assert.deepEqual(await page({ limit: 2, after_publication: ids[1] }), [ids[2], ids[3]]);
    assert.deepEqual(await page({ limit: 2, reverse: true, before_publication: ids[4] }), [ids[3], ids[2]]);
    assert.deepEqual(await page({ from_publication: ids[4] }), [ids[4], ids[5]]);
    assert.deepEqual(await page({ until_publication: ids[1] }), [ids[0], ids[1]]);
    assert.deepEqual(await page({ from_publication: ids[1], until_publication: ids[2] }), [ids[1], ids[2]]);
    // An ID the history does not hold counts as older than everything held.
    assert.deepEqual(await page({ after_publication: 12345 }), ids);
    assert.deepEqual(await page({ before_publication: 12345 }), []);
    const first = Date.parse(String((await events(pub, [sub]))[0].timestamp));
    assert.deepEqual(await page({ from_time: new Date(first).toISOString() }), ids);
    assert.deepEqual(await page({ before_time: new Date(first).toISOString() }), []);
    assert.deepEqual(await page({ after_time: '2999-01-01T00:00:00Z' }), []);
    assert.deepEqual(await page({ until_time: '2999-01-01T00:00:00+01:00' }), ids);
  });

  it('answers wrong arguments with the spec errors', async () => {
    const p = await Peer.join(router);
    const sub = await lookup(p, 'com.app.counter');
    assert.equal(await failure(p, 'wamp.subscription.get_events', []), 'wamp.error.invalid_argument');
    assert.equal(await failure(p, 'wamp.subscription.get_events', [sub, 0]), 'wamp.error.invalid_argument');
    assert.equal(
      await failure(p, 'wamp.subscription.get_events', [sub, 'ten']),
      'wamp.error.invalid_argument',
    );
    for (const kwargs of [
      { limit: -1 },
      { reverse: 'yes' },
      { from_time: 'yesterday' },
      { until_time: 12 },
      { after_publication: 'x' },
      { topic: 5 },
    ])
      assert.equal(
        await failure(p, 'wamp.subscription.get_events', [sub], kwargs),
        'wamp.error.invalid_argument',
        JSON.stringify(kwargs),
      );
    assert.equal(
      await failure(p, 'wamp.subscription.get_events', [424242]),
      'wamp.error.no_such_subscription',
    );
    // A subscription without configured history: Crossbar's history_unavailable.
    const other = await p.subscribe('com.other');
    assert.equal(await failure(p, 'wamp.subscription.get_events', [other]), 'wamp.error.history_unavailable');
    // The realm without history registers the procedure too.
    const q = await Peer.join(router, 'plain');
    const s = await q.subscribe('com.app.counter');
    assert.equal(await failure(q, 'wamp.subscription.get_events', [s]), 'wamp.error.history_unavailable');
  });

  it('the history subscription outlives its subscribers, without on_delete', async () => {
    const p = await Peer.join(router);
    const watcher = await Peer.join(router);
    const onDelete = await watcher.subscribe('wamp.subscription.on_delete');
    const sub = await p.subscribe('com.app.counter');
    await publish(p, 'com.app.counter', ['kept']);
    const req = p.request();
    p.send([M.UNSUBSCRIBE, req, sub]);
    assert.equal((await p.answer(req, M.UNSUBSCRIBED))[0], M.UNSUBSCRIBED);
    assert.equal(await lookup(p, 'com.app.counter'), sub);
    assert.deepEqual(
      (await events(p, [sub])).map((e) => e.args),
      [['kept']],
    );
    assert.deepEqual(await results(p, 'wamp.subscription.count_subscribers', [sub]), [0]);
    await watcher.sync();
    assert.equal(
      watcher.queued(M.EVENT).filter((m) => m[1] === onDelete).length,
      0,
      'no on_delete for a history subscription',
    );
  });

  it('keeps publisher disclosure; never keeps events sent to a list of session IDs', async () => {
    const pub = await Peer.join(router);
    const other = await Peer.join(router);
    await publish(pub, 'com.app.counter', ['shown'], undefined, { disclose_me: true });
    await publish(pub, 'com.app.counter', ['to one'], undefined, { eligible: [other.sessionId] });
    await publish(pub, 'com.app.counter', ['not to one'], undefined, { exclude: [other.sessionId] });
    const sub = await lookup(pub, 'com.app.counter');
    const list = await events(other, [sub]);
    assert.deepEqual(
      list.map((e) => e.args),
      [['shown']],
    );
    assert.equal((list[0].details as Item).publisher, pub.sessionId);
  });
});

describe('event history: authorization', () => {
  const roles: RealmConfig['roles'] = [
    {
      name: 'reader',
      permissions: [
        { uri: 'com.log.', match: 'prefix', subscribe: true, publish: true },
        { uri: 'com.log.secret', subscribe: false, publish: true },
        { uri: 'wamp.subscription.', match: 'prefix', call: true },
      ],
    },
    { name: 'outsider', permissions: [{ uri: 'wamp.subscription.', match: 'prefix', call: true }] },
    { name: 'mute', permissions: [{ uri: 'com.', match: 'prefix', subscribe: true, publish: true }] },
    {
      name: 'admin',
      permissions: [
        { uri: '', match: 'prefix', call: true, publish: true, subscribe: true },
        { uri: 'wamp.', match: 'prefix', call: true, subscribe: true },
      ],
    },
  ];
  let router: Router;
  beforeEach(() => {
    router = namedLoginRouter({ name: 'realm1', roles, history: HISTORY });
  });
  afterEach(() => router.close());

  it('needs the right to subscribe to the topic, and to call the meta procedure', async () => {
    const admin = await joinAs(router, 'root@admin');
    await publish(admin, 'com.log.a', ['a']);
    const sub = await lookup(admin, 'com.log.', 'prefix');
    const outsider = await joinAs(router, 'eve@outsider');
    assert.equal(await failure(outsider, 'wamp.subscription.get_events', [sub]), 'wamp.error.not_authorized');
    const mute = await joinAs(router, 'bob@mute');
    assert.equal(await failure(mute, 'wamp.subscription.get_events', [sub]), 'wamp.error.not_authorized');
    assert.equal((await events(admin, [sub])).length, 1);
  });

  it('leaves out what the role may not receive and what the publisher kept from it', async () => {
    const admin = await joinAs(router, 'root@admin');
    await publish(admin, 'com.log.a', ['open']);
    await publish(admin, 'com.log.secret', ['denied by role']);
    await publish(admin, 'com.log.b', ['admins only'], undefined, { eligible_authrole: ['admin'] });
    await publish(admin, 'com.log.c', ['not alice'], undefined, { exclude_authid: ['alice'] });
    const sub = await lookup(admin, 'com.log.', 'prefix');
    const reader = await joinAs(router, 'alice@reader');
    assert.deepEqual(
      (await events(reader, [sub])).map((e) => e.args),
      [['open']],
    );
    const reader2 = await joinAs(router, 'carol@reader');
    assert.deepEqual(
      (await events(reader2, [sub])).map((e) => e.args),
      [['open'], ['not alice']],
    );
    assert.equal((await events(admin, [sub])).length, 4);
  });
});

describe('event history: bounded memory', () => {
  it('holds one publication once for several patterns; the realm drops its oldest over the bounds', async () => {
    const router = new Router({
      realms: [
        {
          name: 'realm1',
          history: [
            { uri: 'com.a.', match: 'prefix', limit: 100 },
            { uri: 'com.a.x', limit: 100 },
          ],
        },
      ],
      limits: { maxHistoryEvents: 4 },
    });
    try {
      const realm = router.realm('realm1')!;
      const pub = await Peer.join(router);
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push(await publish(pub, 'com.a.x', [i]));
      assert.equal(realm.history.usage.events, 4);
      const prefix = await lookup(pub, 'com.a.', 'prefix');
      const exact = await lookup(pub, 'com.a.x');
      assert.deepEqual(
        (await events(pub, [prefix])).map((e) => e.publication),
        ids.slice(2),
      );
      assert.deepEqual(
        (await events(pub, [exact])).map((e) => e.publication),
        ids.slice(2),
      );
    } finally {
      await router.close();
    }
  });

  it('bounds bytes: an event over the bound is not kept, older ones go to make room', async () => {
    const router = new Router({
      realms: [{ name: 'realm1', history: [{ uri: 'com.big', limit: 100 }] }],
      limits: { maxHistoryBytes: 3000 },
    });
    try {
      const realm = router.realm('realm1')!;
      const pub = await Peer.join(router, 'realm1', { roles: ALL_ROLES });
      await publish(pub, 'com.big', ['x'.repeat(5000)]);
      assert.deepEqual(realm.history.usage, { events: 0, bytes: 0 });
      for (let i = 0; i < 5; i++) await publish(pub, 'com.big', [`${i}`.repeat(1000)]);
      const { events: n, bytes } = realm.history.usage;
      assert.ok(bytes <= 3000, `${bytes} bytes held`);
      assert.equal(n, 2);
      const sub = await lookup(pub, 'com.big');
      assert.deepEqual(
        (await events(pub, [sub])).map((e) => String((e.args as string[])[0])[0]),
        ['3', '4'],
      );
    } finally {
      await router.close();
    }
  });
});

describe('event history: configuration', () => {
  it('is checked where it is given', () => {
    const bad: Array<[unknown, RegExp]> = [
      [[{ uri: 'com.a', limit: 0 }], /limit must be a positive integer/],
      [[{ uri: 'com..a' }], /not a valid exact topic pattern/],
      [[{ uri: 'com.a', match: 'regex' }], /match must be one of/],
      [[{ uri: 'com.a', size: 3 }], /unknown key "size"/],
      [[{ uri: 'com.a' }, { uri: 'com.a', match: 'exact', limit: 3 }], /listed twice/],
      [{ uri: 'com.a' }, /must be an array/],
    ];
    for (const [history, error] of bad) {
      assert.throws(() => checkRealms([{ name: 'r', history }]), error, JSON.stringify(history));
      assert.throws(() => new Router({ realms: [{ name: 'r', history: history as never }] }), error);
    }
    assert.deepEqual(
      checkRealms([{ name: 'r', history: [{ uri: 'com.', match: 'prefix', limit: 5 }] }])[0].history,
      [{ uri: 'com.', match: 'prefix', limit: 5 }],
    );
  });

  it('the CLI config file takes a realm history and the history limits', () => {
    const config = parseConfigText(
      JSON.stringify({
        realms: [{ name: 'realm1', history: [{ uri: 'com.app.counter', limit: 50 }] }],
        limits: { maxHistoryEvents: 500, maxHistoryBytes: 1000000 },
      }),
      'router.json',
    );
    assert.deepEqual(config.realms?.[0].history, [{ uri: 'com.app.counter', limit: 50 }]);
    assert.throws(
      () =>
        parseConfigText(JSON.stringify({ realms: [{ name: 'r', history: [{ limit: 5 }] }] }), 'router.json'),
      /router.json: realms\[0\] "r".history\[0\].uri/,
    );
  });
});
