// MQTT clients on the WAMP router, tested with MQTT.js (a client no one here wrote) over TCP on the
// router's own port, on a port of its own and over WebSocket, against WAMP peers of our client.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { describe, it } from 'mocha';
import type mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { Connection } from '../../src/client/connection';
import type { EventInfo } from '../../src/client/types';
import type { RealmConfig } from '../../src/router/config';
import { MqttBed } from './mqtt-bed';

const REALMS: RealmConfig[] = [
  { name: 'realm1' },
  {
    name: 'locked',
    anonymous: false,
    users: [
      { authid: 'sensor', role: 'device', ticket: 's3cret' },
      { authid: 'other', role: 'device', ticket: 'an0ther' },
      { authid: 'admin', role: 'admin', ticket: 'adm1n' },
    ],
    roles: [
      {
        name: 'device',
        permissions: [
          { uri: 'sensors.', match: 'prefix', publish: true, subscribe: true },
          { uri: 'commands.', match: 'prefix', subscribe: true },
        ],
      },
      {
        name: 'admin',
        permissions: [{ uri: '', match: 'prefix', publish: true, subscribe: true, call: true }],
      },
    ],
  },
];

const bed = new MqttBed(REALMS);

function nextMessage(
  c: MqttClient,
  count = 1,
): Promise<Array<{ topic: string; payload: Buffer; retain: boolean; qos: number }>> {
  const got: Array<{ topic: string; payload: Buffer; retain: boolean; qos: number }> = [];
  return new Promise((resolve) => {
    const on = (topic: string, payload: Buffer, packet: mqtt.IPublishPacket) => {
      got.push({ topic, payload, retain: packet.retain, qos: packet.qos });
      if (got.length === count) {
        c.off('message', on);
        resolve(got);
      }
    };
    c.on('message', on);
  });
}

/** SUBSCRIBE and the granted codes of its SUBACK, failures included (MQTT.js rejects on those). */
function suback(c: MqttClient, filters: Record<string, { qos: 0 | 1 | 2 }>): Promise<number[]> {
  return new Promise((resolve) => {
    const on = (p: mqtt.Packet) => {
      if (p.cmd !== 'suback') return;
      c.off('packetreceive', on);
      resolve((p as unknown as { granted: number[] }).granted);
    };
    c.on('packetreceive', on);
    c.subscribe(filters, () => {});
  });
}

function nextEvent(c: Connection, topic: string, options = {}): Promise<EventInfo> {
  return new Promise((resolve, reject) => {
    c.subscribe(topic, (e) => resolve(e), options).catch(reject);
  });
}

describe('MQTT clients on the router', () => {
  bed.closeAfterEach();
  for (const protocolVersion of [4, 5] as const) {
    const label = protocolVersion === 5 ? 'MQTT 5.0' : 'MQTT 3.1.1';

    it(`${label}: publish and subscribe between MQTT clients on the router's own port, QoS 0 and 1`, async () => {
      const url = await bed.start();
      const sub = await bed.client(url, { protocolVersion });
      const pub = await bed.client(url, { protocolVersion });
      const granted = await sub.subscribeAsync({
        'home/kitchen/temp': { qos: 1 },
        'home/+/humidity': { qos: 2 },
      });
      assert.deepEqual(
        granted.map((g) => g.qos),
        [1, 1],
        'QoS 2 is granted as QoS 1',
      );
      const got = nextMessage(sub, 2);
      await pub.publishAsync('home/kitchen/temp', '21.5', { qos: 1 });
      await pub.publishAsync('home/cellar/humidity', 'damp', { qos: 0 });
      const [a, b] = await got;
      assert.equal(a.topic, 'home/kitchen/temp');
      // MQTT to MQTT: the publisher's bytes as they were, not re-encoded from the parsed value.
      const exact = nextMessage(sub);
      await pub.publishAsync('home/kitchen/temp', '{ "celsius" : 21.50 }', { qos: 1 });
      assert.equal((await exact)[0].payload.toString(), '{ "celsius" : 21.50 }');
      assert.equal(a.payload.toString(), '21.5');
      assert.equal(a.qos, 1);
      assert.equal(b.topic, 'home/cellar/humidity');
      assert.equal(b.payload.toString(), 'damp');
      assert.equal(b.qos, 1);
    });

    it(`${label}: MQTT and WAMP see each other's publications with the payload rule`, async () => {
      const url = await bed.start();
      const device = await bed.client(url, { protocolVersion });
      const app = await bed.wamp();
      const json = nextEvent(app, 'sensors.t1');
      const text = nextEvent(app, 'sensors.t2');
      const bytes = nextEvent(app, 'sensors.t3');
      await new Promise((r) => setTimeout(r, 50));
      await device.publishAsync('sensors/t1', '{"celsius":21}', { qos: 1 });
      await device.publishAsync('sensors/t2', 'hello', { qos: 1 });
      await device.publishAsync('sensors/t3', Buffer.from([0xff, 0x00, 0xfe]), { qos: 1 });
      assert.deepEqual((await json).args, [{ celsius: 21 }]);
      assert.deepEqual((await text).args, ['hello']);
      const b = (await bytes).args[0] as Uint8Array;
      assert.deepEqual([...b], [0xff, 0x00, 0xfe]);

      await device.subscribeAsync('commands/#', { qos: 1 });
      const got = nextMessage(device, 4);
      await app.publish('commands.lamp', ['on'], {}, { acknowledge: true });
      await app.publish('commands.lamp.level', [], { level: 3 }, { acknowledge: true });
      await app.publish('commands', [1, 2], {}, { acknowledge: true });
      await app.publish('commandsx.never', ['no'], {}, { acknowledge: true });
      await app.publish('commands.bytes', [Buffer.from([1, 2])], {}, { acknowledge: true });
      const msgs = await got;
      assert.deepEqual(
        msgs.map((m) => [m.topic, m.payload.toString('hex')]),
        [
          ['commands/lamp', Buffer.from('on').toString('hex')],
          ['commands/lamp/level', Buffer.from('{"level":3}').toString('hex')],
          ['commands', Buffer.from('[1,2]').toString('hex')],
          ['commands/bytes', '0102'],
        ],
        'a/# matches a itself and below, never a sibling that shares the prefix',
      );
    });
  }

  it('retained messages both ways: MQTT retain <-> WAMP event retention', async () => {
    const url = await bed.start();
    const device = await bed.client(url);
    await device.publishAsync('sensors/door', 'open', { qos: 1, retain: true });
    const app = await bed.wamp();
    const e = await nextEvent(app, 'sensors.door', { get_retained: true });
    assert.deepEqual(e.args, ['open']);
    assert.equal(e.details.retained, true);

    await app.publish('sensors.window', ['closed'], {}, { retain: true, acknowledge: true });
    const late = await bed.client(url);
    const got = nextMessage(late);
    await late.subscribeAsync('sensors/window', { qos: 0 });
    const [m] = await got;
    assert.equal(m.payload.toString(), 'closed');
    assert.equal(m.retain, true);
  });

  it('a last will is a testament: published when the device drops, not on DISCONNECT', async () => {
    const url = await bed.start();
    const app = await bed.wamp();
    const events: EventInfo[] = [];
    await app.subscribe('sensors.status', (e) => events.push(e));
    const polite = await bed.client(url, {
      will: { topic: 'sensors/status', payload: Buffer.from('polite gone'), qos: 0, retain: false },
    });
    await polite.endAsync();
    bed.clients.splice(bed.clients.indexOf(polite), 1);
    const rude = await bed.client(url, {
      will: { topic: 'sensors/status', payload: Buffer.from('"rude gone"'), qos: 0, retain: false },
    });
    const got = new Promise<EventInfo>((resolve) => app.subscribe('sensors.status', resolve));
    (rude as unknown as { stream: { destroy(): void } }).stream.destroy();
    const e = await got;
    assert.deepEqual(e.args, ['rude gone']);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      events.map((x) => x.args[0]),
      ['rude gone'],
    );
  });

  it('username and password log in as the realm users (checked like a ticket); wrong ones are refused', async () => {
    const url = await bed.start({ mqtt: { realm: 'locked' } });
    const ok = await bed.client(url, { username: 'sensor', password: 's3cret' });
    assert.ok(ok.connected);
    const other = await bed.client(url, { username: 'other', password: 'an0ther', protocolVersion: 5 });
    assert.ok(other.connected);
    const info = bed.router!.sessions('locked').map((s) => [s.authid, s.transport.type]);
    assert.deepEqual(info.sort(), [
      ['other', 'mqtt'],
      ['sensor', 'mqtt'],
    ]);
    await assert.rejects(
      bed.client(url, { username: 'sensor', password: 'nope' }),
      /Bad username or password/i,
    );
    await assert.rejects(
      bed.client(url, { username: 'sensor', password: 'nope', protocolVersion: 5 }),
      /Bad User Name or Password/i,
    );
    await assert.rejects(bed.client(url), /Not authorized/i, 'no anonymous sessions in this realm');
  });

  it("the roles authorize MQTT publish and subscribe exactly as WAMP's", async () => {
    const url = await bed.start({ mqtt: { realm: 'locked' } });
    const v5 = await bed.client(url, { username: 'sensor', password: 's3cret', protocolVersion: 5 });
    assert.deepEqual(await suback(v5, { 'sensors/#': { qos: 1 }, 'admin/#': { qos: 1 } }), [1, 0x87]);
    await assert.rejects(v5.publishAsync('commands/lamp', 'on', { qos: 1 }), /Not authorized|135/i);
    assert.ok(v5.connected, 'MQTT 5 keeps the connection and gets a reason code');

    const v4 = await bed.client(url, { username: 'sensor', password: 's3cret' });
    assert.deepEqual(await suback(v4, { 'admin/x': { qos: 0 } }), [0x80]);
    const closed = new Promise<void>((r) => v4.once('close', () => r()));
    v4.publish('commands/lamp', 'on', { qos: 1 });
    await closed;
  });

  it('filters WAMP cannot express are refused per filter; other filters still work', async () => {
    const url = await bed.start();
    const c = await bed.client(url);
    const granted = await suback(c, {
      'a/+/#': { qos: 0 },
      'bad.level/x': { qos: 0 },
      '#': { qos: 0 },
      'ok/topic': { qos: 0 },
    });
    assert.deepEqual(granted, [0x80, 0x80, 0x80, 0]);
    const v5 = await bed.client(url, { protocolVersion: 5 });
    assert.deepEqual(await suback(v5, { 'a/+/#': { qos: 1 }, 'ok/x': { qos: 1 } }), [0x8f, 1]);
  });

  it('a QoS 2 publication completes its handshake and is delivered once', async () => {
    const url = await bed.start();
    const app = await bed.wamp();
    const events: EventInfo[] = [];
    await app.subscribe('sensors.q2', (e) => events.push(e));
    const c = await bed.client(url);
    await c.publishAsync('sensors/q2', '2', { qos: 2 });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      events.map((e) => e.args),
      [[2]],
    );
  });

  it('MQTT over WebSocket (subprotocol mqtt) on the router path, and a port of its own', async () => {
    await bed.start();
    const ws = await bed.client(bed.listener!.url.replace(/^ws/, 'ws'), {
      protocol: 'ws',
      path: '/ws',
    } as mqtt.IClientOptions);
    const own = await bed.router!.listenMqtt({ port: 0 });
    const tcp = await bed.client(own.url);
    const got = nextMessage(ws);
    await ws.subscribeAsync('x/y', { qos: 1 });
    await tcp.publishAsync('x/y', 'via its own port', { qos: 1 });
    assert.equal((await got)[0].payload.toString(), 'via its own port');
    assert.deepEqual(
      bed
        .router!.sessions('realm1')
        .map((s) => s.transport.type)
        .sort(),
      ['mqtt', 'mqtt'],
    );
    await own.close();
  });

  it('over TLS on the router port (mqtts://), with the certificate verified', async () => {
    const fixtures = path.resolve(__dirname, '../../../test/fixtures/tls');
    const cert = fs.readFileSync(path.join(fixtures, 'cert.pem'));
    await bed.start({ tls: { cert, key: fs.readFileSync(path.join(fixtures, 'key.pem')) } });
    const c = await bed.client(`mqtts://localhost:${bed.listener!.port}`, {
      ca: cert,
      rejectUnauthorized: true,
    });
    const got = nextMessage(c);
    await c.subscribeAsync('secure/x', { qos: 1 });
    await c.publishAsync('secure/x', 'over tls', { qos: 1 });
    assert.equal((await got)[0].payload.toString(), 'over tls');
    assert.deepEqual(
      bed.router!.sessions('realm1').map((s) => [s.transport.type, s.transport.secure]),
      [['mqtt', true]],
    );
  });

  it('large payloads (written as they are, past the socket buffer) arrive whole and in order among small ones', async () => {
    const url = await bed.start();
    const sub = await bed.client(url);
    const pub = await bed.client(url);
    await sub.subscribeAsync('bulk/#', { qos: 1 });
    const sizes = [10, 70_000, 5, 1_500_000, 3000, 1_500_000, 1, 64 * 1024];
    const sent = sizes.map((n, i) => Buffer.alloc(n, 0x41 + i));
    const got = nextMessage(sub, sent.length);
    await Promise.all(sent.map((b, i) => pub.publishAsync(`bulk/${i}`, b, { qos: (i % 2) as 0 | 1 })));
    const msgs = await got;
    assert.deepEqual(
      msgs.map((m) => m.topic),
      sent.map((_, i) => `bulk/${i}`),
    );
    for (const [i, m] of msgs.entries()) assert.ok(m.payload.equals(sent[i]), `payload ${i} intact`);
  });

  it("an idle client on the router's own port outlives the opening deadline (10 s)", async function () {
    // The port's deadline for a connection's first bytes once cut every MQTT client 10 s in.
    this.timeout(40_000);
    const url = await bed.start();
    const device = await bed.client(url, { keepalive: 60 });
    await device.subscribeAsync('sensors/idle', { qos: 1 });
    let closed = false;
    device.on('close', () => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 11_000));
    assert.equal(closed, false, 'still connected after 11 s of silence');
    const app = await bed.wamp();
    const got = nextMessage(device);
    await app.publish('sensors.idle', ['awake'], {}, { acknowledge: true });
    assert.equal((await got)[0].payload.toString(), 'awake');
  });

  it('over WebSocket, a packet before CONNECT closes the connection', async () => {
    await bed.start();
    const ws = new WebSocket(bed.listener!.url, 'mqtt');
    await new Promise((r) => ws.once('open', r));
    assert.equal(ws.protocol, 'mqtt');
    const closed = new Promise((r) => ws.once('close', r));
    ws.send(Buffer.from([0xc0, 0x00])); // PINGREQ
    await closed;
    assert.equal(bed.router!.sessionCount, 0);
  });
});
