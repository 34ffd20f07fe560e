// `_msgid` for the messages these nodes create (invocations, events). Node-RED gives a new
// message 16 hex digits from eight Math.random() calls, ~6% of a full-rate event flow's CPU; the
// same shape from a random per-process prefix and a counter is as unique within the runtime.
import { randomBytes } from 'node:crypto';

let prefix = randomBytes(4).toString('hex');
let counter = 0;

export function newMessageId(): string {
  if (counter === 0xffffffff) {
    prefix = randomBytes(4).toString('hex');
    counter = 0;
  }
  return prefix + (++counter).toString(16).padStart(8, '0');
}
