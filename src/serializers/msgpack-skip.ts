// Steps over one MessagePack value without decoding it: how the router finds where a message's
// payload starts in the bytes it received (undecoded-payload.ts). Only the head of a message is
// stepped over; what it finds is validated after (the head decoded, the payload scanned).

/** Where the value that starts at `p` ends; -1 if it runs past the end or its type byte is unused (0xc1). */
export function skipValue(b: Uint8Array, p: number): number {
  // Values still to step over: containers add their elements to it.
  let left = 1;
  while (left > 0) {
    if (p >= b.length) return -1;
    const t = b[p];
    left--;
    if (t <= 0x7f || t >= 0xe0)
      p += 1; // fixint
    else if (t <= 0x8f) {
      left += 2 * (t & 0x0f); // fixmap
      p += 1;
    } else if (t <= 0x9f) {
      left += t & 0x0f; // fixarray
      p += 1;
    } else if (t <= 0xbf)
      p += 1 + (t & 0x1f); // fixstr
    else {
      switch (t) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          p += 1;
          break;
        case 0xc4: // bin 8
        case 0xd9: // str 8
          if (p + 1 >= b.length) return -1;
          p += 2 + b[p + 1];
          break;
        case 0xc5: // bin 16
        case 0xda: // str 16
          if (p + 2 >= b.length) return -1;
          p += 3 + ((b[p + 1] << 8) | b[p + 2]);
          break;
        case 0xc6: // bin 32
        case 0xdb: // str 32
          if (p + 4 >= b.length) return -1;
          p += 5 + u32(b, p + 1);
          break;
        case 0xc7: // ext 8
          if (p + 1 >= b.length) return -1;
          p += 3 + b[p + 1];
          break;
        case 0xc8: // ext 16
          if (p + 2 >= b.length) return -1;
          p += 4 + ((b[p + 1] << 8) | b[p + 2]);
          break;
        case 0xc9: // ext 32
          if (p + 4 >= b.length) return -1;
          p += 6 + u32(b, p + 1);
          break;
        case 0xcc: // uint 8
        case 0xd0: // int 8
          p += 2;
          break;
        case 0xcd: // uint 16
        case 0xd1: // int 16
        case 0xd4: // fixext 1
          p += 3;
          break;
        case 0xd5: // fixext 2
          p += 4;
          break;
        case 0xca: // float 32
        case 0xce: // uint 32
        case 0xd2: // int 32
          p += 5;
          break;
        case 0xd6: // fixext 4
          p += 6;
          break;
        case 0xcb: // float 64
        case 0xcf: // uint 64
        case 0xd3: // int 64
          p += 9;
          break;
        case 0xd7: // fixext 8
          p += 10;
          break;
        case 0xd8: // fixext 16
          p += 18;
          break;
        case 0xdc: // array 16
          if (p + 2 >= b.length) return -1;
          left += (b[p + 1] << 8) | b[p + 2];
          p += 3;
          break;
        case 0xdd: // array 32
          if (p + 4 >= b.length) return -1;
          left += u32(b, p + 1);
          p += 5;
          break;
        case 0xde: // map 16
          if (p + 2 >= b.length) return -1;
          left += 2 * ((b[p + 1] << 8) | b[p + 2]);
          p += 3;
          break;
        case 0xdf: // map 32
          if (p + 4 >= b.length) return -1;
          left += 2 * u32(b, p + 1);
          p += 5;
          break;
        default: // 0xc1: never used
          return -1;
      }
    }
  }
  return p <= b.length ? p : -1;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** Where element `at` of the list that `b` holds starts; -1 if `b` is not a list that long. */
export function elementStart(b: Uint8Array, at: number): number {
  if (b.length === 0) return -1;
  const t = b[0];
  let p: number;
  let n: number;
  if (t >= 0x90 && t <= 0x9f) {
    n = t & 0x0f;
    p = 1;
  } else if (t === 0xdc && b.length >= 3) {
    n = (b[1] << 8) | b[2];
    p = 3;
  } else if (t === 0xdd && b.length >= 5) {
    n = u32(b, 1);
    p = 5;
  } else return -1;
  if (at >= n) return -1;
  for (let i = 0; i < at; i++) {
    p = skipValue(b, p);
    if (p < 0) return -1;
  }
  return p;
}
