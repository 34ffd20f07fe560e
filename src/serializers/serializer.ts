// One interface for the three WAMP serializers. Decoding untrusted bytes never throws: it
// returns a value or an error that the transport turns into a protocol violation.
import { errorMessage } from '../wamp/errors';
import { passable, type Undecoded, undecodedTail, withValuesOf } from './undecoded-payload';

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
  /**
   * JSON returns a string; binary serializers return bytes. Throws only on unencodable values.
   * A payload received undecoded in this serializer (undecoded-payload.ts) is written in the
   * bytes it came in.
   */
  encode(message: readonly unknown[]): string | Uint8Array;
  decode(data: Uint8Array | string): DecodeResult;
  /**
   * The router's decode: a message that carries a payload the router passes on comes with that
   * payload validated but undecoded (undecoded-payload.ts); anything else as `decode` gives it.
   * Absent: the router decodes in full. `maxDepth`: the router's nesting limit for a whole
   * message; a payload found nested deeper comes without being read further, marked too deep.
   */
  decodeForRouter?(data: Uint8Array | string, maxDepth?: number): DecodeResult;
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
 * after they are sent, so identity is enough. A message that ends with a payload received
 * undecoded is written with `splice` (its head encoded, the payload's bytes as received) when
 * that payload came in this serializer, else with its values. Whatever the encoder throws
 * becomes an `EncodeError`.
 */
export function encodingOnce(
  serializer: SerializerId,
  name: string,
  encode: (message: readonly unknown[]) => string | Uint8Array,
  splice?: (message: readonly unknown[], payload: Undecoded) => string | Uint8Array,
): (message: readonly unknown[]) => string | Uint8Array {
  let last: readonly unknown[] | null = null;
  let encoded: string | Uint8Array = '';
  return (message) => {
    if (message !== last) {
      try {
        const u = undecodedTail(message);
        if (u === null) encoded = encode(message);
        else if (splice && passable(u, serializer)) encoded = splice(message, u);
        else encoded = encode(withValuesOf(message, u));
      } catch (e) {
        throw new EncodeError(name, e);
      }
      last = message;
    }
    return encoded;
  };
}
