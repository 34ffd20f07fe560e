// Random JSON for the scanner's differential fuzz test (json-scan.test.ts): values, their texts
// as JSON.stringify writes them, and mutations of those.
import type { Rng } from '../reliability/fuzz-corpus';

const STRINGS = [
  '',
  'a',
  'item-7',
  'a,b]}',
  '"',
  '\\',
  '/',
  'ü€😀',
  '\u0001\u001f',
  '\ud800',
  'x'.repeat(40),
];

/** A random JSON-able value: every scalar kind, strings that need escapes, nested lists and dicts. */
export function randomValue(rng: Rng, depth: number): unknown {
  switch (rng.int(depth > 5 ? 6 : 9)) {
    case 0:
      return rng.pick([null, true, false]);
    case 1:
      return rng.int(2 ** 31) - 2 ** 30;
    case 2:
      return (rng.next() - 0.5) * 10 ** rng.int(30);
    case 3:
      return rng.pick([0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 0.1, 2 ** 53]);
    case 4:
    case 5:
      return rng.pick(STRINGS);
    case 6:
    case 7:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) out[`${rng.pick(STRINGS)}${i}`] = randomValue(rng, depth + 1);
      return out;
    }
  }
}

/** Valid JSON text for a random value, compact or indented in one of the allowed ways. */
export function randomText(rng: Rng): string {
  const v = randomValue(rng, 0);
  return JSON.stringify(v, null, rng.pick([undefined, 0, 1, '\t', ' \r\n']));
}

// Characters that matter to the grammar, and some that do not belong anywhere outside strings.
const ALPHABET = [
  ...'{}[],:;="\'\\ \t\n\r0123456789-+.eEtrufalsnu/bvxAFgU',
  '\u0000',
  '\u001f',
  '\u007f',
  'ü',
  '\ud800',
  '\u00a0',
  '\f',
];

/** `text` after one to three random edits: a character replaced, inserted or deleted, a cut, a piece repeated. */
export function mutate(rng: Rng, text: string): string {
  let t = text;
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const at = rng.int(t.length + 1);
    switch (rng.int(5)) {
      case 0: // replace one character
        t = t.slice(0, at) + rng.pick(ALPHABET) + t.slice(at + 1);
        break;
      case 1: // insert one
        t = t.slice(0, at) + rng.pick(ALPHABET) + t.slice(at);
        break;
      case 2: // delete one
        t = t.slice(0, at) + t.slice(at + 1);
        break;
      case 3: // truncate
        t = t.slice(0, at);
        break;
      default: // duplicate a piece
        t = t.slice(0, at) + t.slice(rng.int(t.length), at + rng.int(8)) + t.slice(at);
    }
  }
  return t;
}
