// The library as the nodes see it: its public entry (src/index.ts) and nothing else, so that the
// nodes stay thin adapters over what any user of the package gets, and their types follow the
// library's. test/nodes/public-api.test.ts holds every file of nodes/ to this.
export {
  Router,
  Connection,
  Result,
  Session,
  WampError,
  isWampError,
  ErrorUri,
  CloseUri,
  isValidUri,
} from '../../src';
export type {
  Args,
  AttachOptions,
  CallResult,
  ConnectionOptions,
  ConnectionStatus,
  EventInfo,
  Invocation,
  Kwargs,
  PublishOptions,
  RealmConfig,
  RealmSnapshot,
  RegisterOptions,
  Registration,
  RegistrationEvent,
  RoleConfig,
  RouterListenOptions,
  SessionInfo,
  SubscribeOptions,
  Subscription,
  SubscriptionEvent,
  Transport,
  UserConfig,
} from '../../src';
