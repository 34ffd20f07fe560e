import assert from 'node:assert/strict';
import * as net from 'node:net';
import { connectTransport } from '../../src/transports/connect';
import { listen, type Listener } from '../../src/transports/listener';
import {
  encodeFrame,
  encodeHandshake,
  FrameReader,
  FrameType,
  type Frame,
} from '../../src/transports/rawsocket-framing';
import type { SerializerId } from '../../src/serializers';
import { normalize, record, sampleMessage, transportSink } from './helpers';

/** A hand-driven RawSocket client: raw bytes out, frames in. */
class RawClient {
  readonly socket: net.Socket;
  private buffered = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.once('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Waits until `n` bytes are buffered (or the socket closed), then takes up to `n`. */
  async read(n: number): Promise<Buffer> {
    while (this.buffered.length < n && !this.socket.destroyed)
      await new Promise<void>((r) => this.waiters.push(r));
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(out.length);
    return out;
  }

  async readFrame(maxLength = 1 << 24): Promise<Frame> {
    const reader = new FrameReader(maxLength);
    const head = await this.read(4);
    const body = await this.read(head.readUIntBE(1, 3));
    return reader.push(Buffer.concat([head, body])).frames[0];
  }

  async handshake(serializer = 1, exponent = 15): Promise<Buffer> {
    this.socket.write(encodeHandshake(serializer, exponent));
    return this.read(4);
  }
}

describe('RawSocket transport', () => {
  let listener: Listener;
  let sink: ReturnType<typeof transportSink>;
  const clients: RawClient[] = [];

  const rawClient = (): RawClient => {
    const c = new RawClient(listener.port);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    sink = transportSink();
    listener = await listen(
      { port: 0, maxPayload: 4096, serializers: ['json', 'msgpack'] },
      sink.onTransport,
    );
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await listener.close();
  });

  for (const serializer of ['json', 'msgpack', 'cbor'] as SerializerId[]) {
    it(`carries messages both ways intact with ${serializer} (binary, unicode, integers up to 2^53)`, async () => {
      const local = await listen({ port: 0 }, sink.onTransport);
      try {
        const client = await connectTransport({ url: `rs://127.0.0.1:${local.port}`, serializer });
        const server = await sink.next();
        assert.equal(server.info.type, 'rawsocket');
        assert.equal(server.info.serializer, serializer);
        assert.equal(client.info.type, 'rawsocket');
        const c = record(client);
        const s = record(server);
        client.send(sampleMessage());
        const atServer = (await s.next()) as unknown[];
        assert.deepEqual(normalize(atServer), normalize(sampleMessage()));
        assert.ok((atServer[4] as unknown[])[0] instanceof Uint8Array);
        server.send(atServer);
        assert.deepEqual(normalize(await c.next()), normalize(sampleMessage()));
        client.close();
        await Promise.all([c.closed, s.closed]);
      } finally {
        await local.close();
      }
    });
  }

  it('carries a 1 MiB binary payload that arrives in many TCP chunks', async () => {
    const local = await listen({ port: 0 }, sink.onTransport);
    try {
      const client = await connectTransport({ url: `rs://127.0.0.1:${local.port}`, serializer: 'msgpack' });
      const s = record(await sink.next());
      const blob = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) & 0xff;
      client.send([16, 1, {}, 'blob', [blob]]);
      client.send([16, 2, {}, 'after', []]);
      const got = (await s.next()) as [number, number, object, string, [Uint8Array]];
      assert.ok(Buffer.from(got[4][0]).equals(blob));
      assert.deepEqual(await s.next(), [16, 2, {}, 'after', []]);
      client.close();
      await s.closed;
    } finally {
      await local.close();
    }
  });

  it('answers a hello with its own max length and the echoed serializer', async () => {
    const c = rawClient();
    const reply = await c.handshake(2, 0);
    // maxPayload 4096 = 2^(9+3)
    assert.deepEqual([...reply], [0x7f, 0x32, 0, 0]);
    await sink.next();
  });

  it('answers an unsupported serializer with error reply 1 and closes', async () => {
    const c = rawClient();
    const reply = await c.handshake(3);
    assert.deepEqual([...reply], [0x7f, 0x10, 0, 0]);
    await c.closed;
    assert.equal(sink.all.length, 0);
  });

  it('answers reserved bits in the hello with error reply 3 and closes', async () => {
    const c = rawClient();
    c.socket.write(Buffer.from([0x7f, 0xf1, 0, 1]));
    assert.deepEqual([...(await c.read(4))], [0x7f, 0x30, 0, 0]);
    await c.closed;
  });

  it('a client refused by the router rejects with the RawSocket error name', async () => {
    await assert.rejects(
      connectTransport({ url: `rs://127.0.0.1:${listener.port}`, serializer: 'cbor' }),
      (err: Error) => {
        assert.match(err.message, new RegExp(`rs://127.0.0.1:${listener.port}`));
        assert.match(err.message, /serializer unsupported/);
        return true;
      },
    );
  });

  it('a router answering with a bad magic octet fails the client', async () => {
    const server = net.createServer((s) =>
      s.once('data', () => s.end(Buffer.from([0x48, 0x54, 0x54, 0x50]))),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      await assert.rejects(connectTransport({ url: `rs://127.0.0.1:${port}` }), /bad magic octet 0x48/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a connection not starting with the magic octet is not RawSocket: HTTP answers 400 and closes', async () => {
    const c = rawClient();
    c.socket.write(Buffer.from([0x01, 0x02, 0x03, 0x04, 0x0d, 0x0a, 0x0d, 0x0a]));
    await c.closed;
    const answer = await c.read(12);
    assert.match(answer.toString(), /^HTTP\/1\.1 400/);
    assert.equal(sink.all.length, 0);
  });

  it('fails the connection on a frame longer than its announced maximum', async () => {
    const c = rawClient();
    await c.handshake();
    const s = record(await sink.next());
    c.socket.write(encodeFrame(FrameType.MESSAGE, Buffer.alloc(4097, 0x20)));
    const info = await s.closed;
    assert.match(info.reason, /exceeds the agreed maximum of 4096/);
    assert.equal(info.local, true);
    await c.closed;
  });

  it('refuses to send a message longer than the peer announced', async () => {
    const c = rawClient();
    await c.handshake(1, 0);
    const server = await sink.next();
    assert.throws(() => server.send([16, 1, {}, 't', ['x'.repeat(600)]]), /payload_size_exceeded/);
    server.send([16, 1, {}, 't', ['small']]);
    assert.deepEqual(JSON.parse((await c.readFrame()).payload.toString()), [16, 1, {}, 't', ['small']]);
  });

  it('reassembles frames split across TCP chunks', async () => {
    const c = rawClient();
    await c.handshake();
    const s = record(await sink.next());
    const wire = encodeFrame(FrameType.MESSAGE, Buffer.from('[1,"realm.split",{}]'));
    for (let i = 0; i < wire.length; i += 3) {
      c.socket.write(wire.subarray(i, i + 3));
      // Let each piece leave as its own segment.
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(await s.next(), [1, 'realm.split', {}]);
  });

  it('reads several frames arriving in one chunk, even with the handshake', async () => {
    const c = rawClient();
    c.socket.write(
      Buffer.concat([
        encodeHandshake(1, 15),
        encodeFrame(FrameType.MESSAGE, Buffer.from('[1,"a",{}]')),
        encodeFrame(FrameType.MESSAGE, Buffer.from('[1,"b",{}]')),
        encodeFrame(FrameType.MESSAGE, Buffer.from('[1,"c",{}]')),
      ]),
    );
    const s = record(await sink.next());
    assert.deepEqual(await s.next(), [1, 'a', {}]);
    assert.deepEqual(await s.next(), [1, 'b', {}]);
    assert.deepEqual(await s.next(), [1, 'c', {}]);
  });

  it('answers PING with a PONG echoing its payload', async () => {
    const c = rawClient();
    await c.handshake();
    await sink.next();
    c.socket.write(encodeFrame(FrameType.PING, Buffer.from('are you there?')));
    const pong = await c.readFrame();
    assert.equal(pong.type, FrameType.PONG);
    assert.equal(pong.payload.toString(), 'are you there?');
  });

  it('reports an undecodable frame with onDecodeError and stays usable', async () => {
    const c = rawClient();
    await c.handshake(2);
    const server = await sink.next();
    const s = record(server);
    c.socket.write(encodeFrame(FrameType.MESSAGE, Buffer.from([0xc1])));
    await s.nextDecodeError();
    assert.equal(server.isOpen, true);
    c.socket.write(encodeFrame(FrameType.MESSAGE, Buffer.from([0x91, 0x06])));
    assert.deepEqual(await s.next(), [6]);
  });

  for (const side of ['client', 'server'] as const) {
    it(`closing from the ${side} calls onClose once on each side`, async () => {
      const client = await connectTransport({ url: `rs://127.0.0.1:${listener.port}` });
      const server = await sink.next();
      const c = record(client);
      const s = record(server);
      const closer = side === 'client' ? client : server;
      closer.close(1000, 'bye');
      closer.close(1000, 'again');
      const [ci, si] = await Promise.all([c.closed, s.closed]);
      const [mine, theirs] = side === 'client' ? [ci, si] : [si, ci];
      assert.deepEqual(mine, { reason: 'bye', local: true });
      assert.deepEqual(theirs, { reason: 'socket closed', local: false });
      assert.equal(client.isOpen, false);
      assert.equal(server.isOpen, false);
      client.send([1, 'x', {}]);
      await new Promise((r) => setImmediate(r));
      assert.equal(c.closeCount(), 1);
      assert.equal(s.closeCount(), 1);
    });
  }

  it('closes a peer that does not answer pings with reason "ping timeout"', async () => {
    const local = await listen({ port: 0, keepaliveMs: 30 }, sink.onTransport);
    try {
      const c = new RawClient(local.port);
      clients.push(c);
      await c.handshake();
      const s = record(await sink.next());
      const ping = await c.readFrame();
      assert.equal(ping.type, FrameType.PING);
      assert.equal(ping.payload.length, 8);
      const info = await s.closed;
      assert.equal(info.reason, 'ping timeout');
      await c.closed;
    } finally {
      await local.close();
    }
  });

  it('keeps a peer that answers pings', async () => {
    const local = await listen({ port: 0, keepaliveMs: 20 }, sink.onTransport);
    try {
      const c = new RawClient(local.port);
      clients.push(c);
      await c.handshake();
      const server = await sink.next();
      for (let i = 0; i < 4; i++) {
        const ping = await c.readFrame();
        assert.equal(ping.type, FrameType.PING);
        c.socket.write(encodeFrame(FrameType.PONG, ping.payload));
      }
      assert.equal(server.isOpen, true);
    } finally {
      await local.close();
    }
  });
});
