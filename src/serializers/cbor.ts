// CBOR via node-cbor (`cbor`): pure JavaScript, no native add-on to build or fetch on install.
// Byte strings carry bytes natively; maps with string keys decode as plain objects.
import { decodeFirstSync, encodeOne } from 'cbor';
import { decodeFailure, encodingOnce, type DecodeResult, type Serializer } from './serializer';

const MAX_ID = 2 ** 53;

export const cborSerializer: Serializer = {
  id: 'cbor',
  protocol: 'wamp.2.cbor',
  rawSocketId: 3,
  binary: true,
  encode: encodingOnce('CBOR', (message) => encodeOne(idsAsIntegers(message), { collapseBigIntegers: true })),
  decode(data): DecodeResult {
    if (typeof data === 'string') return { ok: false, error: 'CBOR frame must be binary' };
    try {
      return { ok: true, value: bigIntsAsNumbers(decodeFirstSync(data)) };
    } catch (e) {
      return decodeFailure(e);
    }
  },
};

/**
 * A number that is not a safe integer is written as a float, and 2^53, the largest WAMP ID, is
 * one: strict peers (Autobahn|Python) refuse a float ID. IDs sit at the top level of a message,
 * so only that level is looked at; such an ID goes out as a 64-bit integer.
 */
function idsAsIntegers(message: readonly unknown[]): readonly unknown[] {
  if (!message.includes(MAX_ID)) return message;
  return message.map((v) => (v === MAX_ID ? BigInt(MAX_ID) : v));
}

/**
 * node-cbor decodes 64-bit integers beyond 2^53 - 1 as BigInt, 2^53 included. A JavaScript
 * number is what every other serializer yields (and what JSON and MessagePack can send on),
 * so BigInts become numbers, exact up to 2^53, as a JSON peer would read them.
 */
function bigIntsAsNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'bigint' || (typeof v === 'object' && v !== null)) value[i] = bigIntsAsNumbers(v);
    }
  } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'bigint' || (typeof v === 'object' && v !== null)) obj[k] = bigIntsAsNumbers(v);
    }
  }
  return value;
}
