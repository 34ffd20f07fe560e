// JSON with the spec's binary convention: a byte string travels as a string that starts with
// `\0` followed by its base64.
import type { RawPayload } from './raw-payload';
import { decodeFailure, encodingOnce, type DecodeResult, type Serializer } from './serializer';

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
 * own level (commas inside strings, objects and nested lists skipped). Only the message's head
 * is read. `text` is known to be valid JSON (it has been parsed). -1 if there is no such element.
 */
function elementStart(text: string, at: number): number {
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
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1 && ++seen === at) return i + 1;
  }
  return -1;
}

export const jsonSerializer: Serializer = {
  id: 'json',
  protocol: 'wamp.2.json',
  rawSocketId: 1,
  binary: false,
  encode: encodingOnce('JSON', (message, raw) => {
    if (!raw) return encodeJson(message);
    // The head encoded as a list of its own, its closing bracket replaced by the payload's text.
    const head = encodeJson(message.slice(0, message.length - (raw.kwargs === undefined ? 1 : 2)));
    return `${head.slice(0, -1)},${raw.raw as string}]`;
  }),
  decode(data): DecodeResult {
    try {
      const text = typeof data === 'string' ? data : decoder.decode(data);
      // A NUL can only appear escaped in JSON text; without one there is no binary to revive,
      // and JSON.parse without a reviver is several times faster.
      const value = text.includes('\\u0000') ? JSON.parse(text, reviver) : JSON.parse(text);
      return { ok: true, value, source: text };
    } catch (e) {
      return decodeFailure(e);
    }
  },
  payloadOf(value, at, source): RawPayload | null {
    if (typeof source !== 'string') return null;
    const start = elementStart(source, at);
    if (start < 0) return null;
    // Nothing but whitespace follows the list's closing bracket.
    const end = source.lastIndexOf(']');
    return {
      serializer: 'json',
      args: value[at] as object,
      kwargs: value.length > at + 1 ? (value[at + 1] as object) : undefined,
      raw: source.slice(start, end),
    };
  },
};
