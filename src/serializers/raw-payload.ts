// The router passes a payload on unchanged: the Arguments and ArgumentsKw of a CALL become the
// INVOCATION's, a YIELD's the RESULT's, a PUBLISH's the EVENT's. When the receiver speaks the
// sender's serializer, the router writes the bytes it received for them instead of encoding the
// decoded values again (profiled: the encodes were a fifth of the CPU of an RPC flow over
// WebSocket). The message is still decoded and validated in full (parseMessage, the depth limit);
// only its re-encoding is skipped.
//
// The bytes are offered only while the message that brought them is being routed (synchronously,
// from the transport's receive): nothing can have changed the decoded values in between (the
// in-process transport delivers in a later microtask), and later sends of the same values (a
// retained event, the meta API) encode them as usual.
import type { DecodeResult, Serializer, SerializerId } from './serializer';

/** Where a message's payload starts (its index), by type, for the messages a router passes on. */
const PAYLOAD_INDEX: Readonly<Record<number, number>> = {
  8: 5, // ERROR [8, type, request, details, uri, args?, kwargs?]
  16: 4, // PUBLISH [16, request, options, topic, args?, kwargs?]
  48: 4, // CALL [48, request, options, procedure, args?, kwargs?]
  70: 3, // YIELD [70, request, options, args?, kwargs?]
};

/** The payload of a received message in the encoding it came in. */
export interface RawPayload {
  readonly serializer: SerializerId;
  /** The decoded payload elements (Arguments, and ArgumentsKw when present): what `raw` encodes. */
  readonly args: object;
  readonly kwargs: object | undefined;
  /** The encoded elements, as they stand inside the received list, separators included. */
  readonly raw: string | Uint8Array;
}

/**
 * Where the payload of a decoded message starts, if it has one that a router passes on; -1
 * otherwise. Only objects count (identity is how an outgoing message is matched to it).
 */
export function payloadIndex(value: unknown): number {
  if (!Array.isArray(value)) return -1;
  const at = PAYLOAD_INDEX[value[0] as number];
  if (at === undefined || value.length <= at || value.length > at + 2) return -1;
  const args = value[at];
  if (typeof args !== 'object' || args === null) return -1;
  if (value.length === at + 2 && (typeof value[at + 1] !== 'object' || value[at + 1] === null)) return -1;
  return at;
}

let current: RawPayload | null = null;

/** Runs `route(value)` (the routing of the message `raw` came with) with `raw` on offer to `matching`. */
export function routingWith(raw: RawPayload, route: (value: unknown) => void, value: unknown): void {
  const previous = current;
  current = raw;
  try {
    route(value);
  } finally {
    current = previous;
  }
}

/**
 * The raw payload on offer when `message` ends with exactly its decoded elements (the very
 * objects) and is to be written with the same serializer; else null.
 */
export function matching(message: readonly unknown[], serializer: SerializerId): RawPayload | null {
  const raw = current;
  if (raw === null || raw.serializer !== serializer) return null;
  const n = message.length;
  if (raw.kwargs === undefined) return n >= 2 && message[n - 1] === raw.args ? raw : null;
  return n >= 3 && message[n - 2] === raw.args && message[n - 1] === raw.kwargs ? raw : null;
}

/**
 * Hands a decoded message to `route`; when it carries a payload this serializer can locate in
 * what was decoded, with that payload on offer (`matching`) while it is routed.
 */
export function routeDecoded(
  serializer: Serializer,
  result: DecodeResult & { ok: true },
  route: (value: unknown) => void,
): void {
  const value = result.value;
  const at = result.source === undefined ? -1 : payloadIndex(value);
  const raw = at < 0 ? null : (serializer.payloadOf?.(value as unknown[], at, result.source!) ?? null);
  if (raw) routingWith(raw, route, value);
  else route(value);
}
