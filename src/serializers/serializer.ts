// One interface for the three WAMP serializers. Decoding untrusted bytes never throws: it
// returns a value or an error that the transport turns into a protocol violation.
import { errorMessage } from '../wamp/errors';
import type { RawPayload } from './raw-payload';

export type SerializerId = 'json' | 'msgpack' | 'cbor';

/** `source`: what was decoded (JSON: the text), for `payloadOf`. */
export type DecodeResult =
  | { ok: true; value: unknown; source?: string | Uint8Array }
  | { ok: false; error: string };

export interface Serializer {
  readonly id: SerializerId;
  /** WebSocket subprotocol, e.g. `wamp.2.json`. */
  readonly protocol: string;
  /** RawSocket serializer code (1 JSON, 2 MessagePack, 3 CBOR). */
  readonly rawSocketId: number;
  /** Whether frames are binary (WebSocket binary frames) or text. */
  readonly binary: boolean;
  /**
   * JSON returns a string; binary serializers return bytes. Throws only on unencodable values.
   * With `raw` (a payload of this serializer that `message` ends with: raw-payload.ts), its
   * bytes are written for the payload instead of encoding it again.
   */
  encode(message: readonly unknown[], raw?: RawPayload | null): string | Uint8Array;
  decode(data: Uint8Array | string): DecodeResult;
  /**
   * The payload of a decoded message (its elements from index `at` on) in the encoding it came
   * in, located in `source` (the decode result's); null when it cannot be had cheaply.
   */
  payloadOf?(value: readonly unknown[], at: number, source: string | Uint8Array): RawPayload | null;
}

/**
 * A message this serializer cannot write (a value it has no form for, a structure too deep for
 * its encoder): the message is at fault, not the connection it was to go out on.
 */
export class EncodeError extends Error {
  constructor(serializer: string, cause: unknown) {
    super(`cannot encode as ${serializer}: ${errorMessage(cause)}`);
    this.name = 'EncodeError';
  }
}

export function decodeFailure(e: unknown): DecodeResult {
  return { ok: false, error: errorMessage(e) };
}

/**
 * Wraps an encoder so that the same message object sent to many peers in a row (one EVENT tuple
 * fanned out to every subscriber of a subscription) is encoded once. Messages are never changed
 * after they are sent, so identity is enough. Whatever the encoder throws becomes an `EncodeError`.
 */
export function encodingOnce(
  serializer: string,
  encode: (message: readonly unknown[], raw?: RawPayload | null) => string | Uint8Array,
): (message: readonly unknown[], raw?: RawPayload | null) => string | Uint8Array {
  let last: readonly unknown[] | null = null;
  let encoded: string | Uint8Array = '';
  return (message, raw) => {
    if (message !== last) {
      try {
        encoded = encode(message, raw);
      } catch (e) {
        throw new EncodeError(serializer, e);
      }
      last = message;
    }
    return encoded;
  };
}
