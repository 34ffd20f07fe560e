// One interface for the three WAMP serializers. Decoding untrusted bytes never throws: it
// returns a value or an error that the transport turns into a protocol violation.

export type SerializerId = 'json' | 'msgpack' | 'cbor';

export type DecodeResult = { ok: true; value: unknown } | { ok: false; error: string };

export interface Serializer {
  readonly id: SerializerId;
  /** WebSocket subprotocol, e.g. `wamp.2.json`. */
  readonly protocol: string;
  /** RawSocket serializer code (1 JSON, 2 MessagePack, 3 CBOR). */
  readonly rawSocketId: number;
  /** Whether frames are binary (WebSocket binary frames) or text. */
  readonly binary: boolean;
  /** JSON returns a string; binary serializers return bytes. Throws only on unencodable values. */
  encode(message: readonly unknown[]): string | Uint8Array;
  decode(data: Uint8Array | string): DecodeResult;
}

export function decodeFailure(e: unknown): DecodeResult {
  return { ok: false, error: e instanceof Error ? e.message : String(e) };
}

/**
 * Wraps an encoder so that the same message object sent to many peers in a row (one EVENT tuple
 * fanned out to every subscriber of a subscription) is encoded once. Messages are never changed
 * after they are sent, so identity is enough.
 */
export function encodingOnce(
  encode: (message: readonly unknown[]) => string | Uint8Array,
): (message: readonly unknown[]) => string | Uint8Array {
  let last: readonly unknown[] | null = null;
  let encoded: string | Uint8Array = '';
  return (message) => {
    if (message !== last) {
      encoded = encode(message);
      last = message;
    }
    return encoded;
  };
}
