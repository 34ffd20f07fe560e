// CBOR via cborg: strict (no tags, no records, no shared references; map keys are strings),
// pure JavaScript, no install scripts, and no global state shared with other users of the
// library in the same Node-RED process. Byte strings carry bytes natively both ways.
import fs from 'node:fs';
import path from 'node:path';
import { decodeFailure, encodingOnce, type DecodeResult, type Serializer } from './serializer';

type Cborg = typeof import('cborg');
type EncodeOptions = NonNullable<Parameters<Cborg['encode']>[1]>;
type DecodeOptions = NonNullable<Parameters<Cborg['decode']>[1]>;

const cborg = loadCborg();
const { Token, Type } = cborg;

const MAX_ID = 2 ** 53;

const encodeOptions: EncodeOptions = {
  // A dict entry whose value is undefined is left out, as JSON and MessagePack do.
  ignoreUndefinedProperties: true,
  typeEncoders: {
    // A number that is not a safe integer goes out as a float, and 2^53, the largest WAMP ID,
    // is one: strict peers (Autobahn|Python) refuse a float ID, so ±2^53 go out as integers.
    number: (n: number) =>
      n === MAX_ID || n === -MAX_ID ? [new Token(n > 0 ? Type.uint : Type.negint, BigInt(n))] : null,
    // Elsewhere (an array element) undefined is written as null, as JSON does: peers map CBOR's
    // undefined to values of their own (cbor2's `undefined`) that they cannot always pass on.
    undefined: () => [new Token(Type.null, null)],
    // A Date goes out as its ISO string, as JSON writes it: tag 1 is not WAMP.
    Date: (d: Date) => [new Token(Type.string, d.toISOString())],
  },
};

// No `tags`: a tagged item (dates, bignums, typed arrays...) is refused, and the frame with it.
// 64-bit integers come as BigInt (then numbers, below) rather than being refused. A repeated map
// key is not refused (checking halves decoding speed): the last one wins, as in JSON.parse.
const decodeOptions: DecodeOptions = { allowUndefined: true, allowBigInt: true };

export const cborSerializer: Serializer = {
  id: 'cbor',
  protocol: 'wamp.2.cbor',
  rawSocketId: 3,
  binary: true,
  encode: encodingOnce('cbor', 'CBOR', (message) => cborg.encode(message, encodeOptions)),
  decode(data): DecodeResult {
    if (typeof data === 'string') return { ok: false, error: 'CBOR frame must be binary' };
    try {
      return { ok: true, value: fromCbor(cborg.decode(data, decodeOptions)) };
    } catch (e) {
      return decodeFailure(e);
    }
  },
};

/**
 * Adjusts what cborg yields, in place, in one walk (cheaper than cborg's custom tokenizer hook,
 * which was measured to halve its decoding speed):
 * - 64-bit integers beyond 2^53 - 1 (BigInt; 2^53, the largest ID, is one) become numbers,
 *   exact up to 2^53: what every other serializer yields and JSON and MessagePack can send on;
 * - byte strings (cborg copies them out of the frame) become Buffers over that copy, the type
 *   Node-RED flows know as binary.
 */
function fromCbor(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? Number(value) : value;
  if (value instanceof Uint8Array)
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'object' ? v !== null : typeof v === 'bigint') value[i] = fromCbor(v);
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === 'object' ? v === null : typeof v !== 'bigint') continue;
    const w = fromCbor(v);
    // Defined, not assigned: a key `__proto__` (an own property here) must not reach the
    // prototype setter.
    if (w !== v)
      Object.defineProperty(obj, k, { value: w, configurable: true, enumerable: true, writable: true });
  }
  return value;
}

/**
 * cborg is published as an ES module whose package exports name only an `import` entry, which
 * `require` does not match; Node (20.19+, 22.12+) does load an ES module required by its file,
 * so the file is found along the usual node_modules lookup paths and required directly.
 */
function loadCborg(): Cborg {
  for (const dir of require.resolve.paths('cborg') ?? []) {
    const file = path.join(dir, 'cborg', 'cborg.js');
    if (fs.existsSync(file)) return require(file) as Cborg;
  }
  throw new Error('cborg is not installed (npm install cborg)');
}
