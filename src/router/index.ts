export {
  Router,
  type RouterOptions,
  type MqttOptions,
  type RouterListenOptions,
  type RouterAttachOptions,
} from './router';
export { Realm, type Authorize } from './realm';
export type { SessionInfo, Logger, AcceptOptions } from './session';
export type { Subscription } from './broker';
export type { Registration } from './dealer';
export type { InvokePolicy } from '../wamp/options';
export { AnonymousAuthenticator, authenticatorsFor, chooseAuthenticator, LoginThrottle } from './auth';
export { Authorizer } from './authorizer';
export { parsePublishFilter, type PublishFilter, type Receiver } from './publish-filter';
export type { RealmConfig, Action } from './config';
export type {
  RouterSnapshot,
  RealmSnapshot,
  RegistrationSnapshot,
  SubscriptionSnapshot,
  Traffic,
} from './inspection';
export type { RouterEvents, RegistrationEvent, SubscriptionEvent } from './router-events';
