// MQTT client identifiers on the router, with MQTT.js on real sockets: a CONNECT with the
// ClientId of a connected client takes that client over (MQTT 3.1.1 [MQTT-3.1.4-2], MQTT 5
// section 3.1.4: DISCONNECT 0x8E first) when it is the same user in the same realm, or when the
// connected client is anonymous; another user is refused the identifier (CONNACK 0x02 / 0x85)
// and the connected client keeps working. An empty identifier is named by the bed.router.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'mocha';
import mqtt, { type MqttClient } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';
import type { EventInfo } from '../../src/client/types';
import type { RealmConfig } from '../../src/router/config';
import { MqttBed } from './mqtt-bed';

const REALMS: RealmConfig[] = [
  {
    name: 'plant',
    anonymous: { role: 'device' },
    users: [
      { authid: 'sensor', role: 'device', ticket: 's3cret' },
      { authid: 'intruder', role: 'device', ticket: 'l3tme1n' },
    ],
    roles: [
      { name: 'device', permissions: [{ uri: 'sensors.', match: 'prefix', publish: true, subscribe: true }] },
    ],
  },
];
const SENSOR = { username: 'sensor', password: 's3cret' };
const INTRUDER = { username: 'intruder', password: 'l3tme1n' };

const bed = new MqttBed(REALMS);

/** The code of a refused CONNACK (MQTT.js rejects the connection with it). */
async function refusedWith(url: string, opts: mqtt.IClientOptions): Promise<number> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  bed.clients.push(c);
  return new Promise((resolve, reject) => {
    c.on('connect', () => reject(new Error('connected')));
    c.on('error', (e) => resolve((e as Error & { code: number }).code));
  });
}

/** An MQTT 3.1.1 CONNECT with an empty identifier and no clean session (MQTT.js will not send it). */
function uncleanUnnamedConnect(): Buffer {
  const bytes = mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    keepalive: 0,
    clean: true,
    clientId: '',
  });
  // Fixed header (2 bytes), protocol name (6), level (1), then the flags: clear Clean Session.
  bytes[9] &= ~0x02;
  return bytes;
}

/** Sends raw bytes; the packets back until the server closes the connection. */
function raw(bytes: Buffer): Promise<mqttPacket.Packet[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(bed.listener!.port, '127.0.0.1', () => s.write(bytes));
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const got: mqttPacket.Packet[] = [];
    parser.on('packet', (p) => got.push(p));
    s.on('data', (d) => parser.parse(d));
    s.on('error', reject);
    s.once('close', () => resolve(got));
  });
}

function closed(c: MqttClient): Promise<void> {
  return new Promise((resolve) => (c.connected ? c.once('close', () => resolve()) : resolve()));
}

function nextMessage(c: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) =>
    c.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })),
  );
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function subscriptionsOn(uri: string): number {
  const realm = bed.router!.snapshot().realms.find((r) => r.name === 'plant')!;
  return realm.subscriptions.filter((s) => s.uri === uri).reduce((n, s) => n + s.subscribers.length, 0);
}

describe('MQTT client identifiers', () => {
  bed.closeAfterEach();
  for (const protocolVersion of [4, 5] as const) {
    const label = protocolVersion === 5 ? 'MQTT 5.0' : 'MQTT 3.1.1';

    it(`${label}: the same user reconnecting with its identifier takes the connected client over`, async () => {
      const url = await bed.start();
      const app = await bed.wamp('plant');
      // The device role may publish on sensors. but call nothing: its will needs no call grant.
      const wills: EventInfo[] = [];
      await app.subscribe('sensors.status', (e) => wills.push(e));
      const old = await bed.client(url, {
        ...SENSOR,
        clientId: 'boiler-1',
        protocolVersion,
        will: { topic: 'sensors/status', payload: Buffer.from('boiler-1 lost'), qos: 0, retain: false },
      });
      await old.subscribeAsync('sensors/old', { qos: 1 });
      assert.equal(subscriptionsOn('sensors.old'), 1);
      const disconnects: number[] = [];
      old.on('disconnect', (p) => disconnects.push(p.reasonCode ?? -1));
      const oldClosed = closed(old);

      const fresh = await bed.client(url, { ...SENSOR, clientId: 'boiler-1', protocolVersion });
      await oldClosed;
      assert.equal(old.connected, false);
      if (protocolVersion === 5)
        assert.deepEqual(disconnects, [0x8e], 'DISCONNECT 0x8E "Session taken over"');
      // The old session is gone with its subscriptions; its will was published (clean sessions
      // end with the connection, so the will is not held back: MQTT 5 section 3.1.3.2.2).
      await until(() => wills.length === 1, 'the will of the old client');
      assert.deepEqual(wills[0].args, ['boiler-1 lost']);
      assert.equal(subscriptionsOn('sensors.old'), 0, "the old client's subscriptions are gone");
      const mqttSessions = bed.router!.sessions('plant').filter((s) => s.transport.type === 'mqtt');
      assert.equal(mqttSessions.length, 1);
      assert.equal(mqttSessions[0].authid, 'sensor');

      // The new client works.
      await fresh.subscribeAsync('sensors/new', { qos: 1 });
      const got = nextMessage(fresh);
      await app.publish('sensors.new', ['hello'], {}, { acknowledge: true });
      assert.deepEqual(await got, { topic: 'sensors/new', payload: 'hello' });
      assert.equal(wills.length, 1, 'the new client connected without a will; nothing else published');
    });

    it(`${label}: another user is refused a connected client's identifier; the connected client stays`, async () => {
      const url = await bed.start();
      const health = await bed.wamp('plant');
      const device = await bed.client(url, { ...SENSOR, clientId: 'boiler-2', protocolVersion });
      await device.subscribeAsync('sensors/boiler', { qos: 1 });
      let deviceClosed = false;
      device.on('close', () => {
        deviceClosed = true;
      });

      const expected = protocolVersion === 5 ? 0x85 : 0x02;
      assert.equal(
        await refusedWith(url, { ...INTRUDER, clientId: 'boiler-2', protocolVersion }),
        expected,
        'another authid: identifier rejected',
      );
      assert.equal(
        await refusedWith(url, { clientId: 'boiler-2', protocolVersion }),
        expected,
        'an anonymous client cannot take over an authenticated one',
      );
      assert.equal(
        await refusedWith(url, {
          username: 'sensor',
          password: 'wrong',
          clientId: 'boiler-2',
          protocolVersion,
        }),
        protocolVersion === 5 ? 0x86 : 0x04,
        'a wrong password is refused as such and takes nothing over',
      );

      // The connected client still works, and so does a WAMP session beside it.
      const got = nextMessage(device);
      await health.publish('sensors.boiler', ['still here'], {}, { acknowledge: true });
      assert.deepEqual(await got, { topic: 'sensors/boiler', payload: 'still here' });
      const events: EventInfo[] = [];
      await health.subscribe('sensors.up', (e) => events.push(e));
      await device.publishAsync('sensors/up', '1', { qos: 1 });
      await until(() => events.length === 1, "the device's publication");
      assert.equal(deviceClosed, false);
      const mqttSessions = bed.router!.sessions('plant').filter((s) => s.transport.type === 'mqtt');
      assert.deepEqual(
        mqttSessions.map((s) => s.authid),
        ['sensor'],
        'only the connected client is left (refused sessions left the realm)',
      );

      // Once the device has left, its identifier is free for anyone.
      await device.endAsync();
      const next = await bed.client(url, { ...INTRUDER, clientId: 'boiler-2', protocolVersion });
      assert.ok(next.connected);
    });

    it(`${label}: an anonymous client's identifier is taken over as the spec says`, async () => {
      const url = await bed.start();
      const old = await bed.client(url, { clientId: 'anon-1', protocolVersion });
      await old.subscribeAsync('sensors/anon', { qos: 0 });
      const disconnects: number[] = [];
      old.on('disconnect', (p) => disconnects.push(p.reasonCode ?? -1));
      const oldClosed = closed(old);
      const fresh = await bed.client(url, { clientId: 'anon-1', protocolVersion });
      await oldClosed;
      if (protocolVersion === 5) assert.deepEqual(disconnects, [0x8e]);
      await until(() => subscriptionsOn('sensors.anon') === 0, "the old client's subscription to go");
      await fresh.subscribeAsync('sensors/anon', { qos: 0 });
      const got = nextMessage(fresh);
      const pub = await bed.client(url, { protocolVersion });
      await pub.publishAsync('sensors/anon', 'x', { qos: 1 });
      assert.deepEqual(await got, { topic: 'sensors/anon', payload: 'x' });

      // A user who logs in may take over an anonymous client's identifier too.
      const freshClosed = closed(fresh);
      const named = await bed.client(url, { ...SENSOR, clientId: 'anon-1', protocolVersion });
      await freshClosed;
      assert.ok(named.connected);
    });
  }

  it('an empty identifier is named by the router (MQTT 5 returns the name); 3.1.1 needs a clean session for it', async () => {
    const url = await bed.start();
    const v5 = mqtt.connect(url, { reconnectPeriod: 0, clientId: '', protocolVersion: 5 });
    bed.clients.push(v5);
    const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
      v5.once('connect', resolve);
      v5.once('error', reject);
    });
    const assigned = connack.properties?.assignedClientIdentifier;
    assert.ok(assigned && assigned.length > 0, 'Assigned Client Identifier in CONNACK');

    const v4 = await bed.client(url, { clientId: '', protocolVersion: 4, clean: true });
    assert.ok(v4.connected);
    const v4b = await bed.client(url, { clientId: '', protocolVersion: 4, clean: true });
    assert.ok(v4b.connected && v4.connected, 'two unnamed clients are two identifiers');
    const refused = await raw(uncleanUnnamedConnect());
    assert.deepEqual(
      refused.map((p) => [p.cmd, (p as mqttPacket.IConnackPacket).returnCode]),
      [['connack', 0x02]],
      'MQTT-3.1.3-8: identifier rejected, and the connection closed',
    );
    assert.ok(v5.connected && v4.connected);
  });
});
