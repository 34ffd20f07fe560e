// MQTT payloads are bytes; WAMP payloads are positional and keyword arguments. Both directions
// follow the README's payload rule, so a value survives MQTT -> WAMP -> MQTT unchanged.
//
// MQTT -> WAMP decodes lazily: the argument list handed to the router is a list of one whose
// value is parsed from the bytes on first read. Only a receiver that needs the value reads it (a
// WAMP peer's serializer, an in-process client, retention), and it is parsed once for all of
// them; an MQTT subscriber gets the publisher's bytes back untouched (see `ORIGIN`), so
// MQTT-to-MQTT through the router costs no JSON parse, like a plain broker. The list is a Proxy
// over a real array (creating one is far cheaper than defining an accessor on an array, and
// than a WeakMap entry): Array.isArray, JSON and the binary encoders see an ordinary list.
import { DEFAULT_LIMITS } from '../router/limits';
import { COPY } from '../wamp/copy';
import { DEPTH_CHECKED, nestsDeeperThan } from '../wamp/depth';
import { lazyHandler, ORDINARY } from '../wamp/lazy-proxy';
import type { Dict } from '../wamp/messages';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The MQTT payload a list was made from, while the list still holds that payload's value. */
const ORIGIN = Symbol('mqtt payload');
const STATE = Symbol('mqtt payload state');
/** Reads whether the value was parsed yet, without parsing it (for tests). */
const PEEK = Symbol('mqtt payload decoded');

interface Lazy {
  readonly bytes: Buffer;
  readonly maxDepth: number;
  /** The value has been parsed into the list. */
  decoded: boolean;
  /** The list has not been changed since: its value is still the payload's. */
  intact: boolean;
}

type Target = unknown[] & { [STATE]: Lazy; [INSPECT]: typeof inspectList };

/**
 * Node's util.inspect (console.log, a function node's node.warn) reads a Proxy's target without
 * its traps: the target shows its value, parsed, as a plain list.
 */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
function inspectList(
  this: Target,
  _depth: number,
  options: object,
  inspect: (value: unknown, options: object) => string,
): string {
  materialize(this);
  return inspect([...this], options);
}

function materialize(t: Target): void {
  const state = t[STATE];
  if (state.decoded) return;
  state.decoded = true;
  t[0] = decode(state.bytes, state.maxDepth);
}

function changed(t: Target): void {
  materialize(t);
  t[STATE].intact = false;
}

const lazyList = lazyHandler<Target>({
  fill: materialize,
  changed,
  special(t, key) {
    if (key === ORIGIN) return t[STATE].intact ? t[STATE].bytes : undefined;
    if (key === DEPTH_CHECKED) return true;
    if (key === PEEK) return t[STATE].decoded;
    // A copy kept by the router (retention, history): its own bytes, undecoded, while still its value.
    if (key === COPY) return t[STATE].intact ? () => copyList(t[STATE]) : undefined;
    // Known without decoding: a list of one (a write would have filled it first).
    if (key === 'length') return Reflect.get(t, key);
    return ORDINARY;
  },
  hidden: [STATE, INSPECT],
});

/**
 * MQTT -> WAMP: JSON becomes that value, other UTF-8 text a string, anything else the bytes
 * (none for an empty payload), decoded when first read. `maxDepth` is the router's nesting
 * limit for a whole message: the value sits two levels down (message, arguments), and JSON
 * nested deeper than the router passes on arrives as its text.
 */
export function mqttToArgs(payload: Buffer, maxDepth: number = DEFAULT_LIMITS.maxDepth): unknown[] {
  if (payload.length === 0) return [];
  const target = [undefined] as unknown as Target;
  target[STATE] = { bytes: payload, maxDepth: maxDepth - 2, decoded: false, intact: true };
  target[INSPECT] = inspectList;
  return new Proxy(target, lazyList);
}

function copyList(state: Lazy): unknown[] {
  return mqttToArgs(Buffer.from(state.bytes), state.maxDepth + 2);
}

/** Whether `args` came from an MQTT payload and has not been read (decoded) yet. */
export function isUndecoded(args: unknown[]): boolean {
  return (args as { [PEEK]?: boolean })[PEEK] === false;
}

function decode(payload: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return Buffer.from(payload);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  return nestsDeeperThan(value, maxDepth) ? text : value;
}

/**
 * WAMP -> MQTT: one argument is that value, only keyword arguments are the dict, else the list;
 * a string travels as UTF-8 text, bytes as bytes, anything else as JSON.
 */
export function argsToMqtt(args: unknown[] | undefined, kwargs: Dict | undefined): Buffer {
  const hasKw = kwargs !== undefined && Object.keys(kwargs).length > 0;
  // In-process, the router hands the very list on in its EVENTs: an MQTT subscriber of an MQTT
  // publisher gets the publisher's bytes back without a JSON round trip.
  const bytes = args !== undefined && !hasKw ? (args as { [ORIGIN]?: Buffer })[ORIGIN] : undefined;
  if (bytes) return bytes;
  let value: unknown;
  if (!hasKw && (args === undefined || args.length === 0)) return Buffer.alloc(0);
  if (args !== undefined && args.length === 1 && !hasKw) value = args[0];
  else if (hasKw && (args === undefined || args.length === 0)) value = kwargs;
  else value = args ?? [];
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
}
