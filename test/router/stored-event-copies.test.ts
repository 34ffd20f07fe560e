// What the router keeps past routing a publication (retained events, event history) or keeps to
// publish later (testaments) is its own copy: an in-process publisher that changes its objects after publishing, or a subscriber
// or history reader that changes what it got, cannot change what later readers get. Live EVENTs
// stay shared by reference (nothing is copied on the in-process hot path).
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';
import type { EventInfo } from '../../src/client/types';
import { argsToMqtt, isUndecoded, mqttToArgs } from '../../src/mqtt/payload';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { Peer } from './peer';

type Item = { args?: unknown[]; kwargs?: Record<string, unknown> };

describe('stored events are copies: retained events, event history, testaments', () => {
  let router: Router;
  let conns: Connection[] = [];
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1', history: [{ uri: 'com.app.', match: 'prefix' }] }] });
  });
  afterEach(async () => {
    for (const c of conns) await c.close();
    conns = [];
    router.close();
  });

  /** An in-process client, as the Node-RED nodes use the embedded router. */
  async function client(): Promise<Connection> {
    const c = new Connection({ realm: 'realm1', transportFactory: () => router.connectLocal() });
    conns.push(c);
    c.open();
    await c.connected();
    return c;
  }

  /** The retained event a new get_retained subscriber of `topic` receives. */
  function retained(c: Connection, topic: string): Promise<EventInfo> {
    return new Promise((resolve, reject) => {
      c.subscribe(topic, resolve, { get_retained: true }).catch(reject);
    });
  }

  async function history(c: Connection, topic: string): Promise<Item[]> {
    const [id] = (await c.call('wamp.subscription.lookup', [topic, { match: 'prefix' }])).args;
    return (await c.call('wamp.subscription.get_events', [id])).args[0] as Item[];
  }

  function published() {
    return {
      args: [{ reading: { value: 20, unit: 'C' } }, [1, 2, 3], Buffer.from('raw')],
      kwargs: { site: { name: 'north' }, at: new Date(0), bytes: new Uint8Array([1, 2]) },
    };
  }

  function mutate(p: { args: unknown[]; kwargs: Record<string, unknown> }): void {
    const [obj, list, buf] = p.args as [{ reading: { value: number } }, number[], Buffer];
    obj.reading.value = -1;
    list.push(4);
    buf[0] = 0;
    p.args.push('extra');
    (p.kwargs.site as { name: string }).name = 'changed';
    (p.kwargs.at as Date).setTime(1);
    (p.kwargs.bytes as Uint8Array)[0] = 9;
    p.kwargs.added = true;
  }

  it('a publisher changing its objects after publishing changes neither the retained event nor the history', async () => {
    const pub = await client();
    const sent = published();
    await pub.publish('com.app.temp', sent.args, sent.kwargs, { retain: true, acknowledge: true });
    mutate(sent);

    const late = await client();
    const e = await retained(late, 'com.app.temp');
    assert.equal(e.details.retained, true);
    assert.deepEqual(e.args, published().args);
    assert.deepEqual(e.kwargs, published().kwargs);
    assert.ok(Buffer.isBuffer(e.args[2]), 'a Buffer stays a Buffer');
    assert.ok(e.kwargs.at instanceof Date && e.kwargs.bytes instanceof Uint8Array);

    const [item] = await history(late, 'com.app.');
    assert.deepEqual(item.args, published().args);
    assert.deepEqual(item.kwargs, published().kwargs);
  });

  it("a subscriber changing its retained event does not change the next subscriber's", async () => {
    const pub = await client();
    const sent = published();
    await pub.publish('com.app.temp', sent.args, sent.kwargs, { retain: true, acknowledge: true });

    const first = await retained(await client(), 'com.app.temp');
    mutate(first);
    const second = await retained(await client(), 'com.app.temp');
    assert.notEqual(second.args, first.args);
    assert.deepEqual(second.args, published().args);
    assert.deepEqual(second.kwargs, published().kwargs);
    // And the publisher's own objects were never the ones handed out.
    assert.deepEqual(sent, published());
  });

  it("a history reader changing the items it got does not change the next reader's", async () => {
    const pub = await client();
    const sent = published();
    await pub.publish('com.app.temp', sent.args, sent.kwargs, { acknowledge: true });
    const reader = await client();
    const [first] = await history(reader, 'com.app.');
    mutate(first as { args: unknown[]; kwargs: Record<string, unknown> });
    const [second] = await history(reader, 'com.app.');
    assert.deepEqual(second.args, published().args);
    assert.deepEqual(second.kwargs, published().kwargs);
  });

  it("a testament's author changing its objects after adding it does not change what goes out", async () => {
    const watcher = await client();
    const got = new Promise<EventInfo>((resolve, reject) => {
      watcher.subscribe('com.app.gone', resolve).catch(reject);
    });
    const author = await client();
    const sent = published();
    await author.call('wamp.session.add_testament', ['com.app.gone', sent.args, sent.kwargs]);
    mutate(sent);
    await author.close();
    const e = await got;
    assert.deepEqual(e.args, published().args);
    assert.deepEqual(e.kwargs, published().kwargs);
  });

  it('a cyclic testament is refused (it could not be copied), and the session carries on', async () => {
    const author = await client();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(
      author.call('wamp.session.add_testament', ['com.app.gone', [cyclic]]),
      (e: { uri: string }) => e.uri === 'wamp.error.invalid_argument',
    );
    assert.deepEqual((await author.call('wamp.session.count')).args, [1]);
  });

  it('live EVENTs are not copied: in-process subscribers get the published objects', async () => {
    const sub = await Peer.join(router);
    await sub.subscribe('com.app.live');
    const pub = await Peer.join(router);
    const args = [{ big: 'x'.repeat(1000) }];
    const kwargs = { k: [1] };
    const request = pub.request();
    pub.send([M.PUBLISH, request, { acknowledge: true, retain: true }, 'com.app.live', args, kwargs]);
    await pub.answer(request, M.PUBLISHED);
    const event = await sub.next(M.EVENT);
    assert.equal(event[4], args);
    assert.equal(event[5], kwargs);
  });

  it('a retained MQTT payload is kept as its bytes: each reader gets its own value, MQTT readers the bytes untouched', async () => {
    const bytes = Buffer.from('{ "door" : "open" }');
    const pub = await Peer.join(router);
    const request = pub.request();
    const args = mqttToArgs(bytes);
    pub.send([M.PUBLISH, request, { acknowledge: true, retain: true }, 'house.door', args]);
    await pub.answer(request, M.PUBLISHED);

    // Wrapped: a promise resolved with the list itself would read its `then`, and so decode it.
    async function read(): Promise<{ args: unknown[] }> {
      const sub = await Peer.join(router);
      await sub.subscribe('house.door', { get_retained: true });
      const event = await sub.next(M.EVENT);
      assert.deepEqual(event[3], { retained: true });
      return { args: event[4] as unknown[] };
    }
    const { args: first } = await read();
    assert.notEqual(first, args);
    assert.ok(isUndecoded(first), 'handed out undecoded: only a reader that needs the value parses it');
    (first[0] as { door: string }).door = 'shut';
    first.push('more');
    const { args: second } = await read();
    assert.ok(argsToMqtt(second, undefined).equals(bytes), "an MQTT subscriber gets the publisher's bytes");
    assert.deepEqual([...second], [{ door: 'open' }]);
  });
});
