// WAMP RawSocket framing as pure functions: the 4-octet handshake and the length-prefixed
// frames (big-endian). No I/O here, so every rule can be tested on bytes alone.

export const RAWSOCKET_MAGIC = 0x7f;

/** Handshake error codes (upper nibble of the second octet of an error reply). */
export const RawSocketErrorCode = {
  SERIALIZER_UNSUPPORTED: 1,
  MAX_LENGTH_UNACCEPTABLE: 2,
  RESERVED_BITS_USED: 3,
  CONNECTION_LIMIT: 4,
} as const;

const ERROR_NAMES: Record<number, string> = {
  1: 'serializer unsupported',
  2: 'maximum message length unacceptable',
  3: 'use of reserved bits',
  4: 'maximum connection count reached',
};

export function rawSocketErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `unknown error ${code}`;
}

export const FrameType = { MESSAGE: 0, PING: 1, PONG: 2 } as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/** The 24-bit length field cannot say 2^24, so L = 15 really means 2^24 - 1. */
export const MAX_FRAME_LENGTH = 0xffffff;

/** The length a `LENGTH` nibble announces, capped at what the frame header can carry. */
export function maxLengthOf(exponent: number): number {
  return Math.min(2 ** (9 + exponent), MAX_FRAME_LENGTH);
}

/** The largest `LENGTH` nibble whose 2^(9+L) does not exceed `maxBytes` (0 at least, 15 at most). */
export function lengthExponent(maxBytes: number): number {
  let exponent = 0;
  while (exponent < 15 && 2 ** (9 + exponent + 1) <= maxBytes) exponent++;
  return exponent;
}

/** A client hello or a router's accepting reply: `0x7F, (L<<4)|S, 0, 0`. */
export function encodeHandshake(serializerCode: number, exponent: number): Buffer {
  return Buffer.from([RAWSOCKET_MAGIC, ((exponent & 0x0f) << 4) | (serializerCode & 0x0f), 0, 0]);
}

/** A router's refusal: `0x7F, E<<4, 0, 0`. */
export function encodeHandshakeError(code: number): Buffer {
  return Buffer.from([RAWSOCKET_MAGIC, (code & 0x0f) << 4, 0, 0]);
}

export type Handshake =
  /** A hello (from a client) or an accepting reply (from a router). */
  | { kind: 'hello'; serializer: number; exponent: number; maxLength: number }
  /** A router's refusal. */
  | { kind: 'error'; code: number; message: string }
  /** Not a valid handshake at all; `code` is the error to answer a client with. */
  | { kind: 'invalid'; code: number; message: string };

/** Reads the first 4 octets of a RawSocket connection, from either side. */
export function decodeHandshake(bytes: Uint8Array): Handshake {
  if (bytes.length < 4)
    return { kind: 'invalid', code: RawSocketErrorCode.RESERVED_BITS_USED, message: 'short handshake' };
  if (bytes[0] !== RAWSOCKET_MAGIC) {
    const hex = bytes[0].toString(16).padStart(2, '0');
    return {
      kind: 'invalid',
      code: RawSocketErrorCode.RESERVED_BITS_USED,
      message: `bad magic octet 0x${hex}`,
    };
  }
  if (bytes[2] !== 0 || bytes[3] !== 0) {
    return {
      kind: 'invalid',
      code: RawSocketErrorCode.RESERVED_BITS_USED,
      message: 'reserved handshake octets not zero',
    };
  }
  const serializer = bytes[1] & 0x0f;
  const upper = bytes[1] >> 4;
  if (serializer === 0) return { kind: 'error', code: upper, message: rawSocketErrorName(upper) };
  return { kind: 'hello', serializer, exponent: upper, maxLength: maxLengthOf(upper) };
}

export function encodeFrameHeader(type: FrameTypeCode, length: number): Buffer {
  if (length > MAX_FRAME_LENGTH) throw new RangeError(`RawSocket frame too long: ${length} bytes`);
  return Buffer.from([type, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
}

export function encodeFrame(type: FrameTypeCode, payload: Uint8Array): Buffer {
  return Buffer.concat([encodeFrameHeader(type, payload.length), payload]);
}

export interface Frame {
  type: FrameTypeCode;
  payload: Buffer;
}

export interface FrameBatch {
  frames: Frame[];
  /** Set when the stream broke the rules; the connection must then be failed. */
  error?: string;
}

/**
 * Reassembles frames from a byte stream cut anywhere: one chunk may hold part of a frame or
 * several frames. Frames longer than `maxLength` are refused from their header, before their
 * payload is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private header: { type: FrameTypeCode; length: number } | null = null;
  private failed: string | null = null;

  constructor(public maxLength: number) {}

  /**
   * Changes the longest frame accepted from now on (the router asks for less before a session
   * has joined). A frame whose header was already accepted but is over the new limit is an error.
   */
  limit(maxLength: number): string | null {
    this.maxLength = maxLength;
    if (this.header && this.header.length > maxLength) {
      this.failed = `frame of ${this.header.length} bytes exceeds the current maximum of ${maxLength}`;
      this.chunks = [];
      this.size = 0;
      return this.failed;
    }
    return null;
  }

  push(chunk: Buffer): FrameBatch {
    if (this.failed) return { frames: [], error: this.failed };
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (!this.header) {
        if (this.size < 4) break;
        const head = this.take(4);
        const error = this.checkHeader(head);
        if (error) {
          this.failed = error;
          this.chunks = [];
          this.size = 0;
          return { frames, error };
        }
        this.header = { type: (head[0] & 0x07) as FrameTypeCode, length: head.readUIntBE(1, 3) };
      }
      if (this.size < this.header.length) break;
      frames.push({ type: this.header.type, payload: this.take(this.header.length) });
      this.header = null;
    }
    return { frames };
  }

  private checkHeader(head: Buffer): string | null {
    if (head[0] & 0xf8) return 'reserved bits set in frame header';
    const type = head[0] & 0x07;
    if (type > FrameType.PONG) return `reserved frame type ${type}`;
    const length = head.readUIntBE(1, 3);
    if (length > this.maxLength)
      return `frame of ${length} bytes exceeds the agreed maximum of ${this.maxLength}`;
    return null;
  }

  /** Removes and returns the next `n` buffered bytes (the caller checked that they are there). */
  private take(n: number): Buffer {
    this.size -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const c = this.chunks[0];
      if (c.length <= need) {
        parts.push(c);
        this.chunks.shift();
        need -= c.length;
      } else {
        parts.push(c.subarray(0, need));
        this.chunks[0] = c.subarray(need);
        need = 0;
      }
    }
    return Buffer.concat(parts, n);
  }
}
