// What an operator may see of a running router: plain records copied from its state (no live
// objects, so nothing a reader does can change the router), for dashboards, tests and the
// Node-RED sidebar. The router's own sessions (the meta API peers, the editor's tester) are left
// out, as the meta API leaves them out: a registration or subscription held only by them is not
// listed. The meta API has no counters for messages, calls or events; these records have.
import type { MatchPolicy } from '../wamp/options';
import type { Registration } from './dealer';
import type { Subscription } from './broker';
import type { Realm } from './realm';
import type { Revocation } from './revocations';
import type { RouterSession, SessionInfo } from './session';

/** Messages received from and sent to client sessions. */
export interface Traffic {
  messagesIn: number;
  messagesOut: number;
}

export interface RegistrationSnapshot {
  id: number;
  /** The procedure, or the pattern of a `prefix` / `wildcard` registration. */
  uri: string;
  match: Registration['match'];
  invoke: Registration['invoke'];
  /** Session IDs, in registration order (`first` and `last` pick from its ends). */
  callees: number[];
  /** INVOCATIONs sent for it so far, whatever their answer. */
  calls: number;
  created: Date;
}

export interface SubscriptionSnapshot {
  id: number;
  /** The topic, or the pattern of a `prefix` / `wildcard` subscription. */
  uri: string;
  match: Subscription['match'];
  /** Session IDs. */
  subscribers: number[];
  /** EVENTs delivered to its subscribers so far (retained ones included). */
  events: number;
  created: Date;
}

export interface RealmSnapshot {
  name: string;
  /** Client sessions, in the order they joined. */
  sessions: SessionInfo[];
  /** In the order they were created. */
  registrations: RegistrationSnapshot[];
  subscriptions: SubscriptionSnapshot[];
  /** Client messages since the realm was created (a rate is the difference of two readings). */
  traffic: Traffic;
  /** The topic patterns whose events the realm keeps (event history), and how many it holds. */
  history: HistorySnapshot[];
  /** The latest registrations and subscriptions the router took from a session, oldest first. */
  revocations: Revocation[];
}

export interface HistorySnapshot {
  uri: string;
  match: MatchPolicy;
  limit: number;
  /** Events kept now. */
  kept: number;
}

export interface RouterSnapshot {
  /** In creation order. */
  realms: RealmSnapshot[];
  /** Client sessions of every realm. */
  sessionCount: number;
  /** Client connections still in their opening handshake (not joined to a realm yet). */
  handshakingCount: number;
}

const isClient = (s: RouterSession): boolean => !s.internal;

/** A session's public record, with copies of its transport's and of its join time. */
export function sessionSnapshot(session: RouterSession): SessionInfo {
  const info = session.info();
  return { ...info, transport: { ...info.transport }, joinedAt: new Date(info.joinedAt) };
}

export function registrationSnapshot(reg: Registration): RegistrationSnapshot {
  return {
    id: reg.id,
    uri: reg.uri,
    match: reg.match,
    invoke: reg.invoke,
    callees: reg.callees.filter(isClient).map((s) => s.id),
    calls: reg.calls,
    created: new Date(reg.created),
  };
}

export function subscriptionSnapshot(sub: Subscription): SubscriptionSnapshot {
  return {
    id: sub.id,
    uri: sub.uri,
    match: sub.match,
    subscribers: [...sub.subscribers].filter(isClient).map((s) => s.id),
    events: sub.events,
    created: new Date(sub.created),
  };
}

export function realmSnapshot(realm: Realm): RealmSnapshot {
  return {
    name: realm.name,
    sessions: realm.clients().map(sessionSnapshot),
    registrations: realm.dealer
      .list()
      .filter((reg) => reg.callees.some(isClient))
      .map(registrationSnapshot),
    subscriptions: realm.broker
      .list()
      .filter((sub) => [...sub.subscribers].some(isClient))
      .map(subscriptionSnapshot),
    traffic: { ...realm.traffic },
    history: realm.history.topics.map((h) => ({
      uri: h.uri,
      match: h.match,
      limit: h.limit,
      kept: h.length,
    })),
    revocations: realm.revocations.list().map((r) => ({ ...r, at: new Date(r.at) })),
  };
}
