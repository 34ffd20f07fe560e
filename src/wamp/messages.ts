// Every WAMP v2 message of the basic and advanced profiles as a typed tuple.
// A message's type code plus its length fixes its layout; optional trailing Args/Kwargs are
// omitted rather than sent as null (strict peers such as Autobahn|Python reject null there).
// Options and Details carry the types of src/wamp/options.ts, which the parser checks.
import type {
  CallOptions,
  CancelOptions,
  EventDetails,
  InterruptOptions,
  InvocationDetails,
  PublishOptions,
  RegisterOptions,
  ResultDetails,
  SubscribeOptions,
  YieldOptions,
} from './options';

export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
} as const;

export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

export const MessageName: Record<number, keyof typeof MessageType> = Object.fromEntries(
  Object.entries(MessageType).map(([name, code]) => [code, name]),
) as Record<number, keyof typeof MessageType>;

export type WampId = number;
export type WampUri = string;
export type Dict = Record<string, unknown>;
export type Args = unknown[];
export type Kwargs = Dict;

/** Optional payload at the end of ABORT, ERROR, PUBLISH, EVENT, CALL, RESULT, INVOCATION, YIELD. */
export type Payload = [] | [Args] | [Args, Kwargs];

export type HelloMessage = [typeof MessageType.HELLO, WampUri, Dict];
export type WelcomeMessage = [typeof MessageType.WELCOME, WampId, Dict];
export type AbortMessage = [typeof MessageType.ABORT, Dict, WampUri, ...Payload];
export type ChallengeMessage = [typeof MessageType.CHALLENGE, string, Dict];
export type AuthenticateMessage = [typeof MessageType.AUTHENTICATE, string, Dict];
export type GoodbyeMessage = [typeof MessageType.GOODBYE, Dict, WampUri];
export type ErrorMessage = [typeof MessageType.ERROR, number, WampId, Dict, WampUri, ...Payload];
export type PublishMessage = [typeof MessageType.PUBLISH, WampId, PublishOptions, WampUri, ...Payload];
export type PublishedMessage = [typeof MessageType.PUBLISHED, WampId, WampId];
export type SubscribeMessage = [typeof MessageType.SUBSCRIBE, WampId, SubscribeOptions, WampUri];
export type SubscribedMessage = [typeof MessageType.SUBSCRIBED, WampId, WampId];
export type UnsubscribeMessage = [typeof MessageType.UNSUBSCRIBE, WampId, WampId];
/** Request 0 with details `{subscription, reason}` when the router revokes a subscription. */
export type UnsubscribedMessage =
  | [typeof MessageType.UNSUBSCRIBED, number]
  | [typeof MessageType.UNSUBSCRIBED, number, Dict];
export type EventMessage = [typeof MessageType.EVENT, WampId, WampId, EventDetails, ...Payload];
export type CallMessage = [typeof MessageType.CALL, WampId, CallOptions, WampUri, ...Payload];
export type CancelMessage = [typeof MessageType.CANCEL, WampId, CancelOptions];
export type ResultMessage = [typeof MessageType.RESULT, WampId, ResultDetails, ...Payload];
export type RegisterMessage = [typeof MessageType.REGISTER, WampId, RegisterOptions, WampUri];
export type RegisteredMessage = [typeof MessageType.REGISTERED, WampId, WampId];
export type UnregisterMessage = [typeof MessageType.UNREGISTER, WampId, WampId];
/** Request 0 with details `{registration, reason}` when the router revokes a registration. */
export type UnregisteredMessage =
  | [typeof MessageType.UNREGISTERED, number]
  | [typeof MessageType.UNREGISTERED, number, Dict];
export type InvocationMessage = [
  typeof MessageType.INVOCATION,
  WampId,
  WampId,
  InvocationDetails,
  ...Payload,
];
export type InterruptMessage = [typeof MessageType.INTERRUPT, WampId, InterruptOptions];
export type YieldMessage = [typeof MessageType.YIELD, WampId, YieldOptions, ...Payload];

export type WampMessage =
  | HelloMessage
  | WelcomeMessage
  | AbortMessage
  | ChallengeMessage
  | AuthenticateMessage
  | GoodbyeMessage
  | ErrorMessage
  | PublishMessage
  | PublishedMessage
  | SubscribeMessage
  | SubscribedMessage
  | UnsubscribeMessage
  | UnsubscribedMessage
  | EventMessage
  | CallMessage
  | CancelMessage
  | ResultMessage
  | RegisterMessage
  | RegisteredMessage
  | UnregisterMessage
  | UnregisteredMessage
  | InvocationMessage
  | InterruptMessage
  | YieldMessage;

/** Builds the optional trailing payload, dropping empty kwargs and (when kwargs are absent) empty args. */
export function payload(args?: Args | null, kwargs?: Kwargs | null): Payload {
  if (hasKeys(kwargs)) return [args ?? [], kwargs];
  if (args != null && args.length > 0) return [args];
  return [];
}

/**
 * Appends the optional trailing payload to `msg` as `payload` builds it, without the
 * intermediate array and spread (the per-message hot path of calls and results).
 */
export function withPayload<M extends unknown[]>(msg: M, args?: Args | null, kwargs?: Kwargs | null): M {
  if (hasKeys(kwargs)) msg.push(args ?? [], kwargs);
  else if (args != null && args.length > 0) msg.push(args);
  return msg;
}

/** Whether a dict has an own enumerable key (Object.keys would allocate the whole list). */
function hasKeys(d: Kwargs | null | undefined): d is Kwargs {
  if (d == null) return false;
  for (const k in d) if (Object.hasOwn(d, k)) return true;
  return false;
}

/** Reads the optional trailing payload starting at `index` of a validated message. */
export function payloadOf(msg: readonly unknown[], index: number): { args?: Args; kwargs?: Kwargs } {
  const out: { args?: Args; kwargs?: Kwargs } = {};
  if (msg.length > index) out.args = msg[index] as Args;
  if (msg.length > index + 1) out.kwargs = msg[index + 1] as Kwargs;
  return out;
}
