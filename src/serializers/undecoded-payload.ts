// A router passes payloads on: the Arguments and ArgumentsKw of a CALL become the INVOCATION's,
// a YIELD's the RESULT's, a PUBLISH's the EVENT's, an ERROR's the caller's ERROR's. It reads
// them only now and then (the meta API, retention, a receiver speaking another serializer, an
// in-process client). So a message from the network reaches the router with its payload
// undecoded: validated where it arrives (its syntax, and its nesting depth recorded for the
// router's limit, by scanners that build nothing: json-scan.ts, msgpack-scan.ts), written out in
// the bytes it came in to every receiver of the same serializer, and decoded only when read.
// Profiled over WebSocket, decoding payloads only to validate them was a third of the router's
// share of a call at 4 KiB, and most of the garbage.
//
// Like MQTT's payloads (src/mqtt/payload.ts), the undecoded Arguments and ArgumentsKw are
// Proxies over a real list and dict, filled on first read: Array.isArray, parseMessage's checks,
// JSON and the binary encoders all see ordinary values, so no router code has to know. What
// reaches an in-process client is never a Proxy: the in-process transport hands on the decoded
// values themselves (`withValues`).
import { COPY } from '../wamp/copy';
import { NESTING } from '../wamp/depth';
import { lazyHandler, ORDINARY } from '../wamp/lazy-proxy';
import type { SerializerId } from './serializer';

/** Where a message's payload starts, by type, for the messages a router receives and passes on. */
export const PAYLOAD_INDEX: Readonly<Record<number, number>> = {
  8: 5, // ERROR [8, type, request, details, uri, args?, kwargs?]
  16: 4, // PUBLISH [16, request, options, topic, args?, kwargs?]
  48: 4, // CALL [48, request, options, procedure, args?, kwargs?]
  70: 3, // YIELD [70, request, options, args?, kwargs?]
};

const STATE = Symbol('undecoded payload');

/** Decodes a payload's encoded elements (`raw`) as a list: [args] or [args, kwargs]. */
export type PayloadDecoder = (raw: string | Uint8Array, hasKwargs: boolean) => unknown[];

/** One received payload: its encoded form, and its values once something has read them. */
export class Undecoded {
  /** The Proxies that stand for Arguments and (when present) ArgumentsKw in the message. */
  args!: unknown[];
  kwargs: Record<string, unknown> | undefined;
  /** Whether the Proxies have not been written to: `raw` still encodes them. */
  intact = true;
  /** The values, decoded once, shared by every reader (`valuesOf`). */
  values: unknown[] | null = null;

  constructor(
    readonly serializer: SerializerId,
    /** The encoded elements, as they stand inside the received list, separators included. */
    readonly raw: string | Uint8Array,
    /** Nesting depth of the payload (the Arguments list is one level), measured by the scanner. */
    readonly nesting: number,
    private readonly decoder: PayloadDecoder,
  ) {}

  /** The values decoded afresh. */
  decode(): unknown[] {
    return this.decoder(this.raw, this.kwargs !== undefined);
  }
}

/** Marks a Proxy's target as filled with its decoded value. */
const FILLED = Symbol('filled');

type Target = (unknown[] | Record<string, unknown>) & { [STATE]: Undecoded; [FILLED]?: true };

function valuesOf(u: Undecoded): unknown[] {
  if (u.values === null) u.values = u.decode();
  return u.values;
}

/** Fills a Proxy's target with its decoded value on first read (the target stays empty till then). */
function materialize(t: Target): void {
  if (t[FILLED]) return;
  Object.defineProperty(t, FILLED, { value: true, configurable: true });
  const values = valuesOf(t[STATE]);
  if (Array.isArray(t)) {
    const args = values[0] as unknown[];
    for (let i = 0; i < args.length; i++) t[i] = args[i];
  } else {
    const kwargs = values[1] as Record<string, unknown>;
    // defineProperty, not assignment: a "__proto__" key that JSON.parse made is data.
    for (const k of Object.keys(kwargs))
      Object.defineProperty(t, k, { value: kwargs[k], enumerable: true, writable: true, configurable: true });
  }
}

function changed(t: Target): void {
  materialize(t);
  t[STATE].intact = false;
}

/** The element a Proxy stands for, decoded afresh: what the router keeps is its own copy. */
function freshCopy(t: Target): unknown {
  const values = t[STATE].decode();
  return Array.isArray(t) ? values[0] : values[1];
}

const handler = lazyHandler<Target>({
  fill: materialize,
  changed,
  special(t, key) {
    if (key === STATE) return t[STATE];
    if (key === NESTING) return t[STATE].nesting;
    if (key === COPY) return () => freshCopy(t);
    return ORDINARY;
  },
  hidden: [STATE, FILLED],
});

/**
 * A received payload whose elements (`args`, and `kwargs` when `hasKwargs`) are Proxies to put in
 * the message. `raw` must have been validated: exactly a list (and a dict), nested `nesting` deep.
 */
export function undecodedPayload(
  serializer: SerializerId,
  raw: string | Uint8Array,
  hasKwargs: boolean,
  nesting: number,
  decode: PayloadDecoder,
): Undecoded {
  const u = new Undecoded(serializer, raw, nesting, decode);
  const argsTarget = [] as unknown as Target;
  argsTarget[STATE] = u;
  u.args = new Proxy(argsTarget, handler) as unknown[];
  if (hasKwargs) {
    const kwargsTarget = {} as Target;
    kwargsTarget[STATE] = u;
    u.kwargs = new Proxy(kwargsTarget, handler) as Record<string, unknown>;
  }
  return u;
}

/** `head` (a received message's elements before its payload) completed with `payload`'s elements. */
export function withPayload(head: unknown[], payload: Undecoded): unknown[] {
  head.push(payload.args);
  if (payload.kwargs) head.push(payload.kwargs);
  return head;
}

/**
 * A payload found nested deeper than the router's limit before it was read to its end: its
 * message is refused for that (wamp/depth.ts reads `nesting`), so nothing of it is kept: were it
 * read or written anyway, it is an empty list, never bytes.
 */
export function tooDeepPayload(serializer: SerializerId): Undecoded {
  const u = undecodedPayload(serializer, '', false, Number.POSITIVE_INFINITY, () => [[]]);
  u.intact = false;
  return u;
}

/**
 * The undecoded payload `message` ends with (its Arguments, and ArgumentsKw if it had them, both
 * as received), or null.
 */
export function undecodedTail(message: readonly unknown[]): Undecoded | null {
  const n = message.length;
  const last = message[n - 1];
  if (typeof last !== 'object' || last === null) return null;
  const u = (last as { [STATE]?: Undecoded })[STATE];
  if (u === undefined) return null;
  if (u.kwargs === undefined ? last !== u.args : last !== u.kwargs || message[n - 2] !== u.args) return null;
  return u;
}

/** Whether `u`'s bytes can be written for the payload it stands for, in `serializer`. */
export function passable(u: Undecoded, serializer: SerializerId): boolean {
  return u.serializer === serializer && u.intact;
}

/**
 * `message` with an undecoded payload at its end replaced by the decoded values (decoded once,
 * shared by every receiver: in-process, a payload is shared by reference); `message` itself when
 * it has none.
 */
export function withValues(message: readonly unknown[]): readonly unknown[] {
  const u = undecodedTail(message);
  return u === null ? message : withValuesOf(message, u);
}

/** `withValues` for a message whose undecoded tail `u` is known. */
export function withValuesOf(message: readonly unknown[], u: Undecoded): readonly unknown[] {
  const n = message.length - (u.kwargs === undefined ? 1 : 2);
  const out = message.slice(0, n);
  const values = valuesOf(u);
  if (u.intact) {
    for (const v of values) out.push(v);
  } else {
    // Written to since (nothing in the router does): the Proxies' own state is the truth.
    out.push([...u.args]);
    if (u.kwargs) out.push({ ...u.kwargs });
  }
  return out;
}
