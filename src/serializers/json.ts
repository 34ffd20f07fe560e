// JSON with the spec's binary convention: a byte string travels as a string that starts with
// `\0` followed by its base64.
import { jsonValueEnd, lastDepth } from './json-scan';
import { decodeFailure, encodingOnce, type DecodeResult, type Serializer } from './serializer';
import { PAYLOAD_INDEX, tooDeepPayload, undecodedPayload, withPayload } from './undecoded-payload';

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // Buffer.toJSON has already run by the time `value` arrives, so look at the original.
  const raw = this[key];
  if (raw instanceof Uint8Array)
    return `\0${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')}`;
  return value;
}

/**
 * Whether a value holds a byte string anywhere. JSON.stringify with a replacer calls back into
 * JavaScript for every key, several times slower than without one; this scan is much cheaper, so
 * only messages that carry bytes pay for the replacer. Too deep (or cyclic) counts as binary:
 * the replacer path then gives the usual error.
 */
function hasBinary(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth > 200 || ArrayBuffer.isView(v)) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (hasBinary(v[i], depth + 1)) return true;
    return false;
  }
  for (const k in v) if (hasBinary((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.charCodeAt(0) === 0) return Buffer.from(value.slice(1), 'base64');
  return value;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function encodeJson(message: readonly unknown[]): string {
  return hasBinary(message, 0) ? JSON.stringify(message, replacer) : JSON.stringify(message);
}

/**
 * Where element `at` of the list that `text` holds starts: after the `at`-th comma at the list's
 * own level (commas inside strings, objects and nested lists skipped); -1 if there is none, -2 if
 * what comes before it nests deeper than `maxDepth`. Only the message's head is read. The text is
 * not trusted: what this finds is validated after.
 */
function elementStart(text: string, at: number, maxDepth: number): number {
  let depth = 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, stepping over escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return -2;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1 && ++seen === at) return i + 1;
  }
  return -1;
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

function parseText(text: string): unknown {
  // A NUL can only appear escaped in JSON text; without one there is no binary to revive,
  // and JSON.parse without a reviver is several times faster.
  return text.includes('\\u0000') ? JSON.parse(text, reviver) : JSON.parse(text);
}

/** Decodes the payload elements a router received undecoded (`raw`: "args" or "args, kwargs"). */
function decodePayload(raw: string | Uint8Array): unknown[] {
  return parseText(`[${raw as string}]`) as unknown[];
}

/**
 * A message whose payload the router passes on, with that payload validated and left undecoded
 * (undecoded-payload.ts): its head parsed, its Arguments (a list) and ArgumentsKw (a dict)
 * scanned. A payload nested deeper than `maxDepth` (the limit for the whole message) is not read
 * past that depth: it comes marked too deep, and the router refuses the message for it. Null for
 * anything else, and for anything unusual (a null payload element, an error anywhere): the full
 * decode then judges it and gives the precise error. TOO_DEEP when the head itself nests deeper.
 */
function withUndecodedPayload(text: string, maxDepth: number): unknown[] | null | typeof TOO_DEEP {
  // The message type: the list's first element, an integer.
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x5b) return null;
  i = skipSpace(text, i + 1);
  let code = 0;
  for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39 && code < 1000; c = text.charCodeAt(++i))
    code = code * 10 + c - 0x30;
  const at = PAYLOAD_INDEX[code];
  if (at === undefined) return null;
  const start = elementStart(text, at, maxDepth);
  if (start === -2) return TOO_DEEP;
  if (start < 0) return null;
  const argsAt = skipSpace(text, start);
  if (text.charCodeAt(argsAt) !== 0x5b) return null;
  let head: unknown;
  try {
    head = parseText(`${text.slice(0, start - 1)}]`);
  } catch {
    return null;
  }
  if (!Array.isArray(head) || head.length !== at || head[0] !== code) return null;
  // The payload's own levels: the message around it is one.
  const payloadDepth = maxDepth - 1;
  let end = jsonValueEnd(text, argsAt, payloadDepth);
  if (end === -2) return withPayload(head, tooDeepPayload('json'));
  if (end < 0) return null;
  let nesting = lastDepth();
  end = skipSpace(text, end);
  const hasKwargs = text.charCodeAt(end) === 0x2c;
  if (hasKwargs) {
    const kwargsAt = skipSpace(text, end + 1);
    if (text.charCodeAt(kwargsAt) !== 0x7b) return null;
    end = jsonValueEnd(text, kwargsAt, payloadDepth);
    if (end === -2) return withPayload(head, tooDeepPayload('json'));
    if (end < 0) return null;
    nesting = Math.max(nesting, lastDepth());
    end = skipSpace(text, end);
  }
  if (text.charCodeAt(end) !== 0x5d || skipSpace(text, end + 1) !== text.length) return null;
  return withPayload(
    head,
    undecodedPayload('json', text.slice(start, end), hasKwargs, nesting, decodePayload),
  );
}

/** What decodeForRouter refuses without decoding: a head nested deeper than the router's limit. */
const TOO_DEEP = Symbol('too deep');

/**
 * Decodes a frame: the router's decode (`maxDepth` given: the router's nesting limit, see
 * decodeForRouter) or a plain one.
 */
function decodeFrame(data: Uint8Array | string, forRouter: boolean, maxDepth: number): DecodeResult {
  let text: string;
  try {
    text = typeof data === 'string' ? data : decoder.decode(data);
  } catch (e) {
    return decodeFailure(e);
  }
  if (forRouter) {
    const value = withUndecodedPayload(text, maxDepth);
    if (Array.isArray(value)) return { ok: true, value };
    // JSON.parse walks (and builds) whatever it is given: 16 MB of `[[[[` took a second. Refused
    // unread past the router's limit instead, as the depth guard would refuse it once decoded.
    if (value === TOO_DEEP || (maxDepth < Number.POSITIVE_INFINITY && jsonValueEnd(text, 0, maxDepth) === -2))
      return { ok: false, error: `message nested deeper than ${maxDepth} levels (the router's limit)` };
  }
  try {
    return { ok: true, value: parseText(text) };
  } catch (e) {
    return decodeFailure(e);
  }
}

export const jsonSerializer: Serializer = {
  id: 'json',
  protocol: 'wamp.2.json',
  rawSocketId: 1,
  binary: false,
  encode: encodingOnce('json', 'JSON', encodeJson, (message, payload) => {
    // The head encoded as a list of its own, its closing bracket replaced by the payload's text.
    const head = encodeJson(message.slice(0, message.length - (payload.kwargs === undefined ? 1 : 2)));
    return `${head.slice(0, -1)},${payload.raw as string}]`;
  }),
  decode: (data) => decodeFrame(data, false, Number.POSITIVE_INFINITY),
  decodeForRouter: (data, maxDepth = Number.POSITIVE_INFINITY) => decodeFrame(data, true, maxDepth),
};
