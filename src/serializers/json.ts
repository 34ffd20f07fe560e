// JSON with the spec's binary convention: a byte string travels as a string that starts with
// `\0` followed by its base64.
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

export const jsonSerializer: Serializer = {
  id: 'json',
  protocol: 'wamp.2.json',
  rawSocketId: 1,
  binary: false,
  encode: encodingOnce('JSON', (message) =>
    hasBinary(message, 0) ? JSON.stringify(message, replacer) : JSON.stringify(message),
  ),
  decode(data): DecodeResult {
    try {
      const text = typeof data === 'string' ? data : decoder.decode(data);
      // A NUL can only appear escaped in JSON text; without one there is no binary to revive,
      // and JSON.parse without a reviver is several times faster.
      const value = text.includes('\\u0000') ? JSON.parse(text, reviver) : JSON.parse(text);
      return { ok: true, value };
    } catch (e) {
      return decodeFailure(e);
    }
  },
};
