// Subscriptions and registrations keyed by URI and match policy. Publishing needs every entry
// that matches a topic; calling needs the single best one, by the spec's precedence: exact, then
// the longest prefix, then the wildcard with the longest runs of literal components.
import type { MatchPolicy } from '../wamp/options';
import { matchesWildcard } from '../wamp/uri';

export class Matcher<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefix = new Map<string, T>();
  /** Wildcard patterns grouped by component count: only those can match a URI of that length. */
  private readonly wildcard = new Map<number, Map<string, T>>();

  get(uri: string, match: MatchPolicy): T | undefined {
    if (match === 'wildcard') return this.wildcard.get(componentCount(uri))?.get(uri);
    return this.table(match).get(uri);
  }

  set(uri: string, match: MatchPolicy, item: T): void {
    if (match !== 'wildcard') {
      this.table(match).set(uri, item);
      return;
    }
    const n = componentCount(uri);
    let group = this.wildcard.get(n);
    if (!group) this.wildcard.set(n, (group = new Map()));
    group.set(uri, item);
  }

  delete(uri: string, match: MatchPolicy): void {
    if (match !== 'wildcard') {
      this.table(match).delete(uri);
      return;
    }
    const n = componentCount(uri);
    const group = this.wildcard.get(n);
    group?.delete(uri);
    if (group?.size === 0) this.wildcard.delete(n);
  }

  /** Every entry matching `uri`: exact first, then prefixes (shortest first), then wildcards. */
  matchAll(uri: string): T[] {
    const out: T[] = [];
    const exact = this.exact.get(uri);
    if (exact !== undefined) out.push(exact);
    if (this.prefix.size > 0) {
      // One lookup per prefix of the URI beats a scan once there are many prefix entries.
      for (let i = 1; i <= uri.length; i++) {
        const item = this.prefix.get(uri.slice(0, i));
        if (item !== undefined) out.push(item);
      }
    }
    const group = this.wildcard.get(componentCount(uri));
    if (group) for (const [pattern, item] of group) if (matchesWildcard(uri, pattern)) out.push(item);
    return out;
  }

  /** The single entry a call to `uri` is routed to, or undefined. */
  best(uri: string): T | undefined {
    const exact = this.exact.get(uri);
    if (exact !== undefined) return exact;
    if (this.prefix.size > 0) {
      for (let i = uri.length; i >= 1; i--) {
        const item = this.prefix.get(uri.slice(0, i));
        if (item !== undefined) return item;
      }
    }
    const group = this.wildcard.get(componentCount(uri));
    if (!group) return undefined;
    let best: { item: T; rank: number[] } | undefined;
    for (const [pattern, item] of group) {
      if (!matchesWildcard(uri, pattern)) continue;
      const rank = literalRuns(pattern);
      if (!best || compareRanks(rank, best.rank) > 0) best = { item, rank };
    }
    return best?.item;
  }

  *values(): IterableIterator<T> {
    yield* this.exact.values();
    yield* this.prefix.values();
    for (const group of this.wildcard.values()) yield* group.values();
  }

  private table(match: 'exact' | 'prefix'): Map<string, T> {
    return match === 'exact' ? this.exact : this.prefix;
  }
}

function componentCount(uri: string): number {
  let n = 1;
  for (let i = 0; i < uri.length; i++) if (uri.charCodeAt(i) === 46) n++;
  return n;
}

/** Lengths of the runs of literal components between wildcards: `a.b..d` → [2, 1]. */
export function literalRuns(pattern: string): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const part of pattern.split('.')) {
    if (part === '') {
      runs.push(run);
      run = 0;
    } else run++;
  }
  runs.push(run);
  return runs;
}

/** Lexicographic: the pattern with the longer first literal run wins, then the second, ... */
function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
