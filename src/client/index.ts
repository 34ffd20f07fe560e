// The WAMP client: Connection (reconnecting, persistent registrations and subscriptions) over
// Session (one WAMP session on one transport).
export {
  Connection,
  FATAL_REASONS,
  type ConnectionOptions,
  type ConnectionStatus,
  type ReconnectOptions,
} from './connection';
export {
  Session,
  CLIENT_ROLES,
  type SessionOptions,
  type SessionCloseInfo,
  type SessionState,
} from './session';
export {
  authMethodsFor,
  helloAuth,
  answerChallenge,
  type ClientCredentials,
} from './auth';
export { PROGRESSIVE_CALL_INVOCATIONS, type CallStream } from './call-stream';
export type { ChunkListener, InvocationChunk } from './invocation-chunks';
export { backoffDelay, resolveReconnect } from './backoff';
export {
  Result,
  ANSWER_LATER,
  type CallHandle,
  type CallOptions,
  type CallReceiver,
  type CallResult,
  type CancelMode,
  type EventHandler,
  type EventInfo,
  type Invocation,
  type InvocationHandler,
  type PublishOptions,
  type PublishResult,
  type RegisterOptions,
  type Registration,
  type SubscribeOptions,
  type Subscription,
} from './types';
export { WampError } from '../wamp/errors';
export type { InvokePolicy, MatchPolicy } from '../wamp/options';
