// MQTT topic names and filters <-> WAMP URIs and subscriptions: levels become URI components
// (`a/b/c` <-> `a.b.c`), `+` an empty wildcard component (`a/+/c` <-> wildcard `a..c`), and a
// trailing `#` the prefix `a.` together with `a` itself (`a/#` matches `a` and everything below
// it). WAMP prefixes match character-wise, so the prefix keeps its dot (`a` would also match
// `ab.c`); and a role that grants `a.` as a prefix grants the MQTT filter `a/#` as it reads.
import type { MatchPolicy } from '../wamp/options';
import { isValidPattern, isValidUri } from '../wamp/uri';

export interface WampSubscription {
  uri: string;
  match: MatchPolicy;
  /** `a` of `a/#`: subscribed when the role allows, the filter stands on the prefix alone. */
  optional?: boolean;
}

/** `a/b/c` -> `a.b.c`, or undefined when the topic is no valid (concrete) WAMP URI. */
export function topicToUri(topic: string): string | undefined {
  if (topic.length === 0 || /[+#.]/.test(topic)) return undefined;
  const uri = topic.replaceAll('/', '.');
  return isValidUri(uri) ? uri : undefined;
}

/** `a.b.c` -> `a/b/c`. */
export function uriToTopic(uri: string): string {
  return uri.replaceAll('.', '/');
}

/**
 * An MQTT subscription filter as WAMP subscriptions (the first one required), or undefined when
 * WAMP cannot express it
 * (a level with `.`, `+` together with `#`, a `#` that is not the whole last level, `#` alone, `$`
 * topics).
 */
export function filterToSubscriptions(filter: string): WampSubscription[] | undefined {
  if (filter.length === 0 || filter.includes('.') || filter.startsWith('$')) return undefined;
  const levels = filter.split('/');
  const hashAt = levels.indexOf('#');
  if (hashAt >= 0) {
    if (hashAt !== levels.length - 1 || levels.some((l) => l === '+')) return undefined;
    if (levels.slice(0, -1).some((l) => l.includes('#') || l.includes('+') || l === '')) return undefined;
    // `#` alone would be a subscription to every topic, which WAMP cannot express.
    const base = levels.slice(0, -1).join('.');
    if (!isValidUri(base)) return undefined;
    return [
      { uri: `${base}.`, match: 'prefix' },
      { uri: base, match: 'exact', optional: true },
    ];
  }
  if (levels.some((l) => l !== '+' && (l === '' || l.includes('+') || l.includes('#')))) return undefined;
  if (levels.includes('+')) {
    const uri = levels.map((l) => (l === '+' ? '' : l)).join('.');
    return isValidPattern(uri, 'wildcard') ? [{ uri, match: 'wildcard' }] : undefined;
  }
  const uri = levels.join('.');
  return isValidUri(uri) ? [{ uri, match: 'exact' }] : undefined;
}
