// Validates one MessagePack value without decoding it: the router checks a payload's syntax and
// depth and passes the received bytes on; only a receiver that needs the values decodes them.
// Whatever this accepts is forwarded to other peers byte for byte, so it accepts exactly what
// our decoder (msgpack.ts: @msgpack/msgpack 3's Decoder with our extension codec) accepts, with
// one deliberate difference: every str (value or map key) must be valid UTF-8. @msgpack/msgpack
// silently replaces invalid sequences, but strict receivers (Python's msgpack, for one) refuse
// them, so a hostile client could otherwise have the router break other sessions.
//
// What the decoder refuses, and so this: the unused type byte 0xc1; a value cut short; a map key
// that does not decode to a string or a number (nil, booleans, bin, ext, lists and dicts are
// refused as keys; ints and floats are not), and the key "__proto__"; the timestamp extension
// (type -1) with data of other than 4, 8 or 12 bytes. Other extensions are opaque data to it.
// Nesting is tracked on an explicit stack, never recursion: a million-deep value is only deep.
import { isUtf8 } from 'node:buffer';

/** A container's state on the stack: a list, or a dict expecting its next key or value. */
const LIST = 0;
const KEY = 1;
const VALUE = 2;

/**
 * Open containers, innermost last: their state, and how many elements (dicts: pairs) are left.
 * Grown on demand; kept between calls unless large.
 */
const STACK_KEPT = 4096;
let kinds = new Uint8Array(256);
let lefts = new Float64Array(256);
let depthOfLast = 0;

/** The nesting depth of the value the last successful msgpackValueEnd stepped over: a scalar 0, `[]` 1. */
export function lastDepth(): number {
  return depthOfLast;
}

/** Which head bytes a map key may have: the decoder takes keys that decode to a string or a number. */
const KEY_HEADS = new Uint8Array(256);
for (let t = 0; t < 256; t++) {
  const fixint = t <= 0x7f || t >= 0xe0;
  const fixstr = t >= 0xa0 && t <= 0xbf;
  const number = t >= 0xca && t <= 0xd3; // float 32/64, uint 8-64, int 8-64
  const str = t >= 0xd9 && t <= 0xdb;
  KEY_HEADS[t] = fixint || fixstr || number || str ? 1 : 0;
}

/** "__proto__" in UTF-8: a key the decoder refuses. */
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];

function isProto(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 9) return false;
  for (let k = 0; k < 9; k++) if (b[s + k] !== PROTO[k]) return false;
  return true;
}

/** Whether `b[s..e)` is valid UTF-8; short ASCII (the usual key or name) checked without a view. */
function utf8(b: Uint8Array, s: number, e: number): boolean {
  if (e - s <= 32) {
    let k = s;
    while (k < e && b[k] < 0x80) k++;
    if (k === e) return true;
  }
  return isUtf8(b.subarray(s, e));
}

function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** Opens a container at depth `depth` (0-based) with `left` elements (dicts: pairs). */
function push(depth: number, kind: number, left: number): void {
  if (depth === kinds.length) {
    const k = new Uint8Array(depth * 2);
    k.set(kinds);
    kinds = k;
    const l = new Float64Array(depth * 2);
    l.set(lefts);
    lefts = l;
  }
  kinds[depth] = kind;
  lefts[depth] = left;
}

/**
 * Steps over exactly one MessagePack value that starts at `start`. Returns the index just past
 * it, or -1 if the bytes there are not a value our decoder accepts (or hold a str that is not
 * valid UTF-8). On success, lastDepth() is the value's nesting depth. With `maxDepth`, -2 as soon
 * as the value is found to nest deeper (a hostile 16 MB of 0x91 is refused at once, not walked),
 * even if the bytes would later turn out to be invalid.
 */
export function msgpackValueEnd(
  bytes: Uint8Array,
  start: number,
  maxDepth = Number.POSITIVE_INFINITY,
): number {
  const end = scan(bytes, start, maxDepth);
  // A stack grown by a hostile depth (9 bytes a level) is not kept for the life of the process.
  if (kinds.length > STACK_KEPT) {
    kinds = new Uint8Array(256);
    lefts = new Float64Array(256);
  }
  return end;
}

function scan(bytes: Uint8Array, start: number, maxDepth: number): number {
  const n = bytes.length;
  let p = start;
  let depth = 0; // open containers
  let max = 0;
  for (;;) {
    // A value starts at p.
    if (p >= n) return -1;
    const t = bytes[p];
    // A container opened here (count >= 0: elements, or pairs for a dict).
    let count = -1;
    let kind = LIST;
    // The commonest values first, without the general path's bookkeeping: fixstr and fixint
    // (both always valid map keys), float 64, fixmap and fixarray.
    if (t >= 0xa0 && t <= 0xbf) {
      const s = p + 1;
      p = s + (t & 0x1f);
      if (p > n) return -1;
      let k = s;
      while (k < p && bytes[k] < 0x80) k++;
      if (k < p && !isUtf8(bytes.subarray(s, p))) return -1;
      if (p - s === 9 && depth > 0 && kinds[depth - 1] === KEY && isProto(bytes, s, p)) return -1;
    } else if (t <= 0x7f || t >= 0xe0) p++;
    else if (t === 0xcb) {
      p += 9;
      if (p > n) return -1;
    } else if (t <= 0x9f) {
      if (depth > 0 && kinds[depth - 1] === KEY) return -1;
      count = t & 0x0f;
      if (t <= 0x8f) kind = KEY;
      p++;
    } else {
      const isKey = depth > 0 && kinds[depth - 1] === KEY;
      if (isKey && KEY_HEADS[t] === 0) return -1;
      let s = -1; // where a str's bytes start
      let e = 0; // where the value ends
      switch (t) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          e = p + 1;
          break;
        case 0xc4: // bin 8
          if (p + 2 > n) return -1;
          e = p + 2 + bytes[p + 1];
          break;
        case 0xc5: // bin 16
          if (p + 3 > n) return -1;
          e = p + 3 + u16(bytes, p + 1);
          break;
        case 0xc6: // bin 32
          if (p + 5 > n) return -1;
          e = p + 5 + u32(bytes, p + 1);
          break;
        case 0xd9: // str 8
          if (p + 2 > n) return -1;
          s = p + 2;
          e = s + bytes[p + 1];
          break;
        case 0xda: // str 16
          if (p + 3 > n) return -1;
          s = p + 3;
          e = s + u16(bytes, p + 1);
          break;
        case 0xdb: // str 32
          if (p + 5 > n) return -1;
          s = p + 5;
          e = s + u32(bytes, p + 1);
          break;
        case 0xc7: // ext 8: size, type, data
          if (p + 3 > n) return -1;
          e = extEnd(bytes, p + 2, bytes[p + 1]);
          break;
        case 0xc8: // ext 16
          if (p + 4 > n) return -1;
          e = extEnd(bytes, p + 3, u16(bytes, p + 1));
          break;
        case 0xc9: // ext 32
          if (p + 6 > n) return -1;
          e = extEnd(bytes, p + 5, u32(bytes, p + 1));
          break;
        case 0xd4: // fixext 1, 2, 4, 8, 16: type, data
          if (p + 2 > n) return -1;
          e = extEnd(bytes, p + 1, 1);
          break;
        case 0xd5:
          if (p + 2 > n) return -1;
          e = extEnd(bytes, p + 1, 2);
          break;
        case 0xd6:
          if (p + 2 > n) return -1;
          e = extEnd(bytes, p + 1, 4);
          break;
        case 0xd7:
          if (p + 2 > n) return -1;
          e = extEnd(bytes, p + 1, 8);
          break;
        case 0xd8:
          if (p + 2 > n) return -1;
          e = extEnd(bytes, p + 1, 16);
          break;
        case 0xcc: // uint 8
        case 0xd0: // int 8
          e = p + 2;
          break;
        case 0xcd: // uint 16
        case 0xd1: // int 16
          e = p + 3;
          break;
        case 0xca: // float 32
        case 0xce: // uint 32
        case 0xd2: // int 32
          e = p + 5;
          break;
        case 0xcb: // float 64
        case 0xcf: // uint 64
        case 0xd3: // int 64
          e = p + 9;
          break;
        case 0xdc: // array 16
          if (p + 3 > n) return -1;
          count = u16(bytes, p + 1);
          e = p + 3;
          break;
        case 0xdd: // array 32
          if (p + 5 > n) return -1;
          count = u32(bytes, p + 1);
          e = p + 5;
          break;
        case 0xde: // map 16
          if (p + 3 > n) return -1;
          count = u16(bytes, p + 1);
          kind = KEY;
          e = p + 3;
          break;
        case 0xdf: // map 32
          if (p + 5 > n) return -1;
          count = u32(bytes, p + 1);
          kind = KEY;
          e = p + 5;
          break;
        default: // 0xc1: never used
          return -1;
      }
      if (e < 0 || e > n) return -1; // a bad timestamp (extEnd), or cut short
      if (s >= 0 && !(utf8(bytes, s, e) && !(isKey && isProto(bytes, s, e)))) return -1;
      p = e;
    }
    if (count > 0) {
      push(depth, kind, count);
      depth++;
      if (depth > max) max = depth;
      if (max > maxDepth) return -2;
      continue; // its first element
    }
    if (count === 0) {
      // An empty list or dict.
      if (depth === max) max = depth + 1;
      if (max > maxDepth) return -2;
    }
    // A value is complete: count it in the containers it completes.
    for (;;) {
      if (depth === 0) {
        depthOfLast = max;
        return p;
      }
      const top = depth - 1;
      const k = kinds[top];
      if (k === KEY) {
        kinds[top] = VALUE;
        break;
      }
      if (--lefts[top] > 0) {
        if (k === VALUE) kinds[top] = KEY;
        break;
      }
      depth--; // the container is complete: a value of its parent
    }
  }
}

/**
 * Where an extension value whose type byte is at `at` and whose data is `size` bytes ends; -1 for
 * a timestamp (type -1) of a size the decoder refuses. The caller checks that it fits.
 */
function extEnd(b: Uint8Array, at: number, size: number): number {
  if (b[at] === 0xff && size !== 4 && size !== 8 && size !== 12) return -1;
  return at + 1 + size;
}
