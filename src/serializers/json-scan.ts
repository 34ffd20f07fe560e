// Validates one JSON value without decoding it: the router checks a payload's syntax and depth
// and passes the received text on; only a receiver that needs the values parses them. Whatever
// this accepts is forwarded to other peers byte for byte, so it must accept exactly what
// JSON.parse accepts (RFC 8259), no more and no less.
//
// Speed: charCodeAt loops cost ~2-3 ns per character here, so strings and whole shallow containers
// (a list or dict of scalars, depth 1; of scalars and such containers, depth 2: e.g. a list of
// records) are matched by sticky regular expressions, which V8 compiles to native code; the loop below only
// walks the structure between them (4-5x faster than JSON.parse on lists of records, 1.2-3x on
// other shapes). Nesting is tracked on an explicit stack, never recursion: a hostile `[[[[...`
// a million deep must not overflow the call stack.

const WS = '[ \\t\\n\\r]*';
const STR = '"[^"\\\\\\x00-\\x1f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\x00-\\x1f]*)*"';
const NUM = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';
const SCALAR = `(?:${STR}|${NUM}|true|false|null)`;

const stringRe = new RegExp(STR, 'y');
const FLAT_LIST = `\\[${WS}(?:${SCALAR}${WS}(?:,${WS}${SCALAR}${WS})*)?\\]`;
const FLAT_DICT = `\\{${WS}(?:${STR}${WS}:${WS}${SCALAR}${WS}(?:,${WS}${STR}${WS}:${WS}${SCALAR}${WS})*)?\\}`;
/** A list of scalars only: depth 1. */
const flatListRe = new RegExp(FLAT_LIST, 'y');
/** A dict of scalars only: depth 1. */
const flatDictRe = new RegExp(FLAT_DICT, 'y');
/** A scalar or a flat container. */
const SHALLOW = `(?:${SCALAR}|${FLAT_LIST}|${FLAT_DICT})`;
/**
 * A list of scalars and flat containers (e.g. a list of records), tried where flatListRe failed:
 * so at least one of them is a container, depth 2.
 */
const shallowListRe = new RegExp(`\\[${WS}(?:${SHALLOW}${WS}(?:,${WS}${SHALLOW}${WS})*)?\\]`, 'y');
/** A dict of scalars and flat containers, tried where flatDictRe failed: depth 2. */
const shallowDictRe = new RegExp(
  `\\{${WS}(?:${STR}${WS}:${WS}${SHALLOW}${WS}(?:,${WS}${STR}${WS}:${WS}${SHALLOW}${WS})*)?\\}`,
  'y',
);

const LIST = 0x5b; // [
const DICT = 0x7b; // {

/** Open containers, innermost last: LIST or DICT. Grown on demand; kept between calls unless large. */
const STACK_KEPT = 4096;
let stack = new Uint8Array(256);
let depthOfLast = 0;

/** The nesting depth of the value the last successful jsonValueEnd stepped over: a scalar 0, `[]` 1. */
export function lastDepth(): number {
  return depthOfLast;
}

/** Where JSON whitespace starting at `i` ends. */
function skipWs(t: string, i: number): number {
  let c = t.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++i);
  return i;
}

/** Where the sticky `re` matching at `i` ends; -1 if it does not match there. */
function matchAt(re: RegExp, t: string, i: number): number {
  re.lastIndex = i;
  return re.test(t) ? re.lastIndex : -1;
}

/**
 * A flat container (`re`) at `i`: where it ends; -1 if it is not flat (or not valid: the caller
 * then walks it); -2 if the regular expression ran out of its backtracking stack on a huge input
 * (RangeError), so that it is not known whether it is flat: the caller's walk decides then.
 */
function flatAt(re: RegExp, t: string, i: number): number {
  try {
    return matchAt(re, t, i);
  } catch {
    return -2;
  }
}

/** A string at `i` (its opening quote): where it ends, -1 if it is not a valid string. */
function stringAt(t: string, i: number): number {
  try {
    return matchAt(stringRe, t, i);
  } catch {
    return stringAtSlowly(t, i);
  }
}

/** stringAt for a string too long for the regular expression's backtracking stack. */
function stringAtSlowly(t: string, i: number): number {
  for (i++; ; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (!(c >= 0x20)) return -1; // a control character, or the end of the text (NaN)
    if (c === 0x5c) {
      const e = t.charCodeAt(++i);
      if (e === 0x75) {
        for (let k = 1; k <= 4; k++) {
          const h = t.charCodeAt(i + k) | 0x20; // lower case; NaN | 0x20 is 0x20, not a digit
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66))) return -1;
        }
        i += 4;
      } else if (
        !(
          e === 0x22 ||
          e === 0x5c ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        )
      )
        return -1;
    }
  }
}

/** Opens a container at depth `depth` (0-based): its kind goes on the stack. */
function push(depth: number, kind: number): void {
  if (depth === stack.length) {
    const grown = new Uint8Array(stack.length * 2);
    grown.set(stack);
    stack = grown;
  }
  stack[depth] = kind;
}

/**
 * Steps over exactly one JSON value that starts at `start` after optional JSON whitespace.
 * Returns the index just past it (trailing whitespace not skipped), or -1 if the text there is
 * not a valid JSON value. On success, lastDepth() is the value's nesting depth. With `maxDepth`,
 * -2 as soon as the value is found to nest deeper (a hostile 16 MB `[[[[...` is refused at once,
 * not walked), even if the text would later turn out to be invalid.
 */
export function jsonValueEnd(text: string, start: number, maxDepth = Number.POSITIVE_INFINITY): number {
  const end = scan(text, start, maxDepth);
  // A stack grown by a hostile depth is not kept for the life of the process.
  if (stack.length > STACK_KEPT) stack = new Uint8Array(256);
  return end;
}

function scan(text: string, start: number, maxDepth: number): number {
  let i = skipWs(text, start);
  let depth = 0; // open containers
  let max = 0;
  for (;;) {
    // A value starts at i.
    let c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringAt(text, i);
      if (i < 0) return -1;
    } else if (c === DICT || c === LIST) {
      let end = flatAt(c === DICT ? flatDictRe : flatListRe, text, i);
      if (end >= 0) {
        if (depth === max) max = depth + 1;
        if (max > maxDepth) return -2;
        i = end;
      } else if (end === -1 && (end = flatAt(c === DICT ? shallowDictRe : shallowListRe, text, i)) >= 0) {
        // Not all scalars (the flat expression said so), so at least one container.
        if (depth + 2 > max) max = depth + 2;
        if (max > maxDepth) return -2;
        i = end;
      } else {
        push(depth, c);
        depth++;
        if (depth > max) max = depth;
        if (max > maxDepth) return -2;
        i = skipWs(text, i + 1);
        const d = text.charCodeAt(i);
        if (c === LIST) {
          if (d === 0x5d) {
            depth--;
            i++;
          } else continue; // the list's first element
        } else if (d === 0x7d) {
          depth--;
          i++;
        } else {
          i = keyAt(text, i);
          if (i < 0) return -1;
          continue; // the dict's first value
        }
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      i = numberAt(text, i);
      if (i < 0) return -1;
    } else if (c === 0x74) {
      if (!text.startsWith('true', i)) return -1;
      i += 4;
    } else if (c === 0x66) {
      if (!text.startsWith('false', i)) return -1;
      i += 5;
    } else if (c === 0x6e) {
      if (!text.startsWith('null', i)) return -1;
      i += 4;
    } else return -1;
    // After a value: close containers until a comma leads to the next value.
    for (;;) {
      if (depth === 0) {
        depthOfLast = max;
        return i;
      }
      i = skipWs(text, i);
      c = text.charCodeAt(i);
      const open = stack[depth - 1];
      if (c === 0x2c) {
        i = skipWs(text, i + 1);
        if (open === DICT) {
          i = keyAt(text, i);
          if (i < 0) return -1;
        }
        break;
      }
      if (c === (open === LIST ? 0x5d : 0x7d)) {
        depth--;
        i++;
      } else return -1;
    }
  }
}

/** A number at `i`: where it ends, -1 if it is not a valid number. Mostly short: a loop beats a regular expression. */
function numberAt(t: string, i: number): number {
  let c = t.charCodeAt(i);
  if (c === 0x2d) c = t.charCodeAt(++i);
  if (c === 0x30) c = t.charCodeAt(++i);
  else if (c >= 0x31 && c <= 0x39) {
    do c = t.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  } else return -1;
  if (c === 0x2e) {
    c = t.charCodeAt(++i);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = t.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45) {
    c = t.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = t.charCodeAt(++i);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = t.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  }
  return i;
}

/** A dict's key at `i` and its colon: where the value may start (after whitespace), or -1. */
function keyAt(t: string, i: number): number {
  if (t.charCodeAt(i) !== 0x22) return -1;
  i = stringAt(t, i);
  if (i < 0) return -1;
  i = skipWs(t, i);
  if (t.charCodeAt(i) !== 0x3a) return -1;
  return skipWs(t, i + 1);
}
