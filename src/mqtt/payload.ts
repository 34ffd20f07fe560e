// MQTT payloads are bytes; WAMP payloads are positional and keyword arguments. Both directions
// follow the README's payload rule, so a value survives MQTT -> WAMP -> MQTT unchanged.
//
// MQTT -> WAMP decodes lazily: the argument list handed to the router holds the value behind a
// getter that parses the bytes on first read. Only a receiver that needs the value reads it (a
// WAMP peer's serializer, an in-process client, retention), and it is parsed once for all of
// them; an MQTT subscriber gets the publisher's bytes back untouched (see `origin`), so
// MQTT-to-MQTT through the router costs no JSON parse, like a plain broker.
import { DEFAULT_LIMITS } from '../router/limits';
import { markDepthChecked, nestsDeeperThan } from '../wamp/depth';
import type { Dict } from '../wamp/messages';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The MQTT payload an argument list was made from. In-process, the router hands the very list
 * on in its EVENTs, so an MQTT subscriber gets the publisher's bytes back without a JSON round
 * trip.
 */
const origin = new WeakMap<unknown[], Buffer>();

/**
 * MQTT -> WAMP: JSON becomes that value, other UTF-8 text a string, anything else the bytes
 * (none for an empty payload), decoded when first read. `maxDepth` is the router's nesting
 * limit for a whole message: the value sits two levels down (message, arguments), and JSON
 * nested deeper than the router passes on arrives as its text.
 */
export function mqttToArgs(payload: Buffer, maxDepth: number = DEFAULT_LIMITS.maxDepth): unknown[] {
  if (payload.length === 0) return [];
  const args: unknown[] = [];
  Object.defineProperty(args, 0, {
    configurable: true,
    enumerable: true,
    get() {
      const value = decode(payload, maxDepth - 2);
      // Later reads are plain ones; the list stays a list of one, writable like any other.
      Object.defineProperty(args, 0, { value, writable: true, enumerable: true, configurable: true });
      return value;
    },
    set(value: unknown) {
      Object.defineProperty(args, 0, { value, writable: true, enumerable: true, configurable: true });
      origin.delete(args);
    },
  });
  origin.set(args, payload);
  // The getter itself keeps the value within the limit: the router's depth check need not read it.
  markDepthChecked(args);
  return args;
}

/** Whether `args` came from an MQTT payload and has not been read (decoded) yet. */
export function isUndecoded(args: unknown[]): boolean {
  return Object.getOwnPropertyDescriptor(args, 0)?.get !== undefined;
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
  const bytes = args !== undefined && args.length === 1 && !hasKw ? origin.get(args) : undefined;
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
