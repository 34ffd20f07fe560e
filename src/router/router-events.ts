// The router's events, typed: what happens in any of its realms, told as plain records (see
// inspection.ts) so that a listener needs no router internals. The router's own sessions (the
// meta API peers) are left out, as in the session counts and the snapshot. Each realm emits its
// events with live objects for the meta API; the router forwards them here, building a record
// only when someone listens.
import type { EventEmitter } from 'node:events';
import {
  registrationSnapshot,
  subscriptionSnapshot,
  type RegistrationSnapshot,
  type SubscriptionSnapshot,
} from './inspection';
import type { Registration } from './dealer';
import type { Subscription } from './broker';
import type { Realm } from './realm';
import type { RouterSession, SessionInfo } from './session';

/** A registration event: `session` is the callee that registered or unregistered. */
export interface RegistrationEvent {
  realm: string;
  session: number;
  /** As it is after the change (a deleted one has no callees left). */
  registration: RegistrationSnapshot;
}

/** A subscription event: `session` is the subscriber that subscribed or unsubscribed. */
export interface SubscriptionEvent {
  realm: string;
  session: number;
  /** As it is after the change (a deleted one has no subscribers left). */
  subscription: SubscriptionSnapshot;
}

/** Event name → listener arguments, for `router.on(...)`. */
export interface RouterEvents {
  /** A client session joined a realm (after WELCOME). */
  'session-join': [session: SessionInfo];
  /** A client session left its realm (GOODBYE, lost connection, kill); after its registrations and subscriptions went. */
  'session-leave': [session: SessionInfo];
  /** A realm was added: configured, `addRealm`, or created on demand by a HELLO. */
  'realm-create': [realm: string];
  /**
   * A realm was removed: by `removeRealm` (its sessions are then closed, and leave after this), or
   * an on-demand realm whose last session left.
   */
  'realm-remove': [realm: string];
  /** A procedure got its first callee. */
  'registration-create': [event: RegistrationEvent];
  /** A callee was added to a registration (the first one included: `create` comes just before). */
  'registration-register': [event: RegistrationEvent];
  /** A callee left a registration (unregistered, left, or revoked). */
  'registration-unregister': [event: RegistrationEvent];
  /** A registration lost its last callee (`unregister` comes just before). */
  'registration-delete': [event: RegistrationEvent];
  'subscription-create': [event: SubscriptionEvent];
  'subscription-subscribe': [event: SubscriptionEvent];
  'subscription-unsubscribe': [event: SubscriptionEvent];
  'subscription-delete': [event: SubscriptionEvent];
}

// A realm emits a Registration with registration-* and a Subscription with subscription-*; the
// intersection lets one listener type serve both tables below.
type Listener = (session: RouterSession, item: Registration & Subscription) => void;
type ToRecord = (realm: Realm, s: RouterSession, item: Registration & Subscription) => unknown;

const registrationRecord: ToRecord = (realm, s, reg): RegistrationEvent => ({
  realm: realm.name,
  session: s.id,
  registration: registrationSnapshot(reg),
});
const subscriptionRecord: ToRecord = (realm, s, sub): SubscriptionEvent => ({
  realm: realm.name,
  session: s.id,
  subscription: subscriptionSnapshot(sub),
});

/** The realm's events that the router tells as records (the same names), and the record of each. */
const RECORDS: ReadonlyMap<string, ToRecord> = new Map([
  ['registration-create', registrationRecord],
  ['registration-register', registrationRecord],
  ['registration-unregister', registrationRecord],
  ['registration-delete', registrationRecord],
  ['subscription-create', subscriptionRecord],
  ['subscription-subscribe', subscriptionRecord],
  ['subscription-unsubscribe', subscriptionRecord],
  ['subscription-delete', subscriptionRecord],
]);

/**
 * Forwards the registration and subscription events of a router's realms to the router, each
 * only while the router has a listener for it: nothing is built, and no realm is listened to,
 * for events nobody asked for. (It watches the router's `newListener` / `removeListener`, so a
 * `router.removeAllListeners()` with no event name ends the forwarding.)
 */
export class RealmEventForwarder {
  private readonly attached = new Map<Realm, Map<string, Listener>>();
  /** The router as a plain EventEmitter: `newListener` is EventEmitter's own, not a RouterEvent. */
  private readonly emitter: EventEmitter;

  constructor(
    router: EventEmitter<RouterEvents>,
    private readonly realms: () => Iterable<Realm>,
    /** Emits an event on the router (guarded: see `Router.tell`). */
    private readonly tell: (name: string, record: unknown) => void,
  ) {
    this.emitter = router as unknown as EventEmitter;
    this.emitter.on('newListener', (name: string | symbol) => {
      if (typeof name === 'string' && RECORDS.has(name) && this.emitter.listenerCount(name) === 0)
        for (const realm of this.realms()) this.attach(realm, name);
    });
    this.emitter.on('removeListener', (name: string | symbol) => {
      if (typeof name === 'string' && RECORDS.has(name) && this.emitter.listenerCount(name) === 0)
        for (const realm of this.attached.keys()) this.detach(realm, name);
    });
  }

  /** A new realm: listened to for the events that have listeners already. */
  added(realm: Realm): void {
    for (const name of RECORDS.keys()) if (this.emitter.listenerCount(name) > 0) this.attach(realm, name);
  }

  /** A removed realm, once its sessions are gone (their events told). */
  removed(realm: Realm): void {
    for (const name of RECORDS.keys()) this.detach(realm, name);
    this.attached.delete(realm);
  }

  private attach(realm: Realm, name: string): void {
    let listeners = this.attached.get(realm);
    if (!listeners) this.attached.set(realm, (listeners = new Map()));
    if (listeners.has(name)) return;
    const record = RECORDS.get(name)!;
    const listener: Listener = (s, item) => {
      if (!s.internal) this.tell(name, record(realm, s, item));
    };
    listeners.set(name, listener);
    realm.on(name, listener);
  }

  private detach(realm: Realm, name: string): void {
    const listeners = this.attached.get(realm);
    const listener = listeners?.get(name);
    if (!listener) return;
    realm.off(name, listener);
    listeners!.delete(name);
  }
}
