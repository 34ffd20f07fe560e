// The public API of the library under the Node-RED nodes: a WAMP router to embed, a WAMP client,
// and the protocol pieces both are built from.

// Router
export {
  Router,
  type RouterOptions,
  type SessionInfo,
  type Logger,
  type MqttOptions,
  type RouterListenOptions,
  type RouterAttachOptions,
  type RouterSnapshot,
  type RealmSnapshot,
  type RegistrationSnapshot,
  type SubscriptionSnapshot,
  type Traffic,
  type RouterEvents,
  type RegistrationEvent,
  type SubscriptionEvent,
} from './router';
export { listenMqtt, type MqttListener, type MqttListenOptions } from './mqtt';
export type {
  RealmConfig,
  UserConfig,
  RoleConfig,
  PermissionConfig,
  HistoryConfig,
  AuthMethod,
  Action,
} from './router/config';

// Client
export {
  Connection,
  Session,
  Result,
  ANSWER_LATER,
  type CallHandle,
  type CallReceiver,
  type ConnectionOptions,
  type ConnectionStatus,
  type ReconnectOptions,
  type CallOptions,
  type CallResult,
  type CallStream,
  type InvocationChunk,
  type EventInfo,
  type Invocation,
  type InvocationHandler,
  type PublishOptions,
  type RegisterOptions,
  type Registration,
  type SubscribeOptions,
  type Subscription,
} from './client';

// Transports and serializers
export { listen, attachToHttpServer, connectTransport, createLocalPair } from './transports';
export type {
  Transport,
  TransportInfo,
  ListenOptions,
  AttachOptions,
  Listener,
  ConnectOptions,
  LongPollOptions,
} from './transports';
export { serializers, serializerById, type Serializer, type SerializerId } from './serializers';

// Protocol
export {
  WampError,
  ErrorUri,
  CloseUri,
  AUTH_REFUSALS,
  isWampError,
  errorMessage,
  toWampError,
} from './wamp/errors';
export { MessageType, type WampMessage, type Args, type Kwargs } from './wamp/messages';
export { isValidUri } from './wamp/uri';
export { parseMessage } from './wamp/parse';
export {
  MATCH_POLICIES,
  INVOKE_POLICIES,
  CANCEL_MODES,
  isMatchPolicy,
  isInvokePolicy,
  isCancelMode,
  type MatchPolicy,
  type InvokePolicy,
  type CancelMode,
} from './wamp/options';
export { publicKeyHexOf, deriveCraKey } from './wamp/auth';

// Timers
export { TimeoutQueues, type TimeoutHandle } from './timers/timeout-queues';
