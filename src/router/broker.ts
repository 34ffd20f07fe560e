// The broker: subscriptions (exact, prefix, wildcard; one ID per topic+match, shared by all its
// subscribers), publications with publisher exclusion/identification, black- and whitelisting,
// and event retention (bounded per realm by count and bytes, oldest dropped first).
import type { TopicHistory } from './event-history';
import { Matcher } from './matcher';
import { PASSTHRU_FEATURE, passthruOf, passthruProblem } from './passthru';
import { parsePublishFilter, type PublishFilter } from './publish-filter';
import type { Realm } from './realm';
import type { RouterSession } from './session';
import { copyValue } from '../wamp/copy';
import { ErrorUri, WampError } from '../wamp/errors';
import { approximateSize } from '../wamp/depth';
import { isValidId, randomId } from '../wamp/ids';
import {
  MessageType as M,
  type Dict,
  type EventMessage,
  type Payload,
  type PublishMessage,
  type SubscribeMessage,
  type UnsubscribeMessage,
} from '../wamp/messages';
import { isDict } from '../wamp/parse';
import type { EventDetails, MatchPolicy, PublishOptions } from '../wamp/options';
import { matches } from '../wamp/uri';

export const BROKER_FEATURES = [
  'pattern_based_subscription',
  'publisher_exclusion',
  'publisher_identification',
  'subscriber_blackwhite_listing',
  'event_retention',
  'subscription_revocation',
  PASSTHRU_FEATURE,
];

export interface Subscription {
  readonly id: number;
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly created: Date;
  readonly subscribers: Set<RouterSession>;
  /**
   * Subscribers whose role allows only part of what the pattern matches: each event is checked
   * against the role before it goes to them.
   */
  readonly checked: Set<RouterSession>;
  /** EVENTs delivered to its subscribers so far (retained ones included). */
  events: number;
  /** Set on the router-held subscription of an event history pattern: kept without subscribers. */
  readonly history?: TopicHistory;
}

/** A retained event: details and payload are the broker's own copies, never handed out as is. */
interface RetainedEvent {
  publication: number;
  /** Publisher disclosure, if it asked for it. */
  details: EventDetails;
  payload: Payload;
  filter: PublishFilter;
  /** Approximate bytes, counted against the realm's `maxRetainedBytes`. */
  size: number;
}

export class Broker {
  private readonly subscriptions = new Matcher<Subscription>();
  private readonly byId = new Map<number, Subscription>();
  private readonly bySession = new Map<RouterSession, Set<Subscription>>();
  /** By topic, oldest first (a topic published again moves to the end). */
  private readonly retained = new Map<string, RetainedEvent>();
  private retainedBytes = 0;

  constructor(private readonly realm: Realm) {
    for (const history of realm.history.topics) this.hold(history);
  }

  subscribe(session: RouterSession, msg: SubscribeMessage): void {
    const [, request, options, topic] = msg;
    const match = options.match ?? 'exact';
    const grant = this.realm.permitPattern(session, 'subscribe', topic, match);
    if (grant instanceof WampError) return session.sendError(M.SUBSCRIBE, request, grant);

    let sub = this.subscriptions.get(topic, match);
    const added = !sub?.subscribers.has(session);
    const max = this.realm.limits.maxSubscriptionsPerSession;
    if (added && !session.trusted && (this.bySession.get(session)?.size ?? 0) >= max) {
      this.realm.logger.warn(`session ${session.id}: refused SUBSCRIBE ${topic}: ${max} subscriptions held`);
      return session.sendError(
        M.SUBSCRIBE,
        request,
        new WampError(ErrorUri.LIMIT_EXCEEDED, [`a session may hold at most ${max} subscriptions`]),
      );
    }
    const created = !sub;
    if (!sub) {
      sub = {
        id: randomId(),
        uri: topic,
        match,
        created: new Date(),
        subscribers: new Set(),
        checked: new Set(),
        events: 0,
      };
      this.subscriptions.set(topic, match, sub);
      this.byId.set(sub.id, sub);
    }
    sub.subscribers.add(session);
    if (grant === 'some') sub.checked.add(session);
    else sub.checked.delete(session);
    this.sessionSubs(session).add(sub);
    session.send([M.SUBSCRIBED, request, sub.id]);
    if (created) this.realm.emit('subscription-create', session, sub);
    if (added) this.realm.emit('subscription-subscribe', session, sub);
    if (options.get_retained === true) this.sendRetained(session, sub);
  }

  unsubscribe(session: RouterSession, msg: UnsubscribeMessage): void {
    const [, request, id] = msg;
    const sub = this.byId.get(id);
    if (!sub || !sub.subscribers.has(session)) {
      return session.sendError(
        M.UNSUBSCRIBE,
        request,
        new WampError(ErrorUri.NO_SUCH_SUBSCRIPTION, [`no subscription ${id}`]),
      );
    }
    this.detach(session, sub);
    this.bySession.get(session)?.delete(sub);
    session.send([M.UNSUBSCRIBED, request]);
  }

  publish(session: RouterSession, msg: PublishMessage): void {
    const [, request, options, topic] = msg;
    // The spec answers a failed publication with ERROR only when it was to be acknowledged;
    // strict clients treat an ERROR for an unacknowledged PUBLISH as a protocol violation.
    const fail = (error: WampError): void => {
      if (options.acknowledge === true) session.sendError(M.PUBLISH, request, error);
      else
        this.realm.logger.info(
          `session ${session.id}: unacknowledged publish to ${topic} dropped: ${error.message}`,
        );
    };
    const ppt = passthruOf(options);
    if (ppt) {
      const problem = passthruProblem(session, 'publisher', ppt, msg.slice(4) as Payload);
      if (typeof problem === 'string') return session.protocolViolation(problem);
      if (problem) return fail(problem);
    }
    const refused = this.realm.permit(session, 'publish', topic);
    if (refused) return fail(refused);
    const filter = parsePublishFilter(options, session.id);

    const publication = randomId();
    const details: EventDetails = options.disclose_me === true ? publisherDetails(session, options) : {};
    // Subscribers that did not announce passthru get the event too: the spec leaves it to them.
    if (ppt) Object.assign(details, ppt);
    const eventPayload = msg.slice(4) as Payload;
    let kept: TopicHistory[] | undefined;
    for (const sub of this.subscriptions.matchAll(topic)) {
      if (sub.history) (kept ??= []).push(sub.history);
      // One EVENT tuple per subscription: its details are the same for every subscriber.
      const event: EventMessage = [
        M.EVENT,
        sub.id,
        publication,
        sub.match === 'exact' ? details : { ...details, topic },
        ...eventPayload,
      ];
      for (const receiver of sub.subscribers) {
        if (!filter.open && !filter.accepts(receiver)) continue;
        if (
          sub.checked.size > 0 &&
          sub.checked.has(receiver) &&
          !this.realm.mayReceive(receiver, 'subscribe', topic)
        )
          continue;
        receiver.send(event);
        sub.events++;
      }
    }
    if (kept) this.realm.history.record(kept, publication, topic, details, eventPayload, options);
    if (options.retain === true)
      this.retain(topic, { publication, details, payload: eventPayload, filter, size: 0 });
    if (options.acknowledge === true) session.send([M.PUBLISHED, request, publication]);
  }

  /**
   * Removes `subscriber` from a subscription by the router's decision (the meta API's remove):
   * a subscriber that announced subscription_revocation is told with UNSUBSCRIBED request 0.
   */
  revoke(sub: Subscription, subscriber: RouterSession, reason: string): void {
    if (!sub.subscribers.has(subscriber)) return;
    this.detach(subscriber, sub);
    this.bySession.get(subscriber)?.delete(sub);
    if (subscriber.has('subscriber', 'subscription_revocation'))
      subscriber.send([M.UNSUBSCRIBED, 0, { subscription: sub.id, reason }]);
  }

  removeSession(session: RouterSession): void {
    const subs = this.bySession.get(session);
    if (!subs) return;
    this.bySession.delete(session);
    for (const sub of subs) this.detach(session, sub);
  }

  // Queries for the meta API.

  get(id: number): Subscription | undefined {
    return this.byId.get(id);
  }

  lookup(uri: string, match: MatchPolicy = 'exact'): Subscription | undefined {
    return this.subscriptions.get(uri, match);
  }

  match(topic: string): Subscription[] {
    return this.subscriptions.matchAll(topic);
  }

  list(): Subscription[] {
    return [...this.byId.values()];
  }

  /**
   * Keeps the newest event of `topic`; the realm's oldest go when it holds too many or too much.
   * It keeps copies: the details and payload of `event` are those sent live, which in-process
   * publishers and subscribers share and may change later.
   */
  private retain(topic: string, event: RetainedEvent): void {
    const { maxRetainedEvents, maxRetainedBytes } = this.realm.limits;
    this.forget(topic);
    const maxDepth = this.realm.limits.maxDepth;
    event.size =
      topic.length + approximateSize(event.payload, maxDepth) + approximateSize(event.details, maxDepth);
    if (event.size === Number.POSITIVE_INFINITY) {
      this.realm.logger.warn(
        `realm ${this.realm.name}: event on ${topic} not retained: nested deeper than ${maxDepth} levels`,
      );
      return;
    }
    if (event.size > maxRetainedBytes) {
      this.realm.logger.warn(
        `realm ${this.realm.name}: event on ${topic} not retained: ${event.size} bytes is over maxRetainedBytes (${maxRetainedBytes})`,
      );
      return;
    }
    event.details = copyValue(event.details);
    event.payload = copyValue(event.payload);
    this.retained.set(topic, event);
    this.retainedBytes += event.size;
    let dropped = 0;
    for (const oldest of this.retained.keys()) {
      if (this.retained.size <= maxRetainedEvents && this.retainedBytes <= maxRetainedBytes) break;
      this.forget(oldest);
      dropped++;
    }
    if (dropped > 0)
      this.realm.logger.warn(
        `realm ${this.realm.name}: dropped the ${dropped} oldest retained event(s) (limits: ${maxRetainedEvents} events, ${maxRetainedBytes} bytes)`,
      );
  }

  private forget(topic: string): void {
    const old = this.retained.get(topic);
    if (!old) return;
    this.retained.delete(topic);
    this.retainedBytes -= old.size;
  }

  /** Retained events held: count and approximate bytes. */
  get retainedUsage(): { events: number; bytes: number } {
    return { events: this.retained.size, bytes: this.retainedBytes };
  }

  private sendRetained(session: RouterSession, sub: Subscription): void {
    const topics =
      sub.match === 'exact'
        ? [sub.uri]
        : [...this.retained.keys()].filter((t) => matches(t, sub.uri, sub.match));
    for (const topic of topics) {
      const kept = this.retained.get(topic);
      if (!kept || !kept.filter.accepts(session)) continue;
      if (sub.checked.has(session) && !this.realm.mayReceive(session, 'subscribe', topic)) continue;
      const details: EventDetails = { ...kept.details, retained: true };
      if (sub.match !== 'exact') details.topic = topic;
      // A copy each time: an in-process subscriber may change what it gets.
      session.send([M.EVENT, sub.id, kept.publication, details, ...copyValue(kept.payload)]);
      sub.events++;
    }
  }

  private detach(session: RouterSession, sub: Subscription): void {
    if (!sub.subscribers.delete(session)) return;
    sub.checked.delete(session);
    this.realm.emit('subscription-unsubscribe', session, sub);
    if (sub.subscribers.size > 0 || sub.history) return;
    this.subscriptions.delete(sub.uri, sub.match);
    this.byId.delete(sub.id);
    this.realm.emit('subscription-delete', session, sub);
  }

  /** The subscription an event history pattern keeps from the realm's start, subscribers or not. */
  private hold(history: TopicHistory): void {
    const sub: Subscription = {
      id: randomId(),
      uri: history.uri,
      match: history.match,
      created: new Date(),
      subscribers: new Set(),
      checked: new Set(),
      events: 0,
      history,
    };
    this.subscriptions.set(sub.uri, sub.match, sub);
    this.byId.set(sub.id, sub);
  }

  private sessionSubs(session: RouterSession): Set<Subscription> {
    let subs = this.bySession.get(session);
    if (!subs) this.bySession.set(session, (subs = new Set()));
    return subs;
  }
}

/**
 * Publisher identification. A trusted session (the meta API peer publishing a testament) may
 * disclose a session that has left instead of itself: option `_on_behalf_of` {session, authid, authrole}.
 */
function publisherDetails(session: RouterSession, options: PublishOptions): EventDetails {
  const of = options._on_behalf_of;
  if (
    session.trusted &&
    isDict(of) &&
    isValidId(of.session) &&
    typeof of.authid === 'string' &&
    typeof of.authrole === 'string'
  ) {
    return { publisher: of.session, publisher_authid: of.authid, publisher_authrole: of.authrole };
  }
  return disclosure(session);
}

/** Publisher or caller identification details. */
export function disclosure(session: RouterSession, prefix = 'publisher'): Dict {
  return {
    [prefix]: session.id,
    [`${prefix}_authid`]: session.identity.authid,
    [`${prefix}_authrole`]: session.identity.authrole,
  };
}
