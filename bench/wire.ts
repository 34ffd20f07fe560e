// The load generator's own wire layer: raw WAMP frames over `ws` or RawSocket, with no client
// library in the measured path. Deliberately independent of src/transports (the code under test).
import * as net from 'node:net';
import { Decoder, Encoder } from '@msgpack/msgpack';
import WebSocket from 'ws';

export type Codec = 'json' | 'msgpack';
export type Wire = 'ws' | 'raw';

export const PROTOCOL: Record<Codec, string> = { json: 'wamp.2.json', msgpack: 'wamp.2.msgpack' };
/** RawSocket serializer codes. */
export const RAW_SERIALIZER: Record<Codec, number> = { json: 1, msgpack: 2 };

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

export function encode(codec: Codec, msg: readonly unknown[]): string | Uint8Array {
  return codec === 'json' ? JSON.stringify(msg) : encoder.encode(msg);
}

export function decode(codec: Codec, data: Buffer | string): unknown[] {
  if (codec === 'json') return JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as unknown[];
  return decoder.decode(data as Buffer) as unknown[];
}

/** RawSocket message frame: 1 byte type (0 = message), 3 bytes big-endian length, payload. */
export function rawFrame(payload: string | Uint8Array, type = 0): Buffer {
  const len = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const frame = Buffer.allocUnsafe(4 + len);
  frame.writeUInt32BE(len, 0);
  frame[0] = type;
  if (typeof payload === 'string') frame.write(payload, 4);
  else frame.set(payload, 4);
  return frame;
}

/**
 * Splits a RawSocket byte stream into frames. Calls `onFrame(type, payload)` per frame; the
 * payload is a view into the received chunk, valid only during the call.
 */
export class RawFramer {
  private pending: Buffer | null = null;

  constructor(private readonly onFrame: (type: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (buf.length - at >= 4) {
      const len = buf.readUInt32BE(at) & 0xffffff;
      if (buf.length - at - 4 < len) break;
      const type = buf[at];
      this.onFrame(type, buf.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    if (at < buf.length) {
      buf = buf.subarray(at);
      // Copy so that a small tail does not pin a large chunk.
      this.pending = Buffer.from(buf);
    }
  }
}

export interface Endpoint {
  wsUrl: string;
  /** Port that speaks RawSocket, when the target supports it. */
  rawPort?: number;
}

/**
 * One WAMP connection of the load generator. In `countOnly` mode messages are counted, not
 * decoded: subscribers in fan-out only need to know an EVENT arrived, and decoding a hundred
 * copies would make the load generator the bottleneck.
 */
export class BenchPeer {
  onMessage: (msg: unknown[]) => void = () => {};
  countOnly = false;
  received = 0;
  private readonly closed: Promise<void>;
  private readonly sendFn: (data: string | Uint8Array) => void;
  private readonly closeFn: () => void;

  private constructor(
    readonly codec: Codec,
    readonly wire: Wire,
    ws: WebSocket | null,
    sock: net.Socket | null,
  ) {
    if (ws) {
      const binary = codec !== 'json';
      this.sendFn = (data) => ws.send(data, { binary });
      this.closeFn = () => ws.close();
      ws.on('message', (data: Buffer) => this.deliver(data));
      this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
      ws.on('error', () => {});
    } else {
      const s = sock as net.Socket;
      this.sendFn = (data) => s.write(rawFrame(data));
      this.closeFn = () => s.end();
      const framer = new RawFramer((type, payload) => {
        if (type === 0) this.deliver(payload);
        else if (type === 1) s.write(rawFrame(Buffer.from(payload), 2));
      });
      s.on('data', (chunk: Buffer) => framer.push(chunk));
      this.closed = new Promise((resolve) => s.once('close', () => resolve()));
      s.on('error', () => {});
    }
  }

  private deliver(data: Buffer): void {
    this.received++;
    if (!this.countOnly) this.onMessage(decode(this.codec, data));
  }

  static async connect(endpoint: Endpoint, wire: Wire, codec: Codec): Promise<BenchPeer> {
    if (wire === 'ws') {
      const ws = new WebSocket(endpoint.wsUrl, [PROTOCOL[codec]], { perMessageDeflate: false, skipUTF8Validation: true });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      if (ws.protocol !== PROTOCOL[codec]) {
        ws.terminate();
        throw new Error(`target refused ${PROTOCOL[codec]}`);
      }
      return new BenchPeer(codec, wire, ws, null);
    }
    if (endpoint.rawPort === undefined) throw new Error('target has no RawSocket');
    const url = new URL(endpoint.wsUrl);
    const sock = net.connect({ host: url.hostname, port: endpoint.rawPort });
    sock.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    // Handshake: 0x7F, (L << 4) | S, 0, 0 with L = 15 (16 MiB).
    sock.write(Buffer.from([0x7f, (15 << 4) | RAW_SERIALIZER[codec], 0, 0]));
    const reply = await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        got = Buffer.concat([got, chunk]);
        if (got.length < 4) return;
        sock.off('data', onData);
        if (got.length > 4) sock.unshift(got.subarray(4));
        resolve(got.subarray(0, 4));
      };
      sock.on('data', onData);
      sock.once('error', reject);
      sock.once('close', () => reject(new Error('closed during RawSocket handshake')));
    });
    if (reply[0] !== 0x7f || (reply[1] & 0x0f) !== RAW_SERIALIZER[codec]) {
      sock.destroy();
      throw new Error(`RawSocket handshake refused: ${reply.toString('hex')}`);
    }
    return new BenchPeer(codec, wire, null, sock);
  }

  send(msg: readonly unknown[]): void {
    this.sendFn(encode(this.codec, msg));
  }

  /** Sends `msg` and resolves with the first message that `match` accepts. */
  request(msg: readonly unknown[], match: (reply: unknown[]) => boolean): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const previous = this.onMessage;
      this.onMessage = (reply) => {
        if (reply[0] === 8 || reply[0] === 3) {
          this.onMessage = previous;
          reject(new Error(`WAMP error: ${JSON.stringify(reply)}`));
        } else if (match(reply)) {
          this.onMessage = previous;
          resolve(reply);
        } else previous(reply);
      };
      this.send(msg);
    });
  }

  /** HELLO → WELCOME with the roles the scenarios use. */
  async join(realm: string): Promise<void> {
    const roles = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
    await this.request([1, realm, { roles }], (m) => m[0] === 2);
  }

  /** Closes the connection (without GOODBYE: routers must cope with a dropped transport). */
  close(): Promise<void> {
    this.closeFn();
    return this.closed;
  }
}
