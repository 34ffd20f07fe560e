// Types of the well-known keys in Options and Details dicts. A key the spec defines must have
// the spec's type (the spec's test vectors expect a protocol violation otherwise); unknown keys
// are ignored, as the spec says. A key whose value is null or undefined counts as not given:
// peers write "no value" so (wampy 8 sends SUBSCRIBE `match: undefined`, which MessagePack and
// CBOR carry as their own undefined while JSON drops the key).
import { isValidId } from './ids';
import { MessageType } from './messages';

type Check = (v: unknown) => boolean;

const bool: Check = (v) => typeof v === 'boolean';
const str: Check = (v) => typeof v === 'string';
const id: Check = isValidId;
const ids: Check = (v) => Array.isArray(v) && v.every(isValidId);
const strs: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const count: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const list: Check = (v) => Array.isArray(v);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);

const forward = { forward_for: list };

const M = MessageType;
/** Per message type: the dict's position in the message and the rules for its keys. */
export const DICT_RULES: Record<number, { index: number; keys: Record<string, Check> }> = {
  [M.PUBLISH]: {
    index: 2,
    keys: {
      acknowledge: bool,
      exclude_me: bool,
      disclose_me: bool,
      retain: bool,
      exclude: ids,
      eligible: ids,
      exclude_authid: strs,
      eligible_authid: strs,
      exclude_authrole: strs,
      eligible_authrole: strs,
      transaction_hash: str,
      ...forward,
    },
  },
  [M.SUBSCRIBE]: {
    index: 2,
    keys: { match: oneOf('exact', 'prefix', 'wildcard'), get_retained: bool, ...forward },
  },
  [M.EVENT]: {
    index: 3,
    keys: {
      publisher: id,
      publisher_authid: str,
      publisher_authrole: str,
      topic: str,
      retained: bool,
      transaction_hash: str,
      x_acknowledged_delivery: bool,
      ...forward,
    },
  },
  [M.CALL]: {
    index: 2,
    keys: { timeout: count, receive_progress: bool, disclose_me: bool, progress: bool, ...forward },
  },
  [M.CANCEL]: { index: 2, keys: { mode: oneOf('skip', 'kill', 'killnowait') } },
  [M.RESULT]: { index: 2, keys: { progress: bool } },
  [M.REGISTER]: {
    index: 2,
    keys: {
      match: oneOf('exact', 'prefix', 'wildcard'),
      invoke: oneOf('single', 'roundrobin', 'random', 'first', 'last'),
      disclose_caller: bool,
      force_reregister: bool,
      ...forward,
    },
  },
  [M.INVOCATION]: {
    index: 3,
    keys: {
      caller: id,
      caller_authid: str,
      caller_authrole: str,
      procedure: str,
      receive_progress: bool,
      timeout: count,
      ...forward,
    },
  },
  [M.INTERRUPT]: { index: 2, keys: { mode: oneOf('skip', 'kill', 'killnowait'), reason: str } },
  [M.YIELD]: { index: 2, keys: { progress: bool } },
};

/** Whether an option's or detail's value means "not given". */
export function isAbsent(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/**
 * The dict without its entries whose value is null or undefined: the same object when it has
 * none (the usual case, and no copy), else a copy, so that a caller's own object is not changed.
 */
export function withoutAbsent(dict: Record<string, unknown>): Record<string, unknown> {
  let absent = false;
  for (const key in dict) {
    if (isAbsent(dict[key])) {
      absent = true;
      break;
    }
  }
  if (!absent) return dict;
  const out: Record<string, unknown> = {};
  for (const key in dict) {
    const v = dict[key];
    // Defined, not assigned: a key `__proto__` must not reach the prototype setter.
    if (!isAbsent(v))
      Object.defineProperty(out, key, { value: v, configurable: true, enumerable: true, writable: true });
  }
  return out;
}

/** The first well-known key of the message's dict whose value has the wrong type, if any. */
export function badDictKey(code: number, message: readonly unknown[]): string | null {
  const rules = DICT_RULES[code];
  if (!rules) return null;
  const dict = message[rules.index] as Record<string, unknown>;
  for (const key in dict) {
    const check = rules.keys[key];
    const v = dict[key];
    if (check && !isAbsent(v) && !check(v)) return key;
  }
  return null;
}
