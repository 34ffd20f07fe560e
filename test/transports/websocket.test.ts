import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { connectTransport } from '../../src/transports/connect';
import { listen, type Listener } from '../../src/transports/listener';
import type { SerializerId } from '../../src/serializers';
import { normalize, record, sampleMessage, transportSink } from './helpers';

describe('WebSocket transport', () => {
  let listener: Listener;
  let sink: ReturnType<typeof transportSink>;

  beforeEach(async () => {
    sink = transportSink();
    listener = await listen({ port: 0, maxPayload: 64 * 1024 }, sink.onTransport);
  });

  afterEach(async () => {
    await listener.close();
  });

  for (const serializer of ['json', 'msgpack', 'cbor'] as SerializerId[]) {
    describe(`with wamp.2.${serializer}`, () => {
      it('carries messages both ways intact (binary, unicode, integers up to 2^53)', async () => {
        const client = await connectTransport({ url: listener.url, serializer });
        const server = await sink.next();
        assert.equal(server.info.type, 'websocket');
        assert.equal(server.info.serializer, serializer);
        assert.equal(client.info.serializer, serializer);
        assert.equal(server.info.secure, false);
        const c = record(client);
        const s = record(server);

        client.send(sampleMessage());
        const atServer = (await s.next()) as unknown[];
        assert.deepEqual(normalize(atServer), normalize(sampleMessage()));
        const args = atServer[4] as unknown[];
        assert.ok(args[0] instanceof Uint8Array, 'bytes arrive as bytes');
        assert.equal(args[2], 2 ** 53);

        server.send(atServer);
        const atClient = (await c.next()) as unknown[];
        assert.deepEqual(normalize(atClient), normalize(sampleMessage()));
        client.close();
        await Promise.all([c.closed, s.closed]);
      });
    });
  }

  it('sends JSON as text frames and MessagePack/CBOR as binary frames', async () => {
    for (const [protocol, binary] of [
      ['wamp.2.json', false],
      ['wamp.2.msgpack', true],
      ['wamp.2.cbor', true],
    ] as const) {
      const ws = new WebSocket(listener.url, [protocol]);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const server = await sink.next();
      const frame = new Promise<boolean>((resolve) =>
        ws.once('message', (_d, isBinary) => resolve(isBinary)),
      );
      server.send([1, 'realm', {}]);
      assert.equal(await frame, binary, protocol);
      ws.close();
    }
  });

  it('refuses a client offering no WAMP subprotocol at the handshake (HTTP 400)', async () => {
    const ws = new WebSocket(listener.url, ['wamp.2.ubjson']);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.on('open', () => resolve(-1));
    });
    ws.on('error', () => {});
    ws.terminate();
    assert.equal(status, 400);
    assert.equal(sink.all.length, 0);
  });

  it('refuses a client offering no subprotocol at all', async () => {
    const ws = new WebSocket(listener.url);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.on('open', () => resolve(-1));
    });
    ws.on('error', () => {});
    ws.terminate();
    assert.equal(status, 400);
    assert.equal(sink.all.length, 0);
  });

  it('picks the first WAMP subprotocol the client offers that the router speaks', async () => {
    const ws = new WebSocket(listener.url, ['wamp.2.ubjson', 'wamp.2.cbor', 'wamp.2.json']);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    assert.equal(ws.protocol, 'wamp.2.cbor');
    assert.equal((await sink.next()).info.serializer, 'cbor');
    ws.close();
  });

  it('enforces maxPayload: a larger message closes the connection with 1009', async () => {
    const client = await connectTransport({ url: listener.url });
    const server = await sink.next();
    const c = record(client);
    const s = record(server);
    client.send([16, 1, {}, 'big', ['x'.repeat(70 * 1024)]]);
    const [atServer, atClient] = await Promise.all([s.closed, c.closed]);
    assert.equal(atServer.code, 1009);
    assert.equal(atServer.reason, 'max payload exceeded');
    assert.equal(atServer.local, true);
    assert.equal(atClient.code, 1009);
    assert.equal(atClient.local, false);
  });

  it('reports an undecodable frame with onDecodeError and stays usable', async () => {
    const ws = new WebSocket(listener.url, ['wamp.2.json']);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const server = await sink.next();
    const s = record(server);
    ws.send('[1, "realm", {');
    const error = await s.nextDecodeError();
    assert.match(error, /JSON/);
    assert.equal(server.isOpen, true);
    ws.send('[1, "realm", {}]');
    assert.deepEqual(await s.next(), [1, 'realm', {}]);
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
    server.send([2, 1, {}]);
    assert.equal(await reply, '[2,1,{}]');
    ws.close();
    await s.closed;
  });

  it('reports an undecodable MessagePack frame and stays usable', async () => {
    const client = await connectTransport({ url: listener.url, serializer: 'msgpack' });
    const server = await sink.next();
    const s = record(server);
    // 0xc1 is the one byte MessagePack never uses.
    const raw = (client as unknown as { ws: WebSocket }).ws;
    raw.send(Buffer.from([0xc1]));
    await s.nextDecodeError();
    client.send([6, {}, 'wamp.close.normal']);
    assert.deepEqual(await s.next(), [6, {}, 'wamp.close.normal']);
    client.close();
    await s.closed;
  });

  for (const side of ['client', 'server'] as const) {
    it(`closing from the ${side} calls onClose once on each side`, async () => {
      const client = await connectTransport({ url: listener.url });
      const server = await sink.next();
      const c = record(client);
      const s = record(server);
      const closer = side === 'client' ? client : server;
      closer.close(1000, 'bye');
      closer.close(1000, 'again');
      const [ci, si] = await Promise.all([c.closed, s.closed]);
      const [mine, theirs] = side === 'client' ? [ci, si] : [si, ci];
      assert.deepEqual(mine, { reason: 'bye', code: 1000, local: true });
      assert.deepEqual(theirs, { reason: 'bye', code: 1000, local: false });
      assert.equal(client.isOpen, false);
      assert.equal(server.isOpen, false);
      // Sending after close is silently dropped.
      client.send([1, 'x', {}]);
      await new Promise((r) => setImmediate(r));
      assert.equal(c.closeCount(), 1);
      assert.equal(s.closeCount(), 1);
    });
  }

  it('holds messages received before attach and delivers them on attach', async () => {
    const client = await connectTransport({ url: listener.url });
    const server = await sink.next();
    const c = record(client);
    // Listeners run in order, so once this one (added after the transport's) has seen the bytes
    // of both frames (6 octets of header from a client, then the JSON), the transport has read them.
    let seen = 0;
    const socket = (server as unknown as { ws: { _socket: NodeJS.EventEmitter } }).ws._socket;
    const arrived = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= 2 * (6 + JSON.stringify([1, 'a', {}]).length)) resolve();
      }),
    );
    client.send([1, 'a', {}]);
    client.send([1, 'b', {}]);
    await arrived;
    const s = record(server);
    assert.deepEqual(await s.next(), [1, 'a', {}]);
    assert.deepEqual(await s.next(), [1, 'b', {}]);
    client.close();
    await Promise.all([c.closed, s.closed]);
  });

  it('delivers a close that happened before attach on attach, once', async () => {
    const client = await connectTransport({ url: listener.url });
    const server = await sink.next();
    const gone = new Promise((resolve) => (server as unknown as { ws: WebSocket }).ws.once('close', resolve));
    client.close(4000, 'early');
    await gone;
    assert.equal(server.isOpen, false);
    const s = record(server);
    assert.deepEqual(await s.closed, { reason: 'early', code: 4000, local: false });
    await new Promise((r) => setImmediate(r));
    assert.equal(s.closeCount(), 1);
  });

  it('exposes bufferedAmount from the socket', async () => {
    const client = await connectTransport({ url: listener.url });
    const server = await sink.next();
    assert.equal(client.bufferedAmount, 0);
    assert.equal(typeof server.bufferedAmount, 'number');
    client.close();
    await record(server).closed;
  });
});

describe('WebSocket keepalive', () => {
  it('closes a peer that does not answer pings with reason "ping timeout"', async () => {
    const sink = transportSink();
    const listener = await listen({ port: 0, keepaliveMs: 40 }, sink.onTransport);
    try {
      const ws = new WebSocket(listener.url, ['wamp.2.json'], { autoPong: false });
      const clientClosed = new Promise((resolve) => ws.once('close', resolve));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const s = record(await sink.next());
      const info = await s.closed;
      assert.equal(info.reason, 'ping timeout');
      assert.equal(info.local, true);
      await clientClosed;
    } finally {
      await listener.close();
    }
  });

  it('keeps a peer that answers pings', async () => {
    const sink = transportSink();
    const listener = await listen({ port: 0, keepaliveMs: 20 }, sink.onTransport);
    try {
      const client = await connectTransport({ url: listener.url });
      const server = await sink.next();
      const pings = new Promise<void>((resolve) => {
        let n = 0;
        (client as unknown as { ws: WebSocket }).ws.on('ping', () => {
          if (++n === 4) resolve();
        });
      });
      await pings;
      assert.equal(server.isOpen, true);
      client.close();
      await record(server).closed;
    } finally {
      await listener.close();
    }
  });
});
