// The load generator's own wire layer: raw WAMP frames over `ws` or RawSocket, with no client
// library in the measured path. Deliberately independent of src/transports (the code under test).
import * as net from 'node:net';
import { Decoder, Encoder } from '@msgpack/msgpack';
import WebSocket from 'ws';
import { cborSerializer } from '../src/serializers/cbor';
import { LongPollLink } from './longpoll-link';

export type Codec = 'json' | 'msgpack' | 'cbor';
/** `lp` and `lpb`: HTTP long-poll, unbatched and batched (JSON only). */
export type Wire = 'ws' | 'raw' | 'lp' | 'lpb';

const CORK = process.env.BENCH_CORK !== '0';

export const PROTOCOL: Record<Codec, string> = {
  json: 'wamp.2.json',
  msgpack: 'wamp.2.msgpack',
  cbor: 'wamp.2.cbor',
};
/** RawSocket serializer codes. */
export const RAW_SERIALIZER: Record<Codec, number> = { json: 1, msgpack: 2, cbor: 3 };

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

// CBOR frames are rare here (joins, registrations; the hot paths use Template and peekHead), so
// the project's own CBOR codec serves: it is not what a scenario measures.
function cborEncode(msg: readonly unknown[]): Uint8Array {
  return cborSerializer.encode(msg) as Uint8Array;
}

export function encode(codec: Codec, msg: readonly unknown[]): string | Uint8Array {
  return codec === 'json' ? JSON.stringify(msg) : codec === 'cbor' ? cborEncode(msg) : encoder.encode(msg);
}

export function decode(codec: Codec, data: Buffer | string): unknown[] {
  if (codec === 'json')
    return JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as unknown[];
  if (codec === 'cbor') {
    const d = cborSerializer.decode(data);
    if (!d.ok) throw new Error(d.error);
    return d.value as unknown[];
  }
  return decoder.decode(data as Buffer) as unknown[];
}

/**
 * Reads a message's type and its second element (an integer: the request ID in the replies the
 * hot paths wait for) without decoding the rest, so that the load generator stays cheaper than
 * the router it drives. Returns [-1, -1] for anything unexpected.
 */
export function peekHead(codec: Codec, d: Buffer): [number, number] {
  if (codec === 'json') {
    let i = 0;
    while (d[i] === 0x20) i++;
    if (d[i++] !== 0x5b) return [-1, -1];
    const ints: number[] = [];
    for (let k = 0; k < 2; k++) {
      while (d[i] === 0x20) i++;
      let n = 0,
        digits = 0;
      while (d[i] >= 0x30 && d[i] <= 0x39) {
        n = n * 10 + d[i++] - 0x30;
        digits++;
      }
      if (!digits) return [-1, -1];
      ints.push(n);
      while (d[i] === 0x20) i++;
      if (d[i++] !== 0x2c && k === 0) return [-1, -1];
    }
    return [ints[0], ints[1]];
  }
  if (codec === 'cbor') return peekCborHead(d);
  let i = d[0] >= 0x90 && d[0] <= 0x9f ? 1 : d[0] === 0xdc ? 3 : -1;
  if (i < 0 || d[i] >= 0x80) return [-1, -1];
  const type = d[i++];
  const t = d[i++];
  if (t < 0x80) return [type, t];
  switch (t) {
    case 0xcc:
      return [type, d[i]];
    case 0xcd:
      return [type, d.readUInt16BE(i)];
    case 0xce:
      return [type, d.readUInt32BE(i)];
    case 0xcf:
      return [type, Number(d.readBigUInt64BE(i))];
    default:
      return [-1, -1];
  }
}

/** CBOR: an array header, then two unsigned integers (major type 0). */
function peekCborHead(d: Buffer): [number, number] {
  let i = d[0] >= 0x80 && d[0] <= 0x97 ? 1 : d[0] === 0x98 ? 2 : -1;
  if (i < 0) return [-1, -1];
  const uint = (): number => {
    const b = d[i++];
    if (b < 0x18) return b;
    if (b === 0x18) return d[i++];
    if (b === 0x19) return d.readUInt16BE((i += 2) - 2);
    if (b === 0x1a) return d.readUInt32BE((i += 4) - 4);
    if (b === 0x1b) return Number(d.readBigUInt64BE((i += 8) - 8));
    return -1;
  };
  const type = uint();
  const id = uint();
  return type < 0 || id < 0 ? [-1, -1] : [type, id];
}

/** Pre-encoded `[type, id, ...tail]`: only the ID changes per message (IDs below 2^32). */
export class Template {
  private readonly jsonTail: string = '';
  private readonly binHead: Buffer = Buffer.alloc(0);
  private readonly binTail: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly codec: Codec,
    private readonly type: number,
    tail: readonly unknown[],
  ) {
    if (codec === 'json') this.jsonTail = tail.length ? `,${JSON.stringify(tail).slice(1)}` : ']';
    else if (codec === 'cbor') {
      if (tail.length + 2 > 23 || type >= 0x100) throw new Error('template too long');
      this.binHead = Buffer.from(
        type < 0x18 ? [0x80 | (tail.length + 2), type] : [0x80 | (tail.length + 2), 0x18, type],
      );
      this.binTail = cborEncode(tail).subarray(1); // without the tail's own array header
    } else {
      if (tail.length + 2 > 15 || type >= 0x80) throw new Error('template too long');
      this.binHead = Buffer.from([0x90 | (tail.length + 2), type]);
      this.binTail = encoder.encode(tail).subarray(1); // without the tail's own array header
    }
  }

  encode(id: number): string | Uint8Array {
    if (this.codec === 'json') return `[${this.type},${id}${this.jsonTail}`;
    const out = Buffer.allocUnsafe(this.binHead.length + 5 + this.binTail.length);
    this.binHead.copy(out, 0);
    out[this.binHead.length] = this.codec === 'cbor' ? 0x1a : 0xce; // a 32-bit unsigned integer follows
    out.writeUInt32BE(id, this.binHead.length + 1);
    out.set(this.binTail, this.binHead.length + 5);
    return out;
  }
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
  /** HTTP long-poll base URL, when the target supports it. */
  longPollUrl?: string;
}

/**
 * One WAMP connection of the load generator. In `countOnly` mode messages are counted, not
 * decoded: subscribers in fan-out only need to know an EVENT arrived, and decoding a hundred
 * copies would make the load generator the bottleneck.
 */
export class BenchPeer {
  onMessage: (msg: unknown[]) => void = () => {};
  /** When set, messages are only peeked (see peekHead) and handed here instead of onMessage. */
  onHead: ((type: number, id: number, data: Buffer) => void) | null = null;
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
    link: LongPollLink | null = null,
  ) {
    if (link) {
      this.sendFn = (data) => link.send(data as string);
      this.closeFn = () => link.close();
      link.onData = (data) => this.deliver(data);
      this.closed = link.closed;
    } else if (ws) {
      const binary = codec !== 'json';
      const socket = (ws as unknown as { _socket: net.Socket })._socket;
      this.sendFn = (data) => {
        this.cork(socket);
        ws.send(data, { binary });
      };
      this.closeFn = () => ws.close();
      ws.on('message', (data: Buffer) => this.deliver(data));
      this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
      ws.on('error', () => {});
    } else {
      const s = sock as net.Socket;
      this.sendFn = (data) => {
        this.cork(s);
        s.write(rawFrame(data));
      };
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

  private corked = false;

  /**
   * Messages sent in one tick leave in one write: the load generator must cost less than the
   * router it drives, and a pipelining client batches its writes anyway.
   */
  private cork(socket: net.Socket): void {
    if (this.corked || !CORK) return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private deliver(data: Buffer): void {
    this.received++;
    if (this.countOnly) return;
    if (this.onHead) {
      const [type, id] = peekHead(this.codec, data);
      this.onHead(type, id, data);
    } else this.onMessage(decode(this.codec, data));
  }

  static async connect(endpoint: Endpoint, wire: Wire, codec: Codec): Promise<BenchPeer> {
    if (wire === 'lp' || wire === 'lpb') {
      if (endpoint.longPollUrl === undefined || codec !== 'json') throw new Error('no long-poll');
      return new BenchPeer(
        codec,
        wire,
        null,
        null,
        await LongPollLink.open(endpoint.longPollUrl, wire === 'lpb'),
      );
    }
    if (wire === 'ws') {
      const ws = new WebSocket(endpoint.wsUrl, [PROTOCOL[codec]], {
        perMessageDeflate: false,
        skipUTF8Validation: true,
      });
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

  /** Sends an already encoded message. */
  sendEncoded(data: string | Uint8Array): void {
    this.sendFn(data);
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
