import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import { connectTransport } from '../../src/transports/connect';
import { listen, type Listener } from '../../src/transports/listener';
import { createWebSocketTransport } from '../../src/transports/websocket';
import type { SerializerId } from '../../src/serializers';
import { record, transportSink } from './helpers';

/** Message sizes around every length class of RFC 6455 frames (7-bit, 16-bit, 64-bit). */
const SIZES = [0, 1, 100, 125, 126, 127, 1000, 65535, 65536, 70000];

function messageOfSize(n: number, i: number): unknown[] {
  return [36, i + 1, 2, {}, ['é'.repeat(n % 7), 'x'.repeat(n)]];
}

describe('WebSocket frames written by our frame writer', () => {
  let listener: Listener;
  let sink: ReturnType<typeof transportSink>;

  beforeEach(async () => {
    sink = transportSink();
    listener = await listen({ port: 0, maxPayload: 1024 * 1024 }, sink.onTransport);
  });

  afterEach(async () => {
    await listener.close();
  });

  for (const serializer of ['json', 'msgpack'] as SerializerId[]) {
    it(`carry messages of every length class, many in one round, both ways (${serializer})`, async () => {
      const client = await connectTransport({ url: listener.url, serializer });
      const server = await sink.next();
      const c = record(client);
      const s = record(server);
      // All in one tick: they leave in one write, and `ws` on the other side (which enforces
      // masking from clients and its absence from servers) must find every frame.
      for (let i = 0; i < SIZES.length; i++) client.send(messageOfSize(SIZES[i], i));
      for (let i = 0; i < SIZES.length; i++) server.send(messageOfSize(SIZES[i], i));
      for (let i = 0; i < SIZES.length; i++) {
        assert.deepEqual(await s.next(), messageOfSize(SIZES[i], i), `client -> server, ${SIZES[i]}`);
        assert.deepEqual(await c.next(), messageOfSize(SIZES[i], i), `server -> client, ${SIZES[i]}`);
      }
      client.close();
      await Promise.all([c.closed, s.closed]);
    });
  }

  it('masks client frames with a fresh key each, and leaves server frames unmasked (RFC 6455 5.1, 5.3)', async () => {
    const raw: Buffer[] = [];
    const wss = new WebSocketServer({ port: 0, handleProtocols: () => 'wamp.2.json' });
    await new Promise((resolve) => wss.once('listening', resolve));
    const port = (wss.address() as { port: number }).port;
    const accepted = new Promise<WebSocket>((resolve) =>
      wss.once('connection', (ws) => {
        (ws as unknown as { _socket: NodeJS.EventEmitter })._socket.prependListener('data', (d: Buffer) =>
          raw.push(d),
        );
        resolve(ws);
      }),
    );
    try {
      const client = await connectTransport({ url: `ws://127.0.0.1:${port}`, serializer: 'json' });
      const serverWs = await accepted;
      const got: string[] = [];
      serverWs.on('message', (d: Buffer) => got.push(d.toString()));
      client.send([1, 'realm1', {}]);
      client.send([1, 'realm1', {}]);
      while (got.length < 2) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(got, ['[1,"realm1",{}]', '[1,"realm1",{}]']);
      const bytes = Buffer.concat(raw);
      const first = bytes.subarray(0, 2 + 4 + 15);
      const second = bytes.subarray(first.length);
      for (const f of [first, second]) {
        assert.equal(f[0], 0x81, 'FIN, text');
        assert.equal(f[1], 0x80 | 15, 'masked, 15 bytes');
      }
      assert.notDeepEqual(first.subarray(2, 6), second.subarray(2, 6), 'a new mask key per frame');
      client.close();
    } finally {
      wss.close();
    }
  });

  it('writes what it holds before the close frame when the transport closes', async () => {
    const client = await connectTransport({ url: listener.url, serializer: 'json' });
    const server = await sink.next();
    const s = record(server);
    client.send([1, 'a', {}]);
    client.send([1, 'b', {}]);
    client.close(1000, 'bye');
    assert.deepEqual(await s.next(), [1, 'a', {}]);
    assert.deepEqual(await s.next(), [1, 'b', {}]);
    assert.equal((await s.closed).code, 1000);
  });

  it("writes what it holds before `ws` answers the peer's close frame", async () => {
    const ws = new WebSocket(listener.url, ['wamp.2.json']);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const server = await sink.next();
    // The server answers a message at once: its answer is held when, in the same read, the
    // peer's close frame follows the message, and `ws` answers that close frame at once.
    server.attach({
      onMessage: () => server.send([36, 1, 2, {}, ['late']]),
      onDecodeError: () => {},
      onClose: () => {},
    });
    const got: string[] = [];
    ws.on('message', (d: Buffer) => got.push(d.toString()));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const socket = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    socket.cork();
    ws.send('[1,"realm1",{}]');
    ws.close(1000);
    socket.uncork();
    assert.equal(await closed, 1000);
    // Written before the server's close frame, so the peer reads it (after it, it would be lost).
    assert.deepEqual(got, ['[36,1,2,{},["late"]]']);
  });

  it('is not used when an extension was negotiated (frames then go through ws.send)', async () => {
    const wss = new WebSocketServer({ port: 0, perMessageDeflate: { threshold: 0 } });
    await new Promise((resolve) => wss.once('listening', resolve));
    const port = (wss.address() as { port: number }).port;
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, ['wamp.2.json'], { perMessageDeflate: true });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      assert.match(ws.extensions, /permessage-deflate/);
      const transport = createWebSocketTransport(ws);
      const serverWs = await accepted;
      const got = new Promise<string>((resolve) =>
        serverWs.once('message', (d: Buffer) => resolve(d.toString())),
      );
      transport.send([1, 'realm1', { x: 'y'.repeat(200) }]);
      assert.equal(await got, JSON.stringify([1, 'realm1', { x: 'y'.repeat(200) }]));
      transport.close();
    } finally {
      wss.close();
    }
  });
});
