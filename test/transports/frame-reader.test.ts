import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { listen, type Listener } from '../../src/transports/listener';
import { record, transportSink } from './helpers';

/** A client frame as RFC 6455 has it: masked, FIN and opcode as given. */
function clientFrame(
  payload: Buffer | string,
  opts: { opcode?: number; fin?: boolean; rsv1?: boolean; masked?: boolean } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const masked = opts.masked ?? true;
  const head: number[] = [(opts.fin === false ? 0 : 0x80) | (opts.rsv1 ? 0x40 : 0) | (opts.opcode ?? 1)];
  const maskBit = masked ? 0x80 : 0;
  if (data.length < 126) head.push(maskBit | data.length);
  else if (data.length < 65536) head.push(maskBit | 126, data.length >> 8, data.length & 0xff);
  else
    head.push(
      maskBit | 127,
      0,
      0,
      0,
      0,
      (data.length >>> 24) & 0xff,
      (data.length >> 16) & 0xff,
      (data.length >> 8) & 0xff,
      data.length & 0xff,
    );
  if (!masked) return Buffer.concat([Buffer.from(head), data]);
  const key = randomBytes(4);
  const body = Buffer.from(data);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** A raw TCP client that has done the WebSocket opening handshake (wamp.2.json) and collects what comes back. */
async function rawClient(
  listener: Listener,
  allowHalfOpen = false,
): Promise<{ socket: net.Socket; received: () => Buffer }> {
  // With allowHalfOpen the client decides when its side ends (after the server's close frame).
  const socket = net.connect({ port: listener.port, host: '127.0.0.1', allowHalfOpen });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      'Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n',
  );
  let buffered = Buffer.alloc(0);
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      assert.match(buffered.subarray(0, end).toString(), /^HTTP\/1\.1 101/);
      buffered = buffered.subarray(end + 4);
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
  socket.on('data', (chunk: Buffer) => (buffered = Buffer.concat([buffered, chunk])));
  socket.on('error', () => {});
  return { socket, received: () => buffered };
}

/** Writes `chunks` one by one, each a separate TCP segment (no coalescing by Nagle or cork). */
async function writeApart(socket: net.Socket, chunks: Buffer[]): Promise<void> {
  socket.setNoDelay(true);
  for (const c of chunks) {
    await new Promise<void>((resolve) => socket.write(c, () => resolve()));
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('WebSocket frames read by our frame reader (and what it leaves to ws)', () => {
  let listener: Listener;
  let sink: ReturnType<typeof transportSink>;

  beforeEach(async () => {
    sink = transportSink();
    listener = await listen({ port: 0, maxPayload: 200_000 }, sink.onTransport);
  });

  afterEach(async () => {
    await listener.close();
  });

  it('reads whole frames, frames cut across chunks, fragmented messages and pings in between, in order', async () => {
    const { socket, received } = await rawClient(listener);
    const server = await sink.next();
    const s = record(server);
    const big = JSON.stringify([1, 'x'.repeat(70_000), {}]);
    const split = clientFrame('[1,"split",{}]');
    const bigFrame = clientFrame(big);
    await writeApart(socket, [
      Buffer.concat([clientFrame('[1,"a",{}]'), clientFrame('[1,"b",{}]'), split.subarray(0, 5)]),
      Buffer.concat([
        split.subarray(5),
        clientFrame('[1,"fr', { fin: false }),
        clientFrame('ping!', { opcode: 9 }),
      ]),
      Buffer.concat([clientFrame('ag",{}]', { opcode: 0 }), bigFrame.subarray(0, 1000)]),
      Buffer.concat([bigFrame.subarray(1000), clientFrame(Buffer.from('[1,"bin",{}]'), { opcode: 2 })]),
    ]);
    assert.deepEqual(await s.next(), [1, 'a', {}]);
    assert.deepEqual(await s.next(), [1, 'b', {}]);
    assert.deepEqual(await s.next(), [1, 'split', {}]);
    assert.deepEqual(await s.next(), [1, 'frag', {}]);
    assert.deepEqual(await s.next(), JSON.parse(big));
    assert.deepEqual(await s.next(), [1, 'bin', {}]);
    // The ping was answered (pong, opcode 10, payload echoed) by `ws`.
    const out = received();
    assert.deepEqual([...out.subarray(0, 2)], [0x8a, 5]);
    assert.equal(out.subarray(2, 7).toString(), 'ping!');
    socket.destroy();
  });

  const refusals: Array<[string, () => Buffer, number]> = [
    ['invalid UTF-8 in a text frame: 1007', () => clientFrame(Buffer.from([0x5b, 0xff, 0x5d])), 1007],
    ['an unmasked frame from a client: 1002', () => clientFrame('[1,"a",{}]', { masked: false }), 1002],
    ['a reserved bit set without an extension: 1002', () => clientFrame('[1,"a",{}]', { rsv1: true }), 1002],
    ['a frame longer than the limit: 1009', () => clientFrame('x'.repeat(200_001)), 1009],
    ['a continuation frame that continues nothing: 1002', () => clientFrame('x', { opcode: 0 }), 1002],
  ];
  for (const [what, frame, code] of refusals) {
    it(`fails the connection as ws does for ${what}`, async () => {
      const { socket } = await rawClient(listener);
      const server = await sink.next();
      const s = record(server);
      socket.write(Buffer.concat([clientFrame('[1,"first",{}]'), frame()]));
      assert.deepEqual(await s.next(), [1, 'first', {}]);
      assert.equal((await s.closed).code, code);
      socket.destroy();
    });
  }

  it('reads nothing after the peer has sent its close frame', async () => {
    const { socket } = await rawClient(listener, true);
    const server = await sink.next();
    const s = record(server);
    const close = clientFrame(Buffer.from([0x03, 0xe8]), { opcode: 8 });
    // The frame after the close frame in a chunk of its own, where `ws` has nothing left buffered
    // (the server has answered the close and half-closed; our side is still open for writing).
    await writeApart(socket, [
      Buffer.concat([clientFrame('[1,"before",{}]'), close]),
      clientFrame('[1,"after",{}]'),
    ]);
    socket.end();
    assert.deepEqual(await s.next(), [1, 'before', {}]);
    assert.equal((await s.closed).code, 1000);
    const more = await Promise.race([s.next(), Promise.resolve('nothing')]);
    assert.equal(more, 'nothing');
    socket.destroy();
  });
});
