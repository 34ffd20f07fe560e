// Event history (WAMP advanced profile): per realm, configured topic patterns whose events the
// broker keeps, so that a client can fetch what it missed with `wamp.subscription.get_events`.
// Each pattern has a router-held subscription (made when the realm starts, kept while nobody
// subscribes, as the spec suggests) and a limit of events. One publication stored for several
// patterns is held once; the realm's total is bounded by count and bytes (`maxHistoryEvents`,
// `maxHistoryBytes` in limits.ts), the realm's oldest events going first. Events published to a
// list of session IDs (`exclude` / `eligible`) are never stored: session IDs do not outlive their
// sessions, so a later reader could not be filtered by them (the spec's advice).
import { parsePublishFilter, type PublishFilter } from './publish-filter';
import type { RouterLimits } from './limits';
import type { Logger } from './session';
import { copyValue } from '../wamp/copy';
import { approximateSize } from '../wamp/depth';
import type { Dict, Payload } from '../wamp/messages';
import { isMatchPolicy, type MatchPolicy } from '../wamp/options';
import { isValidPattern } from '../wamp/uri';

export const EVENT_HISTORY_FEATURE = 'event_history';
/** Events kept for a pattern configured without a limit (Crossbar's default too). */
export const DEFAULT_HISTORY_LIMIT = 100;

/** One realm's history configuration entry: a topic pattern and how many of its events to keep. */
export interface HistoryConfig {
  uri: string;
  match?: MatchPolicy;
  /** Events kept for this pattern; default 100. */
  limit?: number;
}

const HISTORY_KEYS = ['uri', 'match', 'limit'];

/**
 * Checks one history entry given as untyped data (config file, editor form, library user):
 * throws an Error naming `where` and the problem.
 */
export function checkHistoryEntry(value: unknown, where: string): HistoryConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where} must be an object`);
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry))
    if (!HISTORY_KEYS.includes(key))
      throw new Error(`${where}: unknown key "${key}" (known: ${HISTORY_KEYS.join(', ')})`);
  const match = entry.match ?? 'exact';
  if (!isMatchPolicy(match)) throw new Error(`${where}.match must be one of exact, prefix, wildcard`);
  if (!isValidPattern(entry.uri, match))
    throw new Error(`${where}.uri ${JSON.stringify(entry.uri)} is not a valid ${match} topic pattern`);
  const limit = entry.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) > 0))
    throw new Error(`${where}.limit must be a positive integer (events kept)`);
  return entry as unknown as HistoryConfig;
}

/** Checks a realm's history list: each entry, and no pattern twice. */
export function checkHistory(value: unknown, where: string): HistoryConfig[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array`);
  const seen = new Set<string>();
  return value.map((v, i) => {
    const entry = checkHistoryEntry(v, `${where}[${i}]`);
    const key = `${entry.match ?? 'exact'} ${entry.uri}`;
    if (seen.has(key))
      throw new Error(`${where}: the ${entry.match ?? 'exact'} topic "${entry.uri}" is listed twice`);
    seen.add(key);
    return entry;
  });
}

export interface StoredEvent {
  readonly publication: number;
  /** Milliseconds since the epoch, when the broker received the PUBLISH. */
  readonly time: number;
  readonly topic: string;
  /** The EVENT details the publication gave every subscriber (disclosure, passthru options). */
  readonly details: Dict;
  /** The history's own copy: a reader gets a copy of it (see wamp/copy.ts). */
  readonly payload: Payload;
  /** The publication's authid/authrole black- and whitelists, applied to whoever reads it later. */
  readonly filter: PublishFilter | null;
  readonly size: number;
  /** The patterns holding it; it is forgotten when the last one lets it go. */
  readonly holders: Set<TopicHistory>;
}

/** The events kept for one configured pattern, oldest first. */
export class TopicHistory {
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly limit: number;
  private events: StoredEvent[] = [];
  private head = 0;

  constructor(config: HistoryConfig) {
    this.uri = config.uri;
    this.match = config.match ?? 'exact';
    this.limit = config.limit ?? DEFAULT_HISTORY_LIMIT;
  }

  get length(): number {
    return this.events.length - this.head;
  }

  /** The events held, oldest first (a copy). */
  entries(): StoredEvent[] {
    return this.events.slice(this.head);
  }

  push(event: StoredEvent): void {
    this.events.push(event);
  }

  oldest(): StoredEvent | undefined {
    return this.events[this.head];
  }

  /** Drops the oldest event; the array is compacted now and then rather than shifted each time. */
  dropOldest(): StoredEvent | undefined {
    const event = this.events[this.head];
    if (!event) return undefined;
    this.head++;
    if (this.head > 64 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    return event;
  }
}

const LIST_KEYS = ['exclude_authid', 'exclude_authrole', 'eligible_authid', 'eligible_authrole'];

export class EventHistory {
  readonly topics: readonly TopicHistory[];
  /** Every stored event, oldest first. */
  private readonly stored = new Set<StoredEvent>();
  private bytes = 0;
  private warnedFull = false;

  constructor(
    configs: readonly HistoryConfig[],
    private readonly limits: Pick<RouterLimits, 'maxHistoryEvents' | 'maxHistoryBytes' | 'maxDepth'>,
    private readonly logger: Logger,
    private readonly realm: string,
  ) {
    this.topics = checkHistory(configs, `realm ${realm}: history`).map((c) => new TopicHistory(c));
  }

  get enabled(): boolean {
    return this.topics.length > 0;
  }

  /** Events and approximate bytes held by the realm's history. */
  get usage(): { events: number; bytes: number } {
    return { events: this.stored.size, bytes: this.bytes };
  }

  /**
   * Stores one publication for the patterns it matched (`into`); `options` are the PUBLISH's.
   * `details` and `payload` are shared with the EVENTs sent (in-process, with their publisher
   * and subscribers too), so it stores copies.
   */
  record(
    into: readonly TopicHistory[],
    publication: number,
    topic: string,
    details: Dict,
    payload: Payload,
    options: Dict,
  ): void {
    if (options.exclude !== undefined || options.eligible !== undefined) return;
    const lists: Dict = { exclude_me: false };
    for (const key of LIST_KEYS) if (options[key] !== undefined) lists[key] = options[key];
    const parsed = Object.keys(lists).length > 1 ? parsePublishFilter(lists, 0) : null;
    // The broker parsed the same lists before routing the event, so this cannot fail.
    const filter = parsed && !(parsed instanceof Error) ? parsed : null;
    const { maxHistoryEvents, maxHistoryBytes, maxDepth } = this.limits;
    const size = topic.length + approximateSize(payload, maxDepth) + approximateSize(details, maxDepth) + 64;
    if (size === Number.POSITIVE_INFINITY) {
      this.logger.warn(
        `realm ${this.realm}: event on ${topic} not kept in history: nested deeper than ${maxDepth} levels`,
      );
      return;
    }
    if (size > maxHistoryBytes) {
      this.logger.warn(
        `realm ${this.realm}: event on ${topic} not kept in history: ${size} bytes is over maxHistoryBytes (${maxHistoryBytes})`,
      );
      return;
    }
    const event: StoredEvent = {
      publication,
      time: Date.now(),
      topic,
      details: copyValue(details),
      payload: copyValue(payload),
      filter,
      size,
      holders: new Set(into),
    };
    this.stored.add(event);
    this.bytes += size;
    for (const history of into) {
      history.push(event);
      if (history.length > history.limit) this.release(history, history.dropOldest());
    }
    let dropped = 0;
    while (this.stored.size > maxHistoryEvents || this.bytes > maxHistoryBytes) {
      const oldest = this.stored.values().next().value as StoredEvent;
      // Histories append in publication order, so the realm's oldest event is each holder's oldest.
      for (const history of [...oldest.holders]) {
        if (history.oldest() === oldest) history.dropOldest();
        this.release(history, oldest);
      }
      dropped++;
    }
    if (dropped > 0 && !this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn(
        `realm ${this.realm}: event history is full (limits: ${maxHistoryEvents} events, ${maxHistoryBytes} bytes); the oldest events now go first`,
      );
    }
  }

  private release(history: TopicHistory, event: StoredEvent | undefined): void {
    if (!event) return;
    event.holders.delete(history);
    if (event.holders.size > 0) return;
    this.stored.delete(event);
    this.bytes -= event.size;
  }
}
