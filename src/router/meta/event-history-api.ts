// `wamp.subscription.get_events`: the event history of a subscription (see event-history.ts).
// Called as the spec has it, `[subscription]` with the filters in ArgumentsKw (limit, reverse,
// from_/after_/before_/until_time, from_/after_/before_/until_publication, topic), events come
// oldest first unless `reverse`. Called as Crossbar has it, `[subscription, limit]`, the newest
// `limit` events come newest first, as Crossbar returns them. The caller must be allowed to
// subscribe to the subscription's topic pattern (wamp.error.not_authorized otherwise); events
// its role may not receive, and events whose publisher left it out by authid or authrole, are
// left out. A subscription without a configured history is `wamp.error.history_unavailable`.
import type { MetaContext, Procedures } from './meta-peer';
import { idArg, invalid } from './args';
import { visible } from './subscription-api';
import type { Subscription } from '../broker';
import type { StoredEvent } from '../event-history';
import { copyValue } from '../../wamp/copy';
import { ErrorUri, WampError } from '../../wamp/errors';
import { isValidId } from '../../wamp/ids';
import type { Args, Dict, Kwargs } from '../../wamp/messages';

interface HistoryQuery {
  limit?: number;
  reverse: boolean;
  topic?: string;
  fromTime?: number;
  afterTime?: number;
  beforeTime?: number;
  untilTime?: number;
  fromPublication?: number;
  afterPublication?: number;
  beforePublication?: number;
  untilPublication?: number;
}

export function eventHistoryApi(meta: MetaContext): Procedures {
  const realm = meta.realm;
  return {
    'wamp.subscription.get_events': ({ args, kwargs, caller }) => {
      const id = idArg(args, 0, 'subscription');
      const sub = realm.broker.get(id);
      if (!sub || !visible(sub))
        throw new WampError(ErrorUri.NO_SUCH_SUBSCRIPTION, [`no subscription ${id}`]);
      // Reading the history is receiving its events: the caller must be allowed to subscribe.
      const grant = realm.permitPattern(caller, 'subscribe', sub.uri, sub.match);
      if (grant instanceof WampError) throw grant;
      if (!sub.history)
        throw new WampError(ErrorUri.HISTORY_UNAVAILABLE, [
          `no event history is kept for the ${sub.match} topic "${sub.uri}"`,
        ]);
      const query = parseQuery(args, kwargs);
      const readable = (e: StoredEvent): boolean =>
        (!e.filter || e.filter.accepts(caller)) &&
        (grant === 'all' || realm.mayReceive(caller, 'subscribe', e.topic));
      return [select(sub.history.entries(), query, readable).map((e) => historyItem(sub, e))];
    },
  };
}

/** The spec's history item: the event as its subscribers got it, with the time it was published. */
function historyItem(sub: Subscription, e: StoredEvent): Dict {
  const item: Dict = {
    timestamp: new Date(e.time).toISOString(),
    subscription: sub.id,
    publication: e.publication,
    topic: e.topic,
    details: sub.match === 'exact' ? { ...e.details } : { ...e.details, topic: e.topic },
  };
  // Copies: an in-process caller may change what it gets, and the history must stay as published.
  if (e.payload.length > 0) item.args = copyValue(e.payload[0]);
  if (e.payload.length > 1) item.kwargs = copyValue(e.payload[1]);
  return item;
}

/**
 * The events of `all` (oldest first) the query selects. A publication ID the history no longer
 * holds (or never held) counts as older than every event held: `after_`/`from_publication` then
 * select from the start, `before_`/`until_publication` select nothing.
 */
function select(all: StoredEvent[], q: HistoryQuery, readable: (e: StoredEvent) => boolean): StoredEvent[] {
  let start = 0;
  let end = all.length;
  const at = (publication: number) => all.findIndex((e) => e.publication === publication);
  if (q.fromPublication !== undefined) start = Math.max(start, at(q.fromPublication));
  if (q.afterPublication !== undefined) start = Math.max(start, at(q.afterPublication) + 1);
  if (q.beforePublication !== undefined) end = Math.min(end, Math.max(0, at(q.beforePublication)));
  if (q.untilPublication !== undefined) end = Math.min(end, at(q.untilPublication) + 1);
  const picked = all
    .slice(start, Math.max(start, end))
    .filter(
      (e) =>
        (q.fromTime === undefined || e.time >= q.fromTime) &&
        (q.afterTime === undefined || e.time > q.afterTime) &&
        (q.beforeTime === undefined || e.time < q.beforeTime) &&
        (q.untilTime === undefined || e.time <= q.untilTime) &&
        (q.topic === undefined || e.topic === q.topic) &&
        readable(e),
    );
  if (q.reverse) picked.reverse();
  return q.limit === undefined ? picked : picked.slice(0, q.limit);
}

function parseQuery(args: Args, kwargs: Kwargs): HistoryQuery {
  const positional = args[1] !== undefined && args[1] !== null;
  const limit = positional ? args[1] : kwargs.limit;
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && (limit as number) > 0))
    throw invalid('limit must be a positive integer');
  const reverse = kwargs.reverse ?? positional;
  if (typeof reverse !== 'boolean') throw invalid('reverse must be a boolean');
  const topic = kwargs.topic ?? undefined;
  if (topic !== undefined && typeof topic !== 'string') throw invalid('topic must be a URI');
  return {
    limit: (limit as number | null | undefined) ?? undefined,
    reverse,
    topic,
    fromTime: timeArg(kwargs, 'from_time'),
    afterTime: timeArg(kwargs, 'after_time'),
    beforeTime: timeArg(kwargs, 'before_time'),
    untilTime: timeArg(kwargs, 'until_time'),
    fromPublication: publicationArg(kwargs, 'from_publication'),
    afterPublication: publicationArg(kwargs, 'after_publication'),
    beforePublication: publicationArg(kwargs, 'before_publication'),
    untilPublication: publicationArg(kwargs, 'until_publication'),
  };
}

/** An RFC 3339 timestamp as milliseconds since the epoch. */
function timeArg(kwargs: Kwargs, key: string): number | undefined {
  const v = kwargs[key];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' && RFC3339.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalid(`${key} must be an RFC 3339 timestamp, such as 2026-01-31T12:00:00.000Z`);
  return ms;
}

const RFC3339 = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/;

function publicationArg(kwargs: Kwargs, key: string): number | undefined {
  const v = kwargs[key];
  if (v === undefined || v === null) return undefined;
  if (!isValidId(v)) throw invalid(`${key} must be a publication ID`);
  return v;
}
