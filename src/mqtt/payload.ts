// MQTT payloads are bytes; WAMP payloads are positional and keyword arguments. Both directions
// follow the README's payload rule, so a value survives MQTT -> WAMP -> MQTT unchanged.
import type { Dict } from '../wamp/messages';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The MQTT payload an argument list was made from. In-process, the router hands the very list
 * on in its EVENTs, so an MQTT subscriber gets the publisher's bytes back without a JSON round
 * trip (what makes MQTT-to-MQTT through the router as cheap as through a plain broker).
 */
const origin = new WeakMap<unknown[], Buffer>();

/** MQTT -> WAMP: JSON becomes that value, other UTF-8 text a string, anything else the bytes. */
export function mqttToArgs(payload: Buffer): unknown[] {
  const args = decode(payload);
  if (args.length > 0) origin.set(args, payload);
  return args;
}

function decode(payload: Buffer): unknown[] {
  if (payload.length === 0) return [];
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return [Buffer.from(payload)];
  }
  try {
    return [JSON.parse(text)];
  } catch {
    return [text];
  }
}

/**
 * WAMP -> MQTT: one argument is that value, only keyword arguments are the dict, else the list;
 * a string travels as UTF-8 text, bytes as bytes, anything else as JSON.
 */
export function argsToMqtt(args: unknown[] | undefined, kwargs: Dict | undefined): Buffer {
  const hasKw = kwargs !== undefined && Object.keys(kwargs).length > 0;
  const bytes = args !== undefined && !hasKw ? origin.get(args) : undefined;
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
