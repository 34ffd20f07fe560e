// The one validating parser: an untrusted decoded value in, a typed message or a precise
// protocol error out. Everything past this point may trust the shape of a message.
import { ErrorUri, WampError } from './errors';
import { isValidId } from './ids';
import { MessageName, MessageType, type WampMessage } from './messages';
import { badDictKey, withoutAbsent } from './options';

type Field = 'id' | 'id0' | 'uri' | 'string' | 'dict' | 'type';

interface Layout {
  fields: Field[];
  /** Optional trailing fields: 'payload' = [Args, [Kwargs]]; 'dict' = one optional dict. */
  tail?: 'payload' | 'dict';
}

const M = MessageType;
const LAYOUTS: Record<number, Layout> = {
  [M.HELLO]: { fields: ['uri', 'dict'] },
  [M.WELCOME]: { fields: ['id', 'dict'] },
  [M.ABORT]: { fields: ['dict', 'uri'], tail: 'payload' },
  [M.CHALLENGE]: { fields: ['string', 'dict'] },
  [M.AUTHENTICATE]: { fields: ['string', 'dict'] },
  [M.GOODBYE]: { fields: ['dict', 'uri'] },
  [M.ERROR]: { fields: ['type', 'id', 'dict', 'uri'], tail: 'payload' },
  [M.PUBLISH]: { fields: ['id', 'dict', 'uri'], tail: 'payload' },
  [M.PUBLISHED]: { fields: ['id', 'id'] },
  [M.SUBSCRIBE]: { fields: ['id', 'dict', 'uri'] },
  [M.SUBSCRIBED]: { fields: ['id', 'id'] },
  [M.UNSUBSCRIBE]: { fields: ['id', 'id'] },
  [M.UNSUBSCRIBED]: { fields: ['id0'], tail: 'dict' },
  [M.EVENT]: { fields: ['id', 'id', 'dict'], tail: 'payload' },
  [M.CALL]: { fields: ['id', 'dict', 'uri'], tail: 'payload' },
  [M.CANCEL]: { fields: ['id', 'dict'] },
  [M.RESULT]: { fields: ['id', 'dict'], tail: 'payload' },
  [M.REGISTER]: { fields: ['id', 'dict', 'uri'] },
  [M.REGISTERED]: { fields: ['id', 'id'] },
  [M.UNREGISTER]: { fields: ['id', 'id'] },
  [M.UNREGISTERED]: { fields: ['id0'], tail: 'dict' },
  [M.INVOCATION]: { fields: ['id', 'id', 'dict'], tail: 'payload' },
  [M.INTERRUPT]: { fields: ['id', 'dict'] },
  [M.YIELD]: { fields: ['id', 'dict'], tail: 'payload' },
};

/** Request types that an ERROR message may answer. */
const ERRORABLE = new Set<number>([
  M.SUBSCRIBE,
  M.UNSUBSCRIBE,
  M.PUBLISH,
  M.REGISTER,
  M.UNREGISTER,
  M.CALL,
  M.INVOCATION,
  M.CANCEL,
]);

export type ParseResult = { ok: true; message: WampMessage } | { ok: false; error: WampError };

export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function fail(text: string): ParseResult {
  return { ok: false, error: new WampError(ErrorUri.PROTOCOL_VIOLATION, [text]) };
}

function checkField(kind: Field, v: unknown): string | null {
  switch (kind) {
    case 'id':
      return isValidId(v) ? null : 'an ID in 1..2^53';
    case 'id0':
      return v === 0 || isValidId(v) ? null : 'an ID in 0..2^53';
    case 'uri':
      // A string that starts with NUL is a byte string to every JSON peer (the spec's binary
      // convention): passed on as a URI it would reach them as bytes (found by the fuzz test).
      return typeof v === 'string' && v.length > 0 && v.charCodeAt(0) !== 0 ? null : 'a URI string';
    case 'string':
      return typeof v === 'string' ? null : 'a string';
    case 'dict':
      return isDict(v) ? null : 'a dict';
    case 'type':
      return typeof v === 'number' && ERRORABLE.has(v) ? null : 'a request message type';
  }
}

/** Validates a decoded value as a WAMP message. Never throws. */
export function parseMessage(input: unknown): ParseResult {
  if (!Array.isArray(input) || input.length === 0) return fail('message is not a non-empty list');
  let value: unknown[] = input;
  const code = value[0];
  if (typeof code !== 'number' || !Number.isInteger(code)) return fail('message type is not an integer');
  const layout = LAYOUTS[code];
  const name = MessageName[code];
  if (!layout || !name) return fail(`unknown message type ${code}`);

  const fixed = layout.fields.length + 1;
  const max = fixed + (layout.tail === 'payload' ? 2 : layout.tail === 'dict' ? 1 : 0);
  if (value.length < fixed || value.length > max) {
    const want = fixed === max ? `${fixed}` : `${fixed}..${max}`;
    return fail(`${name} has ${value.length} elements, expected ${want}`);
  }
  for (let i = 0; i < layout.fields.length; i++) {
    const problem = checkField(layout.fields[i], value[i + 1]);
    if (problem) return fail(`${name} element ${i + 1} must be ${problem}`);
  }
  if (layout.tail === 'payload') {
    // Some peers (fox-wamp) send null for absent Arguments/ArgumentsKw: read null as absent.
    if (value.length > fixed && (value[fixed] === null || value[value.length - 1] === null)) {
      value = withoutNullPayload(value, fixed);
    }
    if (value.length > fixed && !Array.isArray(value[fixed])) return fail(`${name} Arguments must be a list`);
    if (value.length > fixed + 1 && !isDict(value[fixed + 1]))
      return fail(`${name} ArgumentsKw must be a dict`);
  } else if (layout.tail === 'dict' && value.length > fixed && !isDict(value[fixed])) {
    return fail(`${name} Details must be a dict`);
  }
  value = withoutAbsentOptions(value, layout, fixed);
  const badKey = badDictKey(code, value);
  if (badKey) return fail(`${name} option or detail '${badKey}' has the wrong type`);
  return { ok: true, message: value as WampMessage };
}

/**
 * Options and Details entries set to null or undefined are dropped here, at the edge: they mean
 * "not given" (see options.ts), and nothing past the parser has to tell them from a missing key.
 * Payload dicts (ArgumentsKw) are the application's and stay as they are.
 */
function withoutAbsentOptions(value: unknown[], layout: Layout, fixed: number): unknown[] {
  let out = value;
  const clean = (index: number): void => {
    const dict = value[index] as Record<string, unknown>;
    const cleaned = withoutAbsent(dict);
    if (cleaned === dict) return;
    if (out === value) out = value.slice();
    out[index] = cleaned;
  };
  for (let i = 0; i < layout.fields.length; i++) if (layout.fields[i] === 'dict') clean(i + 1);
  if (layout.tail === 'dict' && value.length > fixed) clean(fixed);
  return out;
}

function withoutNullPayload(value: unknown[], fixed: number): unknown[] {
  const out = value.slice(0, fixed);
  const args = value[fixed];
  const kwargs = value[fixed + 1];
  if (kwargs !== undefined && kwargs !== null) out.push(args === null ? [] : args, kwargs);
  else if (args !== null) out.push(args);
  return out;
}
