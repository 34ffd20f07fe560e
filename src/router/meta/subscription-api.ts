// Subscription meta API: list, lookup, match, get, list_subscribers, count_subscribers, and the
// on_create / on_subscribe / on_unsubscribe / on_delete events. Subscriptions held only by the
// router's own sessions are not reported.
import type { MetaContext, Procedures } from './meta-peer';
import { revocationReason } from './registration-api';
import { idArg, matchOption, stringArg } from './args';
import type { Subscription } from '../broker';
import type { RouterSession } from '../session';
import { ErrorUri, WampError } from '../../wamp/errors';
import type { Dict } from '../../wamp/messages';

export const SUBSCRIPTION_META_FEATURE = 'subscription_meta_api';

export function subscriptionApi(meta: MetaContext): Procedures {
  const broker = meta.realm.broker;
  const event = (name: string, details: (s: RouterSession, sub: Subscription) => unknown) =>
    meta.on(`subscription-${name}`, (s: RouterSession, sub: Subscription) => {
      if (!s.internal) meta.publish(`wamp.subscription.on_${name}`, [s.id, details(s, sub)]);
    });
  event('create', (_s, sub) => subscriptionDetails(sub));
  event('subscribe', (_s, sub) => sub.id);
  event('unsubscribe', (_s, sub) => sub.id);
  event('delete', (_s, sub) => sub.id);

  const find = (id: number): Subscription => {
    const sub = broker.get(id);
    if (!sub || !visible(sub)) throw new WampError(ErrorUri.NO_SUCH_SUBSCRIPTION, [`no subscription ${id}`]);
    return sub;
  };
  const subscribers = (sub: Subscription) => [...sub.subscribers].filter((s) => !s.internal);
  const revoke = (sub: Subscription, subscriber: RouterSession, reason: string): void => {
    broker.revoke(sub, subscriber, reason);
    meta.realm.revocations.add({
      at: new Date(),
      kind: 'subscription',
      id: sub.id,
      uri: sub.uri,
      match: sub.match,
      session: subscriber.id,
      authid: subscriber.authid,
      reason,
    });
  };

  return {
    'wamp.subscription.list': () => {
      const lists: Record<string, number[]> = { exact: [], prefix: [], wildcard: [] };
      for (const sub of broker.list()) if (visible(sub)) lists[sub.match].push(sub.id);
      return [lists];
    },
    'wamp.subscription.lookup': ({ args }) => {
      const sub = broker.lookup(stringArg(args, 0, 'topic'), matchOption(args[1]));
      return [sub && visible(sub) ? sub.id : null];
    },
    // The spec's result is nullable: null when nothing matches.
    'wamp.subscription.match': ({ args }) => {
      const ids = broker
        .match(stringArg(args, 0, 'topic'))
        .filter(visible)
        .map((sub) => sub.id);
      return [ids.length > 0 ? ids : null];
    },
    'wamp.subscription.get': ({ args }) => [subscriptionDetails(find(idArg(args, 0, 'subscription')))],
    'wamp.subscription.list_subscribers': ({ args }) => [
      subscribers(find(idArg(args, 0, 'subscription'))).map((s) => s.id),
    ],
    'wamp.subscription.remove': ({ args, kwargs }) => {
      const sub = find(idArg(args, 0, 'subscription'));
      const gone = subscribers(sub);
      for (const s of gone) revoke(sub, s, revocationReason(kwargs));
      return [gone.length];
    },
    'wamp.subscription.remove_subscriber': ({ args, kwargs }) => {
      const sub = find(idArg(args, 0, 'subscription'));
      const subscriber = subscribers(sub).find((s) => s.id === idArg(args, 1, 'subscriber'));
      if (!subscriber)
        throw new WampError(ErrorUri.NO_SUCH_SESSION, [`session ${String(args[1])} is no subscriber of it`]);
      revoke(sub, subscriber, revocationReason(kwargs));
      return [1];
    },
    'wamp.subscription.count_subscribers': ({ args }) => [
      subscribers(find(idArg(args, 0, 'subscription'))).length,
    ],
  };
}

/** Reported when a client holds it, or when it is an event history's (held by the router for clients). */
export function visible(sub: Subscription): boolean {
  return sub.history !== undefined || [...sub.subscribers].some((s) => !s.internal);
}

export function subscriptionDetails(sub: Subscription): Dict {
  return { id: sub.id, created: sub.created.toISOString(), uri: sub.uri, match: sub.match };
}
