// WAMP IDs are integers in 1..2^53. Global-scope IDs (sessions, publications) are random so
// they cannot be guessed; session-scope IDs (requests) count up from 1 and wrap.
import { randomBytes } from 'node:crypto';

export const MAX_ID = 2 ** 53;

export function isValidId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_ID;
}

// Random bytes drawn in bulk: one publication ID per publish made randomBytes(8) a visible
// cost in fan-out profiles.
const POOL_SIZE = 8 * 1024;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** A random ID drawn uniformly from 1..2^53. */
export function randomId(): number {
  if (offset + 8 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  // 53 random bits: 21 from the high word, 32 from the low one; then shift into 1..2^53.
  const high = pool.readUInt32BE(offset) & 0x1fffff;
  const low = pool.readUInt32BE(offset + 4);
  offset += 8;
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
