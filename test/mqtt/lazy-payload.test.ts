// MQTT payloads are decoded only for receivers that need the value: an MQTT subscriber of an MQTT
// publisher gets the publisher's bytes untouched (no JSON round trip), WAMP receivers (any
// serializer, in-process) get the value, and mixed receivers each get their own form.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { afterEach, describe, it } from 'mocha';
import mqtt, { type MqttClient } from 'mqtt';
import { Connection } from '../../src/client/connection';
import type { EventInfo } from '../../src/client/types';
import { argsToMqtt, isUndecoded, mqttToArgs } from '../../src/mqtt/payload';
import { Router } from '../../src/router';
import { cborSerializer, jsonSerializer, msgpackSerializer, type SerializerId } from '../../src/serializers';
import type { Listener } from '../../src/transports/listener';
import { nestsDeeperThan } from '../../src/wamp/depth';

describe('MQTT payloads decoded lazily', () => {
  it('a payload is parsed on first read only, and once', () => {
    const args = mqttToArgs(Buffer.from('{"a":[1,2]}'));
    assert.equal(isUndecoded(args), true);
    assert.equal(Array.isArray(args), true);
    assert.equal(args.length, 1, 'the length is known without parsing');
    assert.equal(isUndecoded(args), true);
    // The router's depth check passes it by: the list bounds its own depth when it decodes.
    assert.equal(nestsDeeperThan([16, 1, {}, 'a.b', args], 64), false);
    assert.equal(isUndecoded(args), true);
    const first = args[0];
    assert.equal(isUndecoded(args), false);
    assert.deepEqual(first, { a: [1, 2] });
    assert.equal(args[0], first, 'the same value on every read');
    assert.deepEqual([...args], [{ a: [1, 2] }]);
    assert.deepEqual(args.slice(), [{ a: [1, 2] }]);
    assert.deepEqual(Object.keys(args), ['0']);
    assert.deepEqual(Object.getOwnPropertySymbols(args), []);
  });

  it('console.log / util.inspect show the value, unread or read', () => {
    assert.equal(inspect(mqttToArgs(Buffer.from('{"a":1}'))), '[ { a: 1 } ]');
    assert.equal(inspect(mqttToArgs(Buffer.from('on'))), "[ 'on' ]");
    const read = mqttToArgs(Buffer.from('[1,2]'));
    assert.deepEqual(read[0], [1, 2]);
    assert.equal(inspect(read), '[ [ 1, 2 ] ]');
  });

  it('back to MQTT, the very bytes of the publisher, without parsing them', () => {
    const payload = Buffer.from('{ "celsius" : 21.50 }');
    const args = mqttToArgs(payload);
    assert.equal(argsToMqtt(args, undefined), payload);
    assert.equal(argsToMqtt(args, {}), payload);
    assert.equal(isUndecoded(args), true);
    // Read, it still forwards the bytes (the value is the payload's).
    assert.deepEqual(args[0], { celsius: 21.5 });
    assert.equal(argsToMqtt(args, undefined), payload);
    // With keyword arguments the rule makes a list, not the payload.
    assert.equal(argsToMqtt(args, { unit: 'C' }).toString(), '[{"celsius":21.5}]');
  });

  it('a list changed after it was made is encoded from what it holds', () => {
    const pushed = mqttToArgs(Buffer.from('1'));
    pushed.push(2);
    assert.equal(argsToMqtt(pushed, undefined).toString(), '[1,2]');
    const replaced = mqttToArgs(Buffer.from('"old"'));
    replaced[0] = 'new';
    assert.equal(argsToMqtt(replaced, undefined).toString(), 'new');
  });

  it('every WAMP serializer writes the value: JSON value, string, bytes', () => {
    const cases: Array<[Buffer, unknown]> = [
      [Buffer.from('{"a":[1,"x"]}'), { a: [1, 'x'] }],
      [Buffer.from('hello'), 'hello'],
      [Buffer.from([0xff, 0x00, 0xfe]), Uint8Array.from([0xff, 0x00, 0xfe])],
    ];
    for (const s of [jsonSerializer, msgpackSerializer, cborSerializer]) {
      for (const [bytes, value] of cases) {
        const decoded = s.decode(s.encode([36, 1, 2, {}, mqttToArgs(bytes)]));
        assert.ok(decoded.ok, s.id);
        const arg = (decoded.value as unknown[])[4] as unknown[];
        if (value instanceof Uint8Array) assert.deepEqual([...(arg[0] as Uint8Array)], [...value], s.id);
        else assert.deepEqual(arg, [value], s.id);
      }
    }
  });

  it('JSON nested deeper than the router passes on arrives as its text; empty payloads as no arguments', () => {
    const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
    assert.equal(mqttToArgs(Buffer.from(deep))[0], deep);
    assert.deepEqual(mqttToArgs(Buffer.from('[[[1]]]'), 5)[0], [[[1]]]);
    assert.equal(mqttToArgs(Buffer.from('[[[[1]]]]'), 5)[0], '[[[[1]]]]');
    assert.deepEqual(mqttToArgs(Buffer.alloc(0)), []);
  });
});

describe('MQTT payloads through the router', () => {
  let router: Router | undefined;
  let listener: Listener | undefined;
  const clients: MqttClient[] = [];
  const conns: Connection[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true);
    await Promise.all(conns.splice(0).map((c) => c.close()));
    await listener?.close();
    await router?.close();
    router = undefined;
    listener = undefined;
  });

  async function start(): Promise<string> {
    router = new Router({ realms: [{ name: 'realm1' }] });
    listener = await router.listen({ port: 0, mqtt: true });
    return `mqtt://127.0.0.1:${listener.port}`;
  }

  async function client(url: string): Promise<MqttClient> {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(c);
    return c;
  }

  /** In-process, or over WebSocket with a serializer. */
  async function wamp(serializer?: SerializerId): Promise<Connection> {
    const c = serializer
      ? new Connection({ realm: 'realm1', url: `ws://127.0.0.1:${listener!.port}/ws`, serializer })
      : new Connection({ realm: 'realm1', transportFactory: () => router!.connectLocal() });
    conns.push(c);
    c.open();
    await c.connected();
    return c;
  }

  function collect(c: MqttClient, count: number): Promise<Array<{ topic: string; payload: Buffer }>> {
    const got: Array<{ topic: string; payload: Buffer }> = [];
    return new Promise((resolve) => {
      const on = (topic: string, payload: Buffer): void => {
        got.push({ topic, payload: Buffer.from(payload) });
        if (got.length === count) {
          c.off('message', on);
          resolve(got);
        }
      };
      c.on('message', on);
    });
  }

  async function events(c: Connection, topic: string, count: number): Promise<() => Promise<EventInfo[]>> {
    const got: EventInfo[] = [];
    let done: () => void = () => undefined;
    const all = new Promise<void>((r) => (done = r));
    await c.subscribe(topic, (e) => {
      got.push(e);
      if (got.length === count) done();
    });
    return async () => {
      await all;
      return got;
    };
  }

  // Payloads a JSON round trip would change: spacing, number forms, key order, deep nesting,
  // text that is no JSON, bytes that are no UTF-8, and an empty payload.
  const PAYLOADS = [
    Buffer.from('{ "celsius" : 21.50, "b": 1, "a": 2 }'),
    Buffer.from('1e3'),
    Buffer.from(`${'['.repeat(100)}${']'.repeat(100)}`),
    Buffer.from('not json'),
    Buffer.from([0xff, 0x00, 0xfe, 0x80]),
    Buffer.alloc(0),
    Buffer.from(JSON.stringify({ readings: Array.from({ length: 2000 }, (_, i) => ({ t: i, v: i / 3 })) })),
  ];

  for (const qos of [0, 1] as const) {
    it(`MQTT -> MQTT, QoS ${qos}: every payload arrives byte for byte`, async () => {
      const url = await start();
      const sub = await client(url);
      await sub.subscribeAsync('dev/#', { qos });
      const got = collect(sub, PAYLOADS.length);
      const pub = await client(url);
      for (const [i, p] of PAYLOADS.entries()) await pub.publishAsync(`dev/p${i}`, p, { qos });
      const msgs = await got;
      assert.deepEqual(
        msgs.map((m) => [m.topic, m.payload.toString('hex')]),
        PAYLOADS.map((p, i) => [`dev/p${i}`, p.toString('hex')]),
      );
    });
  }

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    it(`MQTT -> WAMP over WebSocket/${serializer}: a JSON value, a string, bytes`, async () => {
      const url = await start();
      const app = await wamp(serializer);
      const all = await events(app, 'dev', 4);
      const pub = await client(url);
      await pub.publishAsync('dev', '{"celsius":21.5,"tags":["a"]}', { qos: 1 });
      await pub.publishAsync('dev', 'hello', { qos: 1 });
      await pub.publishAsync('dev', Buffer.from([0xff, 0x01]), { qos: 1 });
      await pub.publishAsync('dev', '', { qos: 1 });
      const [json, text, bytes, empty] = await all();
      assert.deepEqual(json.args, [{ celsius: 21.5, tags: ['a'] }]);
      assert.deepEqual(text.args, ['hello']);
      assert.deepEqual([...(bytes.args[0] as Uint8Array)], [0xff, 0x01]);
      assert.deepEqual(empty.args, []);
    });
  }

  it('mixed receivers: MQTT subscribers get the bytes, WAMP ones (in-process, msgpack) the value', async () => {
    const url = await start();
    const sub1 = await client(url);
    const sub2 = await client(url);
    await sub1.subscribeAsync('mix/+', { qos: 1 });
    await sub2.subscribeAsync('mix/#', { qos: 0 });
    const local = await wamp();
    const remote = await wamp('msgpack');
    const localGot = await events(local, 'mix.a', 2);
    const remoteGot = await events(remote, 'mix.a', 2);
    const got1 = collect(sub1, 2);
    const got2 = collect(sub2, 2);
    const pub = await client(url);
    const payload = Buffer.from('{ "on" : true }');
    await pub.publishAsync('mix/a', payload, { qos: 1 });
    await pub.publishAsync('mix/a', 'plain', { qos: 0 });
    for (const got of [await got1, await got2]) {
      assert.deepEqual(
        got.map((m) => m.payload.toString()),
        ['{ "on" : true }', 'plain'],
      );
    }
    for (const got of [await localGot(), await remoteGot()]) {
      assert.deepEqual(
        got.map((e) => e.args),
        [[{ on: true }], ['plain']],
      );
    }
  });

  it('JSON deeper than the router passes on: MQTT subscribers get it, WAMP ones its text', async () => {
    const url = await start();
    const deep = `${'{"a":'.repeat(80)}1${'}'.repeat(80)}`;
    const sub = await client(url);
    await sub.subscribeAsync('deep', { qos: 1 });
    const got = collect(sub, 1);
    const app = await wamp();
    const all = await events(app, 'deep', 1);
    const pub = await client(url);
    await pub.publishAsync('deep', deep, { qos: 1 });
    assert.equal((await got)[0].payload.toString(), deep);
    assert.deepEqual((await all())[0].args, [deep]);
  });

  it('retained: a later MQTT subscriber gets the bytes, a WAMP get_retained subscriber the value', async () => {
    const url = await start();
    const pub = await client(url);
    const payload = Buffer.from('{ "door" : "open" }');
    await pub.publishAsync('house/door', payload, { qos: 1, retain: true });
    const late = await client(url);
    const got = collect(late, 1);
    await late.subscribeAsync('house/door', { qos: 1 });
    assert.equal((await got)[0].payload.toString(), '{ "door" : "open" }');
    const app = await wamp();
    const e = await new Promise<EventInfo>((resolve, reject) => {
      app.subscribe('house.door', resolve, { get_retained: true }).catch(reject);
    });
    assert.deepEqual(e.args, [{ door: 'open' }]);
    assert.equal(e.details.retained, true);
  });
});
