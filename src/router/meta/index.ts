// The WAMP meta API of a realm, served by the realm's own meta peer session.
import { eventHistoryApi } from './event-history-api';
import { MetaPeer, type MetaHost } from './meta-peer';
import { REGISTRATION_META_FEATURE, registrationApi } from './registration-api';
import { SESSION_META_FEATURE, sessionApi } from './session-api';
import { SUBSCRIPTION_META_FEATURE, subscriptionApi } from './subscription-api';
import { TESTAMENT_META_FEATURE, testamentApi } from './testament-api';
import { EVENT_HISTORY_FEATURE } from '../event-history';
import type { Realm } from '../realm';

export {
  MetaPeer,
  type MetaCall,
  type MetaContext,
  type MetaHost,
  type Procedure,
  type Procedures,
} from './meta-peer';
export { sessionDetails } from './session-api';
export { registrationDetails } from './registration-api';
export { subscriptionDetails } from './subscription-api';

/** Starts the meta peer of `realm` and announces the features it serves. */
export function startMetaApi(host: MetaHost, realm: Realm): MetaPeer {
  const peer = new MetaPeer(host, realm);
  // Testaments first: a leaving session's testaments are published before its on_leave.
  peer.provide(testamentApi(peer));
  peer.provide(sessionApi(peer));
  peer.provide(registrationApi(peer));
  peer.provide(subscriptionApi(peer));
  // Registered in every realm (a subscription without history answers history_unavailable, as in
  // Crossbar); announced only by realms that keep some history.
  peer.provide(eventHistoryApi(peer));
  realm.announce('dealer', [SESSION_META_FEATURE, REGISTRATION_META_FEATURE, TESTAMENT_META_FEATURE]);
  realm.announce('broker', [SESSION_META_FEATURE, SUBSCRIPTION_META_FEATURE]);
  if (realm.history.enabled) realm.announce('broker', [EVENT_HISTORY_FEATURE]);
  return peer;
}
