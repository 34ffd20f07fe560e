// A raw WAMP client for reliability tests: it writes whatever bytes or values it is given over a
// real WebSocket or RawSocket connection, and records every message the router sends back. It
// never validates what it sends, so it can feed a router anything.
import * as net from 'node:net';
import WebSocket from 'ws';
import { serializerById, type Serializer, type SerializerId } from '../../src/serializers';
import { encodeFrameHeader, FrameReader, FrameType } from '../../src/transports/rawsocket-framing';

export type TransportKind = 'websocket' | 'rawsocket';

export class RawClient {
  readonly received: unknown[][] = [];
  /** Values the router sent that are not lists (must never happen). */
  readonly strange: unknown[] = [];
  closed = false;
  readonly whenClosed: Promise<void>;
  private resolveClosed!: () => void;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly kind: TransportKind,
    readonly serializer: Serializer,
    private readonly write: (data: Buffer | string, binary: boolean, header?: Buffer) => void,
    private readonly end: () => void,
    /** Bytes queued in the socket, for stall measurements. */
    readonly buffered: () => number,
    readonly pause: () => void,
  ) {
    this.whenClosed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  static async open(
    kind: TransportKind,
    serializerId: SerializerId,
    port: number,
    path = '/ws',
  ): Promise<RawClient> {
    const serializer = serializerById(serializerId)!;
    return kind === 'websocket'
      ? RawClient.openWebSocket(serializer, port, path)
      : RawClient.openRawSocket(serializer, port);
  }

  private static openWebSocket(serializer: Serializer, port: number, path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, [serializer.protocol], {
        perMessageDeflate: false,
        maxPayload: 64 * 1024 * 1024,
      });
      const client = new RawClient(
        'websocket',
        serializer,
        (data, binary) => ws.send(data, { binary }),
        () => ws.terminate(),
        () => ws.bufferedAmount,
        () => (ws as unknown as { _socket: net.Socket })._socket.pause(),
      );
      ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
        client.deliver(isBinary ? buf : buf.toString('utf8'));
      });
      ws.on('error', (e) => {
        if (ws.readyState === WebSocket.CONNECTING) reject(e);
      });
      ws.on('close', () => client.markClosed());
      ws.on('open', () => resolve(client));
    });
  }

  private static openRawSocket(serializer: Serializer, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const reader = new FrameReader(16 * 1024 * 1024);
      let handshaken = false;
      let pending = Buffer.alloc(0);
      const client = new RawClient(
        'rawsocket',
        serializer,
        (data, _binary, header) => {
          const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
          socket.write(Buffer.concat([header ?? encodeFrameHeader(FrameType.MESSAGE, bytes.length), bytes]));
        },
        () => socket.destroy(),
        () => socket.writableLength,
        () => socket.pause(),
      );
      socket.on('error', (e) => {
        if (!handshaken) reject(e);
      });
      socket.on('close', () => {
        if (!handshaken) reject(new Error('closed during the RawSocket handshake'));
        client.markClosed();
      });
      socket.on('connect', () =>
        socket.write(Buffer.from([0x7f, (0xf << 4) | serializer.rawSocketId, 0, 0])),
      );
      socket.on('data', (chunk: Buffer) => {
        if (!handshaken) {
          pending = Buffer.concat([pending, chunk]);
          if (pending.length < 4) return;
          if (pending[0] !== 0x7f || (pending[1] & 0x0f) !== serializer.rawSocketId) {
            socket.destroy();
            return reject(
              new Error(`RawSocket handshake refused: ${pending.subarray(0, 4).toString('hex')}`),
            );
          }
          handshaken = true;
          chunk = pending.subarray(4);
          resolve(client);
        }
        const batch = reader.push(chunk);
        for (const f of batch.frames) {
          if (f.type === FrameType.MESSAGE)
            client.deliver(serializer.binary ? f.payload : f.payload.toString('utf8'));
          else if (f.type === FrameType.PING)
            socket.write(Buffer.concat([encodeFrameHeader(FrameType.PONG, f.payload.length), f.payload]));
        }
        if (batch.error) socket.destroy();
      });
    });
  }

  private deliver(data: Buffer | string): void {
    const decoded = this.serializer.decode(data);
    if (!decoded.ok || !Array.isArray(decoded.value)) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      this.strange.push(
        `${decoded.ok ? `non-list ${JSON.stringify(decoded.value)}` : `undecodable (${decoded.error})`}: ${bytes.length} bytes ${bytes.subarray(0, 48).toString('hex')}`,
      );
    } else this.received.push(decoded.value);
    this.wake();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.resolveClosed();
    this.wake();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Sends a value encoded by the serializer as it is (no validation). */
  sendValue(value: unknown): void {
    if (this.closed) return;
    const data = this.serializer.encode(value as unknown[]);
    this.write(
      typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      this.serializer.binary,
    );
  }

  sendRaw(data: Buffer | string, binary: boolean, rawsocketHeader?: Buffer): void {
    if (this.closed) return;
    this.write(data, binary, rawsocketHeader);
  }

  /**
   * Resolves with the first received message (from index `from` on) that satisfies `pred`, or
   * null once the connection is closed; rejects after `ms`.
   */
  async waitFor(pred: (m: unknown[]) => boolean, ms: number, from = 0): Promise<unknown[] | null> {
    const deadline = Date.now() + ms;
    let seen = from;
    for (;;) {
      for (; seen < this.received.length; seen++) if (pred(this.received[seen])) return this.received[seen];
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once closed; rejects after `ms`. */
  async waitClosed(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.whenClosed,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms)),
      ),
    ]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.end();
  }
}
