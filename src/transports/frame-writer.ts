// Writes WAMP messages as whole RFC 6455 data frames (FIN set, one frame per message, text or
// binary) straight to the socket, the frames of one round of the event loop in one buffer and one
// write. `ws` would make each message a header buffer, a payload buffer, an options object and two
// stream writes held by a cork: profiled, that was a fifth of what the process allocated in an RPC
// flow over WebSocket. Reading, control frames (ping, pong, close) and the handshake stay `ws`'s.
import { randomFillSync } from 'node:crypto';
import type net from 'node:net';

/** Mask keys are drawn from a pool refilled from the CSPRNG, as `ws` does (RFC 6455 §5.3). */
const POOL_SIZE = 8192;
let pool: Buffer | undefined;
let poolAt = POOL_SIZE;

function nextMaskKey(): number {
  if (poolAt === POOL_SIZE) {
    pool ??= Buffer.alloc(POOL_SIZE);
    randomFillSync(pool, 0, POOL_SIZE);
    poolAt = 0;
  }
  const key = pool!.readUInt32BE(poolAt);
  poolAt += 4;
  return key;
}

/** XORs `length` bytes of `buf` from `at` with the 4-byte key (big-endian: first byte first). */
function applyMask(buf: Buffer, at: number, length: number, key: number): void {
  let i = 0;
  if (length >= 128) {
    // Four bytes at a time: a third of the byte loop's time on long payloads.
    const view = new DataView(buf.buffer, buf.byteOffset + at, length);
    const words = length & ~3;
    for (; i < words; i += 4) view.setInt32(i, view.getInt32(i) ^ key);
  }
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  for (; i + 3 < length; i += 4) {
    buf[at + i] ^= k0;
    buf[at + i + 1] ^= k1;
    buf[at + i + 2] ^= k2;
    buf[at + i + 3] ^= k3;
  }
  if (i < length) buf[at + i++] ^= k0;
  if (i < length) buf[at + i++] ^= k1;
  if (i < length) buf[at + i] ^= k2;
}

/** Bytes of a frame header for `length` payload bytes: 2, plus 2 or 8 for the extended length, plus 4 for the mask key. */
function headerSize(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

/** Writes a frame header at `at`; returns where the payload starts. */
function writeHeader(
  buf: Buffer,
  at: number,
  opcode: number,
  length: number,
  maskKey: number | null,
): number {
  buf[at] = 0x80 | opcode; // FIN, no RSV bits (no extension is negotiated)
  const maskBit = maskKey === null ? 0 : 0x80;
  let p = at + 2;
  if (length < 126) {
    buf[at + 1] = maskBit | length;
  } else if (length < 65536) {
    buf[at + 1] = maskBit | 126;
    buf.writeUInt16BE(length, p);
    p += 2;
  } else {
    buf[at + 1] = maskBit | 127;
    // 64-bit length; messages stay far below 2^53.
    buf.writeUInt32BE(Math.floor(length / 0x100000000), p);
    buf.writeUInt32BE(length >>> 0, p + 4);
    p += 8;
  }
  if (maskKey !== null) {
    buf.writeUInt32BE(maskKey, p);
    p += 4;
  }
  return p;
}

/**
 * The frames a transport sends in one round of the event loop, written together once the round's
 * callbacks are done (setImmediate: Node-RED delivers every message in an immediate of its own,
 * and the router reads in the poll phase and writes in the check phase right after it).
 */
export class FrameWriter {
  private pending: Array<string | Uint8Array> = [];
  private lengths: number[] = [];
  private pendingBytes = 0;
  private scheduled = false;

  /**
   * @param mask RFC 6455: a client masks every frame it sends, a server none.
   * @param writable whether frames may still go out (the WebSocket is open); checked at flush, so
   *   that nothing follows a close frame.
   */
  constructor(
    private readonly socket: net.Socket,
    private readonly opcode: 1 | 2,
    private readonly mask: boolean,
    private readonly writable: () => boolean,
  ) {}

  /** Bytes held for the next flush (frame headers not counted). */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Queues one message; `byteLength` is its UTF-8 length when `data` is a string. */
  write(data: string | Uint8Array, byteLength: number): void {
    this.pending.push(data);
    this.lengths.push(byteLength);
    this.pendingBytes += byteLength;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** Writes what is held now (before a control frame that must follow it, e.g. close). */
  flush(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    const lengths = this.lengths;
    this.pending = [];
    this.lengths = [];
    this.pendingBytes = 0;
    if (!this.writable() || this.socket.destroyed) return;
    let total = 0;
    for (let i = 0; i < lengths.length; i++) total += headerSize(lengths[i], this.mask) + lengths[i];
    const buf = Buffer.allocUnsafe(total);
    let at = 0;
    for (let i = 0; i < pending.length; i++) {
      const data = pending[i];
      const length = lengths[i];
      const key = this.mask ? nextMaskKey() : null;
      at = writeHeader(buf, at, this.opcode, length, key);
      if (typeof data === 'string') buf.write(data, at, length, 'utf8');
      else buf.set(data, at);
      if (key !== null && key !== 0) applyMask(buf, at, length, key);
      at += length;
    }
    this.socket.write(buf);
  }

  private readonly flushNow = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
