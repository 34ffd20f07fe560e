// What the editor's router view shows of one embedded router at one moment: per realm its client
// sessions, registrations, subscriptions and message rate. The router's own snapshot
// (`Router.snapshot()`, which leaves out its internal sessions) made JSON-ready for the editor:
// flat transport fields, ISO times, the node's id and name, and the sampled rates.
import type { RealmSnapshot, Router, SessionInfo } from './library';

export interface SessionView {
  id: number;
  authid: string;
  authrole: string;
  authmethod: string;
  transport: string;
  serializer: string;
  secure: boolean;
  remoteAddress?: string;
  remotePort?: number;
  /** ISO time of WELCOME. */
  joinedAt: string;
  messagesIn: number;
  messagesOut: number;
}

export interface RegistrationView {
  id: number;
  procedure: string;
  match: string;
  invoke: string;
  /** Session IDs, in registration order. */
  callees: number[];
  calls: number;
  created: string;
}

export interface SubscriptionView {
  id: number;
  topic: string;
  match: string;
  subscribers: number[];
  events: number;
  created: string;
}

/** A topic pattern whose events the realm keeps (event history), and how many it holds. */
export interface HistoryView {
  topic: string;
  match: string;
  limit: number;
  kept: number;
}

/** A registration or subscription the router took from a session, with the reason it gave. */
export interface RevocationView {
  at: string;
  kind: 'registration' | 'subscription';
  id: number;
  uri: string;
  match: string;
  session: number;
  authid: string;
  reason: string;
}

export interface RealmView {
  name: string;
  sessions: SessionView[];
  registrations: RegistrationView[];
  subscriptions: SubscriptionView[];
  history: HistoryView[];
  /** The latest revocations, oldest first. */
  revocations: RevocationView[];
  /** Client messages (in + out) per second, oldest first; empty until sampled. */
  rate: number[];
}

export interface RouterSnapshot {
  /** The wamp-router node's id. */
  id: string;
  name: string;
  /** ISO time the snapshot was taken. */
  at: string;
  sessionCount: number;
  realms: RealmView[];
}

/** `rates` gives a realm's recent samples (see RateSampler); without it `rate` is empty. */
export function routerSnapshot(
  id: string,
  name: string,
  router: Router,
  rates?: (realm: string) => number[],
  now = new Date(),
): RouterSnapshot {
  const snapshot = router.snapshot();
  return {
    id,
    name,
    at: now.toISOString(),
    sessionCount: snapshot.sessionCount,
    realms: snapshot.realms.map((realm) => realmView(realm, rates ? rates(realm.name) : [])),
  };
}

function realmView(realm: RealmSnapshot, rate: number[]): RealmView {
  return {
    name: realm.name,
    sessions: realm.sessions.map(sessionView),
    registrations: realm.registrations.map((reg) => ({
      id: reg.id,
      procedure: reg.uri,
      match: reg.match,
      invoke: reg.invoke,
      callees: reg.callees,
      calls: reg.calls,
      created: reg.created.toISOString(),
    })),
    subscriptions: realm.subscriptions.map((sub) => ({
      id: sub.id,
      topic: sub.uri,
      match: sub.match,
      subscribers: sub.subscribers,
      events: sub.events,
      created: sub.created.toISOString(),
    })),
    history: realm.history.map((h) => ({ topic: h.uri, match: h.match, limit: h.limit, kept: h.kept })),
    revocations: realm.revocations.map((r) => ({ ...r, at: r.at.toISOString() })),
    rate,
  };
}

function sessionView(s: SessionInfo): SessionView {
  const t = s.transport;
  const view: SessionView = {
    id: s.id,
    authid: s.authid,
    authrole: s.authrole,
    authmethod: s.authmethod,
    transport: t.type,
    serializer: t.serializer,
    secure: t.secure,
    joinedAt: s.joinedAt.toISOString(),
    messagesIn: s.messagesIn,
    messagesOut: s.messagesOut,
  };
  if (t.remoteAddress !== undefined) view.remoteAddress = t.remoteAddress;
  if (t.remotePort !== undefined) view.remotePort = t.remotePort;
  return view;
}

/** Whether two snapshots differ in anything but the time they were taken. */
export function snapshotsDiffer(a: RouterSnapshot | undefined, b: RouterSnapshot): boolean {
  return !a || JSON.stringify({ ...a, at: '' }) !== JSON.stringify({ ...b, at: '' });
}
