// Types of the well-known keys in Options and Details dicts. A key the spec defines must have
// the spec's type (the spec's test vectors expect a protocol violation otherwise); unknown keys
// are ignored, as the spec says.
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

/** The first well-known key of the message's dict whose value has the wrong type, if any. */
export function badDictKey(code: number, message: readonly unknown[]): string | null {
  const rules = DICT_RULES[code];
  if (!rules) return null;
  const dict = message[rules.index] as Record<string, unknown>;
  for (const key in dict) {
    const check = rules.keys[key];
    if (check && !check(dict[key])) return key;
  }
  return null;
}
