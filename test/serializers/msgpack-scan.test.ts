import assert from 'node:assert/strict';
import { Decoder, ExtData } from '@msgpack/msgpack';
import { msgpackSerializer } from '../../src/serializers';
import { lastDepth, msgpackValueEnd } from '../../src/serializers/msgpack-scan';
import { encoded, mutate, randomBytes, randomValue } from './msgpack-fuzz';
import { Rng } from '../reliability/fuzz-corpus';

// The oracle: our decoder (msgpack.ts) accepts the bytes, and every str in them (values and map
// keys) is valid UTF-8. The second part is checked by a Decoder whose str reader first decodes
// the str's bytes with a fatal TextDecoder: the library's own walk, so the test does not need a
// MessagePack reader of its own to find the strs. That decoder also makes every key unique (a
// later duplicate key would drop an earlier value, and with it the depth the bytes have).
const fatal = new TextDecoder('utf-8', { fatal: true });
class StrictUtf8Decoder extends Decoder {}
const strictProto = StrictUtf8Decoder.prototype as unknown as {
  decodeUtf8String(this: { bytes: Uint8Array; pos: number }, length: number, headerOffset: number): string;
};
const libraryDecodeUtf8String = strictProto.decodeUtf8String;
strictProto.decodeUtf8String = function (length, headerOffset) {
  const start = this.pos + headerOffset;
  if (start + length <= this.bytes.length) fatal.decode(this.bytes.subarray(start, start + length));
  return libraryDecodeUtf8String.call(this, length, headerOffset);
};
let keyCount = 0;
const uniqueKey = (key: unknown): string => {
  if (typeof key !== 'string' && typeof key !== 'number') throw new Error('the library refuses this key');
  return `${String(key)}#${keyCount++}`;
};

/**
 * The bytes decoded by the strict decoder, or undefined if it refuses them. It also refuses lists
 * and dicts of more elements than there are bytes, which can never decode anyway: the library
 * allocates a list of the size it reads before reading its elements, and fuzzed sizes of
 * millions would make the test slow.
 */
function strictDecode(bytes: Uint8Array): { value: unknown } | undefined {
  const limit = { maxArrayLength: bytes.length, maxMapLength: bytes.length };
  try {
    return { value: new StrictUtf8Decoder({ mapKeyConverter: uniqueKey, ...limit }).decode(bytes) };
  } catch {
    return undefined;
  }
}

function decoderAccepts(bytes: Uint8Array): boolean {
  return strictDecode(bytes) !== undefined && msgpackSerializer.decode(bytes).ok;
}

/** The nesting depth of a decoded value: a scalar (bin, ext, Date included) 0, `[]` and `{}` 1. */
function depthOf(v: unknown): number {
  const container =
    Array.isArray(v) ||
    (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype);
  if (!container) return 0;
  let max = 0;
  for (const e of Object.values(v as object)) max = Math.max(max, depthOf(e));
  return max + 1;
}

const hex = (b: Uint8Array | number[]): string => Buffer.from(b).toString('hex');

/**
 * Checks the scanner against the oracle on `bytes`: accepted iff the oracle accepts; if so, the
 * depth is the decoded value's, and inside a list `[1, <value>, 2]` it stops before the 2.
 */
function agrees(bytes: Uint8Array): void {
  const ok = decoderAccepts(bytes);
  const end = msgpackValueEnd(bytes, 0);
  // Messages are built only on failure: hex() of every fuzz case would cost more than the scan.
  if ((end === bytes.length) !== ok)
    assert.fail(`${hex(bytes)}: the decoder ${ok ? 'accepts' : 'refuses'} it, scanned to ${end}`);
  if (end === -1 && msgpackValueEnd(bytes, 0, 1) >= 0) assert.fail(`${hex(bytes)}: a depth limit took it`);
  if (!ok) return;
  const depth = depthOf(strictDecode(bytes)?.value);
  if (lastDepth() !== depth) assert.fail(`depth of ${hex(bytes)}: ${lastDepth()}, decoded ${depth}`);
  // A depth limit refuses exactly what is deeper than the limit (-2), and changes nothing else.
  if (msgpackValueEnd(bytes, 0, depth) !== end) assert.fail(`${hex(bytes)} within ${depth}`);
  if (depth > 0 && msgpackValueEnd(bytes, 0, depth - 1) !== -2)
    assert.fail(`${hex(bytes)} deeper than ${depth - 1}`);
  const embedded = new Uint8Array(bytes.length + 3);
  embedded.set([0x93, 0x01]);
  embedded.set(bytes, 2);
  embedded[embedded.length - 1] = 0x02;
  if (msgpackValueEnd(embedded, 2) !== 2 + bytes.length) assert.fail(`end of ${hex(bytes)} inside a list`);
  assert.equal(lastDepth(), depth);
  assert.equal(msgpackValueEnd(embedded, 0), embedded.length);
}

const b = (...parts: Array<number | number[] | string>): Uint8Array =>
  new Uint8Array(
    parts.flatMap((p) => (typeof p === 'number' ? [p] : typeof p === 'string' ? [...Buffer.from(p)] : p)),
  );

/** Whether the scanner takes `bytes` whole. */
const accepts = (bytes: Uint8Array): boolean => msgpackValueEnd(bytes, 0) === bytes.length;

describe('msgpackValueEnd (validating a MessagePack payload without decoding it)', () => {
  it('every scalar format: depth 0, the end just past it', () => {
    const cases: Uint8Array[] = [
      b(0x00),
      b(0x7f),
      b(0xe0),
      b(0xff),
      b(0xc0),
      b(0xc2),
      b(0xc3),
      b(0xcc, 0xff),
      b(0xcd, 0x01, 0x00),
      b(0xce, 1, 2, 3, 4),
      b(0xcf, 1, 2, 3, 4, 5, 6, 7, 8),
      b(0xd0, 0x80),
      b(0xd1, 0x80, 0),
      b(0xd2, 0x80, 0, 0, 0),
      b(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
      b(0xca, 0x3f, 0x80, 0, 0),
      b(0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0),
      b(0xa0),
      b(0xa3, 'abc'),
      b(0xbf, 'x'.repeat(31)),
      b(0xd9, 2, 'ü'),
      b(0xda, 0, 4, '😀'),
      b(0xdb, 0, 0, 0, 3, '€'),
      b(0xc4, 0),
      b(0xc4, 3, 0xff, 0xc1, 0x80), // bin: any bytes
      b(0xc5, 0, 1, 0xc1),
      b(0xc6, 0, 0, 0, 2, 0xed, 0xa0),
      b(0xd4, 0x00, 0x00), // msgpackr's undefined
      b(0xd4, 0x05, 0xc1),
      b(0xd5, 0x80, 1, 2),
      b(0xd6, 0xff, 0, 0, 0, 1), // timestamp 32
      b(0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 1), // timestamp 64
      b(0xc7, 12, 0xff, ...new Array(12).fill(0)), // timestamp 96
      b(0xd8, 0x7f, ...new Array(16).fill(0xc1)),
      b(0xc7, 0, 0x01),
      b(0xc7, 3, 0xfe, 1, 2, 3), // another negative type: opaque
      b(0xc8, 0, 1, 0x10, 0xaa),
      b(0xc9, 0, 0, 0, 2, 0x80, 1, 2),
    ];
    for (const bytes of cases) {
      assert.equal(msgpackValueEnd(bytes, 0), bytes.length, hex(bytes));
      assert.equal(lastDepth(), 0, hex(bytes));
      agrees(bytes);
    }
  });

  it('containers of every format: depth and end', () => {
    const cases: Array<[Uint8Array, number]> = [
      [b(0x90), 1],
      [b(0x80), 1],
      [b(0xdc, 0, 0), 1],
      [b(0xdd, 0, 0, 0, 0), 1],
      [b(0xde, 0, 0), 1],
      [b(0xdf, 0, 0, 0, 0), 1],
      [b(0x91, 0x91, 0x01), 2],
      [b(0x92, 0x90, 0x90), 2],
      [b(0x81, 0xa1, 'a', 0x91, 0x80), 3], // {"a":[{}]}
      [b(0xdc, 0, 2, 0xc0, 0x91, 0x90), 3],
      [b(0xde, 0, 1, 0x01, 0xdd, 0, 0, 0, 1, 0xc3), 2],
      [b(0x82, 0x01, 0xc0, 0xff, 0xc0), 1], // int keys
      [b(0x81, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0), 1], // a float key: the decoder takes numbers
      [b(0x81, 0xca, 0x3f, 0x80, 0, 0, 0xc0), 1],
      [
        b(
          0x84,
          0xcc,
          1,
          0xc0,
          0xcd,
          0,
          1,
          0xc0,
          0xd3,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          1,
          0xc0,
          0xcf,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          9,
          0xc0,
        ),
        1,
      ],
      [b(0x83, 0xd9, 1, 'k', 0x01, 0xda, 0, 1, 'l', 0x02, 0xdb, 0, 0, 0, 1, 'm', 0x03), 1],
      [b(0x81, 0xa1, 'a', 0xa9, '__proto__'), 1], // "__proto__" as a value is fine
    ];
    for (const [bytes, depth] of cases) {
      assert.equal(msgpackValueEnd(bytes, 0), bytes.length, hex(bytes));
      assert.equal(lastDepth(), depth, hex(bytes));
      agrees(bytes);
    }
  });

  it('refuses 0xc1 and whatever is cut short, at every length', () => {
    assert.equal(msgpackValueEnd(b(0xc1), 0), -1);
    assert.equal(msgpackValueEnd(b(0x91, 0xc1), 0), -1);
    assert.equal(msgpackValueEnd(b(0x81, 0xa1, 'a', 0xc1), 0), -1);
    agrees(b(0xc1));
    const whole = msgpackSerializer.encode([
      { a: [1, -1, 300, -300, 70000, -70000, 2 ** 40, -(2 ** 40), 1.5, 'x'.repeat(40), 'ü'.repeat(200)] },
      new Uint8Array(300),
      new ExtData(3, new Uint8Array(20)),
      new Date(1e12),
      [[[]], {}],
      null,
      true,
    ]) as Uint8Array;
    assert.equal(msgpackValueEnd(whole, 0), whole.length);
    assert.equal(lastDepth(), 4);
    for (let n = 0; n < whole.length; n++)
      assert.equal(msgpackValueEnd(whole.subarray(0, n), 0), -1, `cut at ${n}`);
    assert.equal(msgpackValueEnd(b(), 0), -1);
    assert.equal(msgpackValueEnd(b(0x01), 1), -1);
    // Sizes far beyond the bytes: refused at once, nothing allocated for them.
    for (const bytes of [
      b(0xdd, 0xff, 0xff, 0xff, 0xff, 0x01),
      b(0xdf, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01),
      b(0xdb, 0xff, 0xff, 0xff, 0xff, 'a'),
      b(0xc6, 0xff, 0xff, 0xff, 0xff, 0),
      b(0xc9, 0xff, 0xff, 0xff, 0xff, 0x01, 0),
    ]) {
      assert.equal(msgpackValueEnd(bytes, 0), -1, hex(bytes));
      agrees(bytes);
    }
  });

  it('map keys: strs and numbers only, as the decoder; not "__proto__"', () => {
    const keys: Array<[number[], boolean]> = [
      [[0x05], true],
      [[0xe5], true],
      [[0xa1, 0x6b], true],
      [[0xcc, 1], true],
      [[0xd2, 0, 0, 0, 1], true],
      [[0xca, 0x7f, 0xc0, 0, 0], true], // NaN is a number too
      [[0xc0], false],
      [[0xc2], false],
      [[0xc3], false],
      [[0xc4, 1, 0x61], false],
      [[0xd4, 0x00, 0x00], false],
      [[0xd4, 0x01, 0x00], false],
      [[0xd6, 0xff, 0, 0, 0, 1], false],
      [[0xc7, 1, 0x05, 0x61], false],
      [[0x90], false],
      [[0x80], false],
      [[0x91, 0x01], false],
      [[0x81, 0x01, 0x01], false],
      [[0xa9, ...Buffer.from('__proto__')], false],
      [[0xd9, 9, ...Buffer.from('__proto__')], false],
      [[0xa8, ...Buffer.from('__proto_')], true],
      [[0xaa, ...Buffer.from('__proto__x')], true],
    ];
    for (const [key, ok] of keys) {
      for (const map of [b(0x81, key, 0x01), b(0x82, 0xa1, 'a', 0x00, key, 0xc0), b(0xde, 0, 1, key, 0x90)]) {
        assert.equal(accepts(map), ok, hex(map));
        agrees(map);
      }
    }
  });

  it('the timestamp extension (type -1) only with 4, 8 or 12 bytes of data; other types any size', () => {
    for (const size of [0, 1, 2, 3, 4, 5, 8, 11, 12, 13, 16, 255]) {
      const data = new Array(size).fill(0);
      const forms = [
        b(0xc7, size, 0xff, data),
        b(0xc8, 0, size, 0xff, data),
        b(0xc9, 0, 0, 0, size, 0xff, data),
      ];
      const fixed = [1, 2, 4, 8, 16].indexOf(size);
      if (fixed >= 0) forms.push(b(0xd4 + fixed, 0xff, data));
      for (const bytes of forms) {
        assert.equal(accepts(bytes), size === 4 || size === 8 || size === 12, hex(bytes));
        agrees(bytes);
        const other = bytes.slice();
        other[other.length - size - 1] = 0xfe;
        assert.ok(accepts(other), hex(other));
        agrees(other);
      }
    }
  });

  it('strs must be valid UTF-8 (values and keys, every str format); bin and ext data need not be', () => {
    const invalid = [
      [0x80],
      [0xc0, 0x80], // overlong
      [0xe0, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], // a surrogate
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
      [0xe2, 0x82], // cut short
      [0x61, 0xff],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ];
    const valid = [
      [],
      [0x61],
      [...Buffer.from('ü€😀')],
      [0xef, 0xbf, 0xbf],
      [0xf4, 0x8f, 0xbf, 0xbf],
      [0x00, 0x7f],
    ];
    const forms = (s: number[]): Uint8Array[] => [
      b(0xa0 | s.length, s),
      b(0xd9, s.length, s),
      b(0xda, 0, s.length, s),
      b(0xdb, 0, 0, 0, s.length, s),
      b(0x81, 0xa0 | s.length, s, 0x01),
      b(0x81, 0xd9, s.length, s, 0x01),
      b(0x92, 0x01, [0xa0 | s.length, ...s]),
      b(0xd9, 40, 'x'.repeat(40 - s.length), s), // past the short ASCII check
      b(0xda, 1, 44, 'x'.repeat(300 - s.length), s),
    ];
    for (const s of invalid)
      for (const bytes of forms(s)) {
        assert.equal(msgpackValueEnd(bytes, 0), -1, hex(bytes));
        assert.ok(msgpackSerializer.decode(bytes).ok, 'the library itself takes it'); // why the check exists
        agrees(bytes);
        for (const opaque of [b(0xc4, s.length, s), b(0xc7, s.length, 0x01, s)]) {
          assert.ok(accepts(opaque), hex(opaque));
          agrees(opaque);
        }
      }
    for (const s of valid)
      for (const bytes of forms(s)) {
        assert.ok(accepts(bytes), hex(bytes));
        agrees(bytes);
      }
  });

  it('the depth is that of the bytes, also where a duplicate key drops a deeper value', () => {
    const bytes = b(0x82, 0xa1, 'a', 0x91, 0x91, 0x90, 0xa1, 'a', 0x01);
    assert.equal(msgpackValueEnd(bytes, 0), bytes.length);
    assert.equal(lastDepth(), 4);
    assert.deepEqual(msgpackSerializer.decode(bytes), { ok: true, value: { a: 1 } });
  });

  it('refuses what our encoder writes for a short string with a lone surrogate (CESU-8, not UTF-8)', () => {
    // @msgpack/msgpack encodes short strings in JavaScript, a lone surrogate as ED A0 80, and
    // decodes it back; Python's msgpack and other strict receivers refuse it, so the router must.
    const bytes = msgpackSerializer.encode(['a\ud800']) as Uint8Array;
    assert.equal(hex(bytes), '91a461eda080');
    assert.ok(msgpackSerializer.decode(bytes).ok);
    assert.equal(msgpackValueEnd(bytes, 0), -1);
    const paired = msgpackSerializer.encode(['a\ud83d\ude00']) as Uint8Array;
    assert.equal(msgpackValueEnd(paired, 0), paired.length);
  });

  it('starts at `start` and stops after the value', () => {
    const bytes = b(0xc1, 0xc1, 0x92, 0x90, 0x81, 0x01, 0x02, 0xa1, 'z');
    assert.equal(msgpackValueEnd(bytes, 2), 7);
    assert.equal(lastDepth(), 2);
    assert.equal(msgpackValueEnd(bytes, 7), 9);
    assert.equal(lastDepth(), 0);
    assert.equal(msgpackValueEnd(bytes, 0), -1);
  });

  it('nesting a million deep: no recursion, the depth reported', () => {
    const n = 1_000_000;
    const lists = new Uint8Array(n + 1).fill(0x91);
    lists[n] = 0xc0;
    assert.equal(msgpackValueEnd(lists, 0), n + 1);
    assert.equal(lastDepth(), n);
    assert.equal(msgpackValueEnd(lists.subarray(0, n), 0), -1);
    const dicts = new Uint8Array(2 * n + 1);
    for (let i = 0; i < n; i++) dicts.set([0x81, 0x00], 2 * i);
    dicts[2 * n] = 0x90;
    assert.equal(msgpackValueEnd(dicts, 0), dicts.length);
    assert.equal(lastDepth(), n + 1);
    // The router's depth limit refuses them without walking them.
    assert.equal(msgpackValueEnd(dicts, 0, 64), -2);
    assert.equal(msgpackValueEnd(lists, 0, 64), -2);
    assert.equal(msgpackValueEnd(lists.subarray(n - 64), 0, 64), 65);
    assert.equal(lastDepth(), 64);
    const emptyAt65 = new Uint8Array(65).fill(0x91);
    emptyAt65[64] = 0x90;
    assert.equal(msgpackValueEnd(emptyAt65, 0, 64), -2);
    assert.equal(msgpackValueEnd(emptyAt65, 0, 65), 65);
    dicts[2 * n] = 0xc1;
    assert.equal(msgpackValueEnd(dicts, 0), -1);
  });

  describe('differential fuzz against the decoder (fixed seeds)', () => {
    it('3,000 random values from our encoder: accepted, end and depth right, also inside a list', () => {
      const rng = new Rng(13);
      for (let n = 0; n < 3000; n++) {
        const bytes = encoded(randomValue(rng, 0));
        agrees(bytes);
      }
    });

    it('3,000 random byte-level values (every format, odd keys): accepted iff the decoder accepts', () => {
      const rng = new Rng(1313);
      let accepted = 0;
      for (let n = 0; n < 3000; n++) {
        const out: number[] = [];
        randomBytes(rng, 0, out);
        const bytes = new Uint8Array(out);
        if (decoderAccepts(bytes)) accepted++;
        agrees(bytes);
      }
      assert.ok(accepted > 300 && accepted < 2700, `${accepted} of 3000 accepted`);
    });

    it('6,000 random mutations: accepted iff the decoder accepts', () => {
      const rng = new Rng(65536);
      let accepted = 0;
      for (let n = 0; n < 6000; n++) {
        let source: Uint8Array;
        if (rng.chance(0.5)) source = encoded(randomValue(rng, 1));
        else {
          const out: number[] = [];
          randomBytes(rng, 0, out);
          source = new Uint8Array(out);
        }
        const bytes = mutate(rng, source);
        if (decoderAccepts(bytes)) accepted++;
        agrees(bytes);
      }
      assert.ok(accepted > 300 && accepted < 5700, `${accepted} of 6000 accepted`);
    });
  });
});
