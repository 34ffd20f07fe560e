// The broker: subscriptions (exact, prefix, wildcard; one ID per topic+match, shared by all its
// subscribers), publications with publisher exclusion/identification, black- and whitelisting,
// and event retention.
import { Matcher } from './matcher';
import { parsePublishFilter, type PublishFilter } from './publish-filter';
import type { Realm } from './realm';
import type { RouterSession } from './session';
import { ErrorUri, WampError } from '../wamp/errors';
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
import { isMatchPolicy, matches, type MatchPolicy } from '../wamp/uri';

export const BROKER_FEATURES = [
  'pattern_based_subscription',
  'publisher_exclusion',
  'publisher_identification',
  'subscriber_blackwhite_listing',
  'event_retention',
];

export interface Subscription {
  readonly id: number;
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly created: Date;
  readonly subscribers: Set<RouterSession>;
  /** EVENTs delivered to its subscribers so far (retained ones included). */
  events: number;
}

interface RetainedEvent {
  publication: number;
  /** Publisher disclosure, if it asked for it. */
  details: Dict;
  payload: Payload;
  filter: PublishFilter;
}

export class Broker {
  private readonly subscriptions = new Matcher<Subscription>();
  private readonly byId = new Map<number, Subscription>();
  private readonly bySession = new Map<RouterSession, Set<Subscription>>();
  private readonly retained = new Map<string, RetainedEvent>();

  constructor(private readonly realm: Realm) {}

  subscribe(session: RouterSession, msg: SubscribeMessage): void {
    const [, request, options, topic] = msg;
    const match = options.match ?? 'exact';
    if (!isMatchPolicy(match)) return session.sendError(M.SUBSCRIBE, request, invalidMatch(match));
    const refused = this.realm.permit(session, 'subscribe', topic, match);
    if (refused) return session.sendError(M.SUBSCRIBE, request, refused);

    let sub = this.subscriptions.get(topic, match);
    const created = !sub;
    if (!sub) {
      sub = { id: randomId(), uri: topic, match, created: new Date(), subscribers: new Set(), events: 0 };
      this.subscriptions.set(topic, match, sub);
      this.byId.set(sub.id, sub);
    }
    const added = !sub.subscribers.has(session);
    sub.subscribers.add(session);
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
    const refused = this.realm.permit(session, 'publish', topic);
    if (refused) return fail(refused);
    const filter = parsePublishFilter(options, session.id);
    if (filter instanceof WampError) return fail(filter);

    const publication = randomId();
    const details: Dict = options.disclose_me === true ? publisherDetails(session, options) : {};
    const eventPayload = msg.slice(4) as Payload;
    for (const sub of this.subscriptions.matchAll(topic)) {
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
        // One too long for this subscriber's transport is skipped (and logged by the session).
        if (receiver.send(event)) sub.events++;
      }
    }
    if (options.retain === true)
      this.retained.set(topic, { publication, details, payload: eventPayload, filter });
    if (options.acknowledge === true) session.send([M.PUBLISHED, request, publication]);
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

  private sendRetained(session: RouterSession, sub: Subscription): void {
    const topics =
      sub.match === 'exact'
        ? [sub.uri]
        : [...this.retained.keys()].filter((t) => matches(t, sub.uri, sub.match));
    for (const topic of topics) {
      const kept = this.retained.get(topic);
      if (!kept || !kept.filter.accepts(session)) continue;
      const details: Dict = { ...kept.details, retained: true };
      if (sub.match !== 'exact') details.topic = topic;
      session.send([M.EVENT, sub.id, kept.publication, details, ...kept.payload]);
      sub.events++;
    }
  }

  private detach(session: RouterSession, sub: Subscription): void {
    if (!sub.subscribers.delete(session)) return;
    this.realm.emit('subscription-unsubscribe', session, sub);
    if (sub.subscribers.size > 0) return;
    this.subscriptions.delete(sub.uri, sub.match);
    this.byId.delete(sub.id);
    this.realm.emit('subscription-delete', session, sub);
  }

  private sessionSubs(session: RouterSession): Set<Subscription> {
    let subs = this.bySession.get(session);
    if (!subs) this.bySession.set(session, (subs = new Set()));
    return subs;
  }
}

export function invalidMatch(match: unknown): WampError {
  return new WampError(ErrorUri.INVALID_ARGUMENT, [`unknown match policy ${JSON.stringify(match)}`]);
}

/**
 * Publisher identification. A trusted session (the meta API peer publishing a testament) may
 * disclose a session that has left instead of itself: option `_on_behalf_of` {session, authid, authrole}.
 */
function publisherDetails(session: RouterSession, options: Dict): Dict {
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
