// The Options and Details dicts of WAMP messages, typed once: the policy unions as const arrays,
// one interface per message, and the parser's rules derived from those interfaces (a rule for
// every key an interface names, of that key's type; the compiler holds the two together).
// A key the spec defines must have the spec's type (the spec's test vectors expect a protocol
// violation otherwise); unknown keys are ignored, as the spec says, and stay readable through
// each interface's index signature. A key whose value is null or undefined counts as not given:
// peers write "no value" so (wampy 8 sends SUBSCRIBE `match: undefined`, which MessagePack and
// CBOR carry as their own undefined while JSON drops the key).
import { isValidId } from './ids';
import { MessageType } from './messages';

type Dict = Record<string, unknown>;

export const MATCH_POLICIES = ['exact', 'prefix', 'wildcard'] as const;
/** How a subscription's topic or a registration's procedure matches URIs. */
export type MatchPolicy = (typeof MATCH_POLICIES)[number];

export const INVOKE_POLICIES = ['single', 'roundrobin', 'random', 'first', 'last'] as const;
/** Which callee of a shared registration gets a call. */
export type InvokePolicy = (typeof INVOKE_POLICIES)[number];

export const CANCEL_MODES = ['skip', 'kill', 'killnowait'] as const;
/** How CANCEL and INTERRUPT end a call. */
export type CancelMode = (typeof CANCEL_MODES)[number];

/** The `forward_for` list of the router-to-router links (the spec's R2R draft): passed on as is. */
interface Forwarded {
  forward_for?: unknown[];
}

export interface PublishOptions extends Forwarded {
  acknowledge?: boolean;
  exclude_me?: boolean;
  disclose_me?: boolean;
  retain?: boolean;
  exclude?: number[];
  eligible?: number[];
  exclude_authid?: string[];
  eligible_authid?: string[];
  exclude_authrole?: string[];
  eligible_authrole?: string[];
  transaction_hash?: string;
  [key: string]: unknown;
}

export interface SubscribeOptions extends Forwarded {
  match?: MatchPolicy;
  get_retained?: boolean;
  [key: string]: unknown;
}

export interface EventDetails extends Forwarded {
  publisher?: number;
  publisher_authid?: string;
  publisher_authrole?: string;
  /** The concrete topic, for a pattern subscription. */
  topic?: string;
  retained?: boolean;
  transaction_hash?: string;
  x_acknowledged_delivery?: boolean;
  [key: string]: unknown;
}

export interface CallOptions extends Forwarded {
  /** Milliseconds; 0 is none. */
  timeout?: number;
  receive_progress?: boolean;
  disclose_me?: boolean;
  /** Progressive call invocations: more CALL chunks follow. */
  progress?: boolean;
  [key: string]: unknown;
}

export interface CancelOptions {
  mode?: CancelMode;
  [key: string]: unknown;
}

export interface ResultDetails {
  progress?: boolean;
  [key: string]: unknown;
}

export interface RegisterOptions extends Forwarded {
  match?: MatchPolicy;
  invoke?: InvokePolicy;
  disclose_caller?: boolean;
  force_reregister?: boolean;
  [key: string]: unknown;
}

export interface InvocationDetails extends Forwarded {
  caller?: number;
  caller_authid?: string;
  caller_authrole?: string;
  /** The concrete procedure, for a pattern registration. */
  procedure?: string;
  receive_progress?: boolean;
  timeout?: number;
  /** Progressive call invocations: more INVOCATION chunks follow. */
  progress?: boolean;
  [key: string]: unknown;
}

export interface InterruptOptions {
  mode?: CancelMode;
  /** Why the router interrupts: wamp.error.canceled or wamp.error.timeout. */
  reason?: string;
  [key: string]: unknown;
}

export interface YieldOptions {
  progress?: boolean;
  [key: string]: unknown;
}

/**
 * Payload passthru mode's options on CALL, YIELD and PUBLISH (details on INVOCATION, RESULT and
 * EVENT). Not checked by the parser: the spec answers a bad one with ERROR invalid_argument
 * (router/passthru.ts), not with a protocol violation.
 */
export interface PassthruOptions {
  ppt_scheme?: string;
  ppt_serializer?: string;
  ppt_cipher?: string;
  ppt_keyid?: string;
}

export function isMatchPolicy(v: unknown): v is MatchPolicy {
  return (MATCH_POLICIES as readonly unknown[]).includes(v);
}

export function isInvokePolicy(v: unknown): v is InvokePolicy {
  return (INVOKE_POLICIES as readonly unknown[]).includes(v);
}

export function isCancelMode(v: unknown): v is CancelMode {
  return (CANCEL_MODES as readonly unknown[]).includes(v);
}

type Guard<T> = (v: unknown) => v is T;
/** The keys an interface names, its index signature left out. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
/** One check per named key, of that key's type: a key missing here, or extra, does not compile. */
type Rules<T> = { readonly [K in KnownKeys<T>]-?: Guard<NonNullable<T[K & keyof T]>> };

const bool: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
const str: Guard<string> = (v): v is string => typeof v === 'string';
const id: Guard<number> = (v): v is number => isValidId(v);
const ids: Guard<number[]> = (v): v is number[] => Array.isArray(v) && v.every(isValidId);
const strs: Guard<string[]> = (v): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const count: Guard<number> = (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const list: Guard<unknown[]> = (v): v is unknown[] => Array.isArray(v);
const matchPolicy: Guard<MatchPolicy> = isMatchPolicy;
const invokePolicy: Guard<InvokePolicy> = isInvokePolicy;
const cancelMode: Guard<CancelMode> = isCancelMode;

const forward: Rules<Forwarded> = { forward_for: list };

const PUBLISH: Rules<PublishOptions> = {
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
};
const SUBSCRIBE: Rules<SubscribeOptions> = { match: matchPolicy, get_retained: bool, ...forward };
const EVENT: Rules<EventDetails> = {
  publisher: id,
  publisher_authid: str,
  publisher_authrole: str,
  topic: str,
  retained: bool,
  transaction_hash: str,
  x_acknowledged_delivery: bool,
  ...forward,
};
const CALL: Rules<CallOptions> = {
  timeout: count,
  receive_progress: bool,
  disclose_me: bool,
  progress: bool,
  ...forward,
};
const CANCEL: Rules<CancelOptions> = { mode: cancelMode };
const RESULT: Rules<ResultDetails> = { progress: bool };
const REGISTER: Rules<RegisterOptions> = {
  match: matchPolicy,
  invoke: invokePolicy,
  disclose_caller: bool,
  force_reregister: bool,
  ...forward,
};
const INVOCATION: Rules<InvocationDetails> = {
  caller: id,
  caller_authid: str,
  caller_authrole: str,
  procedure: str,
  receive_progress: bool,
  timeout: count,
  progress: bool,
  ...forward,
};
const INTERRUPT: Rules<InterruptOptions> = { mode: cancelMode, reason: str };
const YIELD: Rules<YieldOptions> = { progress: bool };

type Check = (v: unknown) => boolean;
interface DictRules {
  /** The dict's position in the message. */
  readonly index: number;
  readonly keys: Readonly<Record<string, Check>>;
}
const M = MessageType;
/** Per message type: where its Options or Details dict is, and the rules for its keys. */
export const DICT_RULES: Readonly<Record<number, DictRules>> = {
  [M.PUBLISH]: { index: 2, keys: PUBLISH },
  [M.SUBSCRIBE]: { index: 2, keys: SUBSCRIBE },
  [M.EVENT]: { index: 3, keys: EVENT },
  [M.CALL]: { index: 2, keys: CALL },
  [M.CANCEL]: { index: 2, keys: CANCEL },
  [M.RESULT]: { index: 2, keys: RESULT },
  [M.REGISTER]: { index: 2, keys: REGISTER },
  [M.INVOCATION]: { index: 3, keys: INVOCATION },
  [M.INTERRUPT]: { index: 2, keys: INTERRUPT },
  [M.YIELD]: { index: 2, keys: YIELD },
};

/** Whether an option's or detail's value means "not given". */
export function isAbsent(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/**
 * The dict without its entries whose value is null or undefined: the same object when it has
 * none (the usual case, and no copy), else a copy, so that a caller's own object is not changed.
 */
export function withoutAbsent(dict: Dict): Dict {
  let absent = false;
  for (const key in dict) {
    if (isAbsent(dict[key])) {
      absent = true;
      break;
    }
  }
  if (!absent) return dict;
  const out: Dict = {};
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
  const dict = message[rules.index] as Dict;
  for (const key in dict) {
    // Own keys only: a key such as `constructor` or `toString` is an unknown key, not a rule.
    const check = Object.hasOwn(rules.keys, key) ? rules.keys[key] : undefined;
    const v = dict[key];
    if (check && !isAbsent(v) && !check(v)) return key;
  }
  return null;
}
