// CBOR via cbor-x, as plain CBOR: no record extension, no typed-array tags, so that any CBOR
// peer reads it; byte strings carry bytes natively.
import { Decoder, Encoder } from 'cbor-x';
import { decodeFailure, type DecodeResult, type Serializer } from './serializer';

const options = { useRecords: false, mapsAsObjects: true, tagUint8Array: false, pack: false, int64AsNumber: true } as const;
const encoder = new Encoder(options);
const decoder = new Decoder(options);

export const cborSerializer: Serializer = {
  id: 'cbor',
  protocol: 'wamp.2.cbor',
  rawSocketId: 3,
  binary: true,
  encode(message) {
    return encoder.encode(integersBeyond32Bits(message));
  },
  decode(data): DecodeResult {
    if (typeof data === 'string') return { ok: false, error: 'CBOR frame must be binary' };
    try {
      return { ok: true, value: decoder.decode(data) };
    } catch (e) {
      return decodeFailure(e);
    }
  },
};

/**
 * cbor-x writes a number outside the 32-bit integer ranges as a float, but WAMP IDs reach 2^53
 * and strict peers (Autobahn|Python) refuse a float ID. Safe integers beyond 32 bits become
 * BigInts, which cbor-x writes as 64-bit CBOR integers. Containers are copied only when changed.
 */
function integersBeyond32Bits(v: unknown): unknown {
  if (typeof v === 'number') {
    return v >>> 0 !== v && v >> 0 !== v && Number.isSafeInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = integersBeyond32Bits(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let out: Record<string, unknown> | null = null;
    const obj = v as Record<string, unknown>;
    for (const k in obj) {
      const x = integersBeyond32Bits(obj[k]);
      if (x !== obj[k]) (out ??= { ...obj })[k] = x;
    }
    return out ?? v;
  }
  return v;
}
