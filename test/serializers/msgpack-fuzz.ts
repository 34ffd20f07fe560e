// Random MessagePack for the scanner's differential fuzz test (msgpack-scan.test.ts): values
// for our encoder, values written byte by byte, and mutations of either.
import { ExtData } from '@msgpack/msgpack';
import { msgpackSerializer } from '../../src/serializers';
import type { Rng } from '../reliability/fuzz-corpus';

const STRINGS = ['', 'a', 'item-7', '__proto__', 'ü€😀', '\u0000', 'x'.repeat(40), 'y'.repeat(300)];

/** A random value for our encoder: every kind it writes (ints and floats of each width, bin, ext, timestamps). */
export function randomValue(rng: Rng, depth: number): unknown {
  switch (rng.int(depth > 4 ? 9 : 13)) {
    case 0:
      return rng.pick([null, true, false, undefined]);
    case 1:
      return rng.int(256) - 128;
    case 2:
      return Math.floor((rng.next() - 0.5) * 2 ** rng.int(60));
    case 3:
      return rng.pick([1.5, -0.25, Number.NaN, Number.POSITIVE_INFINITY, 1e300, 2 ** 64]);
    case 4:
    case 5:
      return rng.pick(STRINGS);
    case 6:
      return rng.bytes(rng.pick([0, 1, 40, 300]));
    case 7:
      return new ExtData(rng.int(256) - 128, rng.bytes(rng.pick([0, 1, 2, 3, 4, 8, 12, 16, 17])));
    case 8:
      return new Date(rng.pick([0, 1e12, 1e12 + 0.5, -1e12, 4e14]));
    case 9:
    case 10:
      // 16 and more elements take the longer formats (array 16, map 16); only near the top, to stay small.
      return Array.from({ length: rng.pick(depth < 2 ? [0, 1, 3, 16, 17] : [0, 1, 3]) }, () =>
        randomValue(rng, depth + 1),
      );
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.pick(depth < 2 ? [0, 1, 3, 16] : [0, 1, 3]); i > 0; i--)
        out[`${rng.pick(STRINGS)}${i}`] = randomValue(rng, depth + 1);
      return out;
    }
  }
}

/** Random MessagePack written byte by byte: formats and keys our encoder never writes. */
export function randomBytes(rng: Rng, depth: number, out: number[]): void {
  const strBytes = (): number[] =>
    rng.pick([
      [],
      [0x61],
      [0xc3, 0xbc],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xc3],
      [0xed, 0xa0, 0x80],
      [0xff],
      [0x61, 0x62, 0x63],
    ]);
  const kind = rng.int(depth > 4 ? 8 : 11);
  switch (kind) {
    case 0:
      out.push(rng.pick([0x00, 0x7f, 0xe0, 0xff, 0xc0, 0xc2, 0xc3]));
      return;
    case 1: {
      const head = rng.pick([0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xca, 0xcb]);
      const size =
        { 204: 1, 205: 2, 206: 4, 207: 8, 208: 1, 209: 2, 210: 4, 211: 8, 202: 4, 203: 8 }[head] ?? 0;
      out.push(head, ...rng.bytes(size));
      return;
    }
    case 2:
    case 3: {
      const s = strBytes();
      out.push(
        ...rng.pick([[0xa0 | s.length], [0xd9, s.length], [0xda, 0, s.length], [0xdb, 0, 0, 0, s.length]]),
        ...s,
      );
      return;
    }
    case 4: {
      const s = rng.bytes(rng.int(4));
      out.push(
        ...rng.pick([
          [0xc4, s.length],
          [0xc5, 0, s.length],
        ]),
        ...s,
      );
      return;
    }
    case 5: {
      const size = rng.pick([1, 2, 4, 8, 16]);
      out.push(0xd4 + [1, 2, 4, 8, 16].indexOf(size), rng.pick([0xff, 0x00, 0x01, 0x80]), ...rng.bytes(size));
      return;
    }
    case 6: {
      const size = rng.pick([0, 3, 4, 8, 12]);
      out.push(
        ...rng.pick([
          [0xc7, size],
          [0xc8, 0, size],
          [0xc9, 0, 0, 0, size],
        ]),
        rng.pick([0xff, 0x00, 0x7f]),
        ...rng.bytes(size),
      );
      return;
    }
    case 7:
      out.push(0xc1);
      return;
    case 8:
    case 9: {
      const n = rng.int(4);
      out.push(...rng.pick([[0x90 | n], [0xdc, 0, n], [0xdd, 0, 0, 0, n]]));
      for (let i = 0; i < n; i++) randomBytes(rng, depth + 1, out);
      return;
    }
    default: {
      const n = rng.int(4);
      out.push(...rng.pick([[0x80 | n], [0xde, 0, n], [0xdf, 0, 0, 0, n]]));
      for (let i = 0; i < n; i++) {
        // Mostly keys the decoder takes, sometimes anything.
        if (rng.chance(0.8)) {
          if (rng.chance(0.5)) out.push(0xa1, 0x61 + rng.int(26));
          else out.push(...rng.pick([[rng.int(128)], [0xcd, 1, 2], [0xcb, 0, 0, 0, 0, 0, 0, 0, 0]]));
        } else randomBytes(rng, depth + 1, out);
        randomBytes(rng, depth + 1, out);
      }
    }
  }
}

const INTERESTING = [
  0x00, 0x01, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc4, 0xc7, 0xca, 0xd4, 0xd9, 0xdc,
  0xde, 0xdf, 0xe0, 0xed, 0xff,
];

/** `bytes` after one to three random edits: a byte replaced, inserted or deleted, a cut, a bit flipped. */
export function mutate(rng: Rng, bytes: Uint8Array): Uint8Array {
  const out = [...bytes];
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const at = rng.int(out.length + 1);
    const byte = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.int(256);
    switch (rng.int(5)) {
      case 0:
        out[at] = byte;
        break;
      case 1:
        out.splice(at, 0, byte);
        break;
      case 2:
        out.splice(at, 1);
        break;
      case 3:
        out.length = at;
        break;
      default:
        if (at < out.length) out[at] ^= 1 << rng.int(8);
    }
  }
  return new Uint8Array(out.filter((x) => x !== undefined));
}

/** `v` as our encoder writes it, as the single element of a list (the args of a message). */
export const encoded = (v: unknown): Uint8Array => msgpackSerializer.encode([v]) as Uint8Array;
