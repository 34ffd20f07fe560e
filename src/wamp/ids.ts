// WAMP IDs are integers in 1..2^53. Global-scope IDs (sessions, publications) are random so
// they cannot be guessed; session-scope IDs (requests) count up from 1 and wrap.
import { randomBytes } from 'crypto';

export const MAX_ID = 2 ** 53;

export function isValidId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_ID;
}

/** A random ID drawn uniformly from 1..2^53. */
export function randomId(): number {
  const b = randomBytes(8);
  // 53 random bits: 21 from the high word, 32 from the low one; then shift into 1..2^53.
  const high = b.readUInt32BE(0) & 0x1fffff;
  const low = b.readUInt32BE(4);
  return high * 0x100000000 + low + 1;
}

/** Sequential IDs 1, 2, 3, ... wrapping back to 1 after 2^53. */
export class IdSequence {
  private last = 0;

  next(): number {
    this.last = this.last >= MAX_ID ? 1 : this.last + 1;
    return this.last;
  }
}
