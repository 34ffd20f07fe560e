// The library as the nodes see it: the one place that imports from src/, so that the nodes stay
// thin adapters and their types follow the library's.
export { Router } from '../../src/router';
export { Connection, Result, Session } from '../../src/client';
export type {
  CallOptions,
  CallResult,
  CallStream,
  ConnectionOptions,
  ConnectionStatus,
  EventInfo,
  Invocation,
  InvocationChunk,
  PublishOptions,
  RegisterOptions,
  Registration,
  SubscribeOptions,
  Subscription,
} from '../../src/client';
export { listen, attachToHttpServer } from '../../src/transports';
export { authenticatorsFor } from '../../src/router/auth';
export { Authorizer } from '../../src/router/authorizer';
export { WampError, isWampError, ErrorUri, CloseUri } from '../../src/wamp/errors';
export { isValidUri } from '../../src/wamp/uri';
export type { RealmConfig, UserConfig, RoleConfig } from '../../src/router/config';
export type { Transport } from '../../src/transports/transport';
export type { AttachOptions } from '../../src/transports/listener';
export type { Realm } from '../../src/router/realm';
export type { RouterSession, SessionInfo } from '../../src/router/session';
export type { Registration as RouterRegistration } from '../../src/router/dealer';
export type { Subscription as RouterSubscription } from '../../src/router/broker';
