// Bad MQTT input hurts only its sender: malformed and oversize packets, packets out of order, a
// silent client. Raw TCP sockets speak the bytes; a WAMP session in the same realm keeps working.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { afterEach, describe, it } from 'mocha';
import * as mqttPacket from 'mqtt-packet';
import { Connection } from '../../src/client/connection';
import type { EventInfo } from '../../src/client/types';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports/listener';

let router: Router | undefined;
let listener: Listener | undefined;
const sockets: net.Socket[] = [];
const conns: Connection[] = [];

async function start(maxPayload?: number): Promise<void> {
  router = new Router({ realms: [{ name: 'realm1' }] });
  listener = await router.listen({ port: 0, mqtt: true, maxPayload });
}

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(listener!.port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

function packet(p: object, protocolVersion = 4): Buffer {
  return mqttPacket.generate(p as mqttPacket.Packet, { protocolVersion });
}

const CONNECT = (extra: object = {}, protocolVersion = 4) =>
  packet(
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion,
      clean: true,
      clientId: 'raw',
      keepalive: 0,
      ...extra,
    },
    protocolVersion,
  );

/** Resolves with the packets received until the server closes the socket. */
function untilClosed(s: net.Socket, protocolVersion = 4): Promise<mqttPacket.Packet[]> {
  const parser = mqttPacket.parser({ protocolVersion });
  const got: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => got.push(p));
  s.on('data', (d) => parser.parse(d));
  return new Promise((resolve) => s.once('close', () => resolve(got)));
}

function nextPacket(s: net.Socket, cmd: string, protocolVersion = 4): Promise<mqttPacket.Packet> {
  const parser = mqttPacket.parser({ protocolVersion });
  return new Promise((resolve) => {
    const on = (d: Buffer) => parser.parse(d);
    parser.on('packet', (p) => {
      if (p.cmd !== cmd) return;
      s.off('data', on);
      resolve(p);
    });
    s.on('data', on);
  });
}

/** A WAMP session that must not notice anything: an event round trip after the attack. */
async function healthy(): Promise<void> {
  const c = new Connection({ realm: 'realm1', transportFactory: () => router!.connectLocal() });
  conns.push(c);
  c.open();
  await c.connected();
  const got = new Promise<EventInfo>((resolve) => void c.subscribe('health.ping', resolve));
  await new Promise((r) => setTimeout(r, 20));
  await c.publish('health.ping', [1], {}, { exclude_me: false, acknowledge: true });
  assert.deepEqual((await got).args, [1]);
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(conns.splice(0).map((c) => c.close()));
  await listener?.close();
  await router?.close();
});

describe('MQTT bad input hurts only its sender', () => {
  it('a PUBLISH before CONNECT closes the connection, with no session made', async () => {
    await start();
    const s = await connect();
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    const closed = new Promise((resolve) => s.once('close', resolve));
    // First octet 0x30 is no CONNECT: the port does not take it for MQTT (its HTTP side refuses it).
    s.write(packet({ cmd: 'publish', topic: 'a/b', payload: 'x', qos: 0, retain: false, dup: false }));
    s.end();
    await closed;
    const answer = Buffer.concat(chunks);
    assert.ok(answer.length === 0 || answer.toString('latin1').startsWith('HTTP/1.1 400'), 'no MQTT answer');
    assert.equal(router!.sessionCount, 0);
    await healthy();
  });

  it('a second CONNECT closes the connection (MQTT 5: DISCONNECT protocol error first)', async () => {
    await start();
    const s = await connect();
    const closed = untilClosed(s, 5);
    s.write(CONNECT({}, 5));
    await new Promise((r) => setTimeout(r, 100));
    s.write(CONNECT({}, 5));
    const got = await closed;
    assert.deepEqual(
      got.map((p) => p.cmd),
      ['connack', 'disconnect'],
    );
    assert.equal((got[1] as mqttPacket.IDisconnectPacket).reasonCode, 0x82);
    await healthy();
  });

  it('malformed packets close the connection', async () => {
    await start();
    const s = await connect();
    const closed = untilClosed(s);
    s.write(CONNECT());
    // SUBSCRIBE's fixed header must have flags 0b0010: 0x80 is malformed.
    s.write(Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00]));
    const got = await closed;
    assert.equal(got[0].cmd, 'connack');
    await healthy();
  });

  it('a packet over the maximum message size is refused from its header, before its body arrives', async () => {
    await start(1024);
    const s = await connect();
    const closed = untilClosed(s, 5);
    s.write(CONNECT({}, 5));
    const header = packet(
      { cmd: 'publish', topic: 'a/b', payload: Buffer.alloc(4096), qos: 0, retain: false, dup: false },
      5,
    );
    s.write(header.subarray(0, 16));
    const got = await closed;
    assert.deepEqual(
      got.map((p) => p.cmd),
      ['connack', 'disconnect'],
    );
    assert.equal((got[1] as mqttPacket.IDisconnectPacket).reasonCode, 0x95);
    await healthy();
  });

  it('a client silent for 1.5x its keep-alive is closed and its will fires', async () => {
    await start();
    const app = new Connection({ realm: 'realm1', transportFactory: () => router!.connectLocal() });
    conns.push(app);
    app.open();
    await app.connected();
    const will = new Promise<EventInfo>((resolve) => void app.subscribe('devices.gone', resolve));
    const s = await connect();
    const closed = untilClosed(s);
    s.write(
      CONNECT({
        keepalive: 1,
        will: { topic: 'devices/gone', payload: Buffer.from('"raw"'), qos: 0, retain: false },
      }),
    );
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started >= 1400, 'not before 1.5 x keep-alive');
    assert.deepEqual((await will).args, ['raw']);
    await healthy();
  });

  it('a PUBLISH to a topic that is no WAMP URI: 3.1.1 closes that client, 5.0 answers PUBACK 0x90', async () => {
    await start();
    const v4 = await connect();
    const closed = untilClosed(v4);
    v4.write(CONNECT());
    v4.write(
      packet({
        cmd: 'publish',
        topic: 'bad topic/x',
        payload: 'x',
        qos: 1,
        messageId: 1,
        retain: false,
        dup: false,
      }),
    );
    assert.deepEqual(
      (await closed).map((p) => p.cmd),
      ['connack'],
    );

    const v5 = await connect();
    const ack = nextPacket(v5, 'puback', 5);
    v5.write(CONNECT({}, 5));
    v5.write(
      packet(
        {
          cmd: 'publish',
          topic: 'bad topic/x',
          payload: 'x',
          qos: 1,
          messageId: 7,
          retain: false,
          dup: false,
        },
        5,
      ),
    );
    const p = (await ack) as mqttPacket.IPubackPacket;
    assert.equal(p.messageId, 7);
    assert.equal(p.reasonCode, 0x90);
    assert.ok(!v5.destroyed);
    await healthy();
  });

  it('a persistent session is not kept: CONNACK says sessionPresent = 0', async () => {
    await start();
    const s = await connect();
    const ack = nextPacket(s, 'connack');
    s.write(CONNECT({ clean: false, clientId: 'keeper' }));
    const p = (await ack) as mqttPacket.IConnackPacket;
    assert.equal(p.sessionPresent, false);
    assert.equal(p.returnCode, 0);
  });

  it('fuzz: 3,000 seeded mutations of valid packets never crash the router or reach other sessions', async () => {
    await start(64 * 1024);
    let seed = Number(process.env.FUZZ_SEED ?? 20261130) >>> 0;
    const rand = (n: number): number => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed % n;
    };
    const valid = [
      packet({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/+/c', qos: 1 }] }),
      packet({
        cmd: 'publish',
        topic: 'a/b/c',
        payload: '{"x":1}',
        qos: 1,
        messageId: 2,
        retain: true,
        dup: false,
      }),
      packet({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['a/+/c'] }),
      packet({ cmd: 'pingreq' }),
      packet({ cmd: 'pubrel', messageId: 2 }),
    ];
    for (let round = 0; round < 30; round++) {
      const s = await connect();
      const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
      s.on('data', () => {});
      s.write(CONNECT({ clientId: `fuzz${round}` }));
      for (let i = 0; i < 100; i++) {
        const b = Buffer.from(valid[rand(valid.length)]);
        const flips = rand(4);
        for (let f = 0; f < flips; f++) b[rand(b.length)] = rand(256);
        if (rand(10) === 0) s.write(b.subarray(0, rand(b.length)));
        else s.write(b);
      }
      s.end();
      await closed;
    }
    await healthy();
    assert.equal(router!.sessionCount, 1, 'only the health session is left');
  });
});
