// One MQTT client's subscriptions. A filter stands on one or two WAMP subscriptions (see
// topics.ts), and filters that map to the same URI and match share one, as the router gives them
// one ID. An EVENT becomes at most one MQTT delivery: the router sends an EVENT per matching
// subscription, and an MQTT client with overlapping filters expects the message once, at the
// highest QoS its matching filters were granted.

type QoS = 0 | 1;

/** Publications recently delivered, to drop the second EVENT of overlapping subscriptions. */
const RECENT = 64;

export class SubscriptionTable {
  private readonly filters = new Map<string, { qos: QoS; ids: number[] }>();
  private readonly byId = new Map<number, { filters: Set<string>; uri?: string }>();
  /** A ring of the last RECENT publications delivered, and the same as a set. */
  private readonly recent: number[] = new Array(RECENT).fill(-1);
  private recentAt = 0;
  private readonly recentSet = new Set<number>();

  /** A filter the router granted, on these WAMP subscriptions (`uri` for exact ones). */
  add(filter: string, qos: QoS, subscriptions: Array<{ id: number; exactUri?: string }>): void {
    this.remove(filter);
    this.filters.set(filter, { qos, ids: subscriptions.map((s) => s.id) });
    for (const s of subscriptions) {
      let entry = this.byId.get(s.id);
      if (!entry) this.byId.set(s.id, (entry = { filters: new Set(), uri: s.exactUri }));
      entry.filters.add(filter);
    }
  }

  has(filter: string): boolean {
    return this.filters.has(filter);
  }

  /** Whether a WAMP subscription still serves some filter. */
  inUse(subscription: number): boolean {
    return this.byId.has(subscription);
  }

  /** Forgets a filter; returns the WAMP subscriptions no other filter uses (to unsubscribe). */
  remove(filter: string): number[] {
    const f = this.filters.get(filter);
    if (!f) return [];
    this.filters.delete(filter);
    const unused: number[] = [];
    for (const id of f.ids) {
      const entry = this.byId.get(id);
      entry?.filters.delete(filter);
      if (entry?.filters.size === 0) {
        this.byId.delete(id);
        unused.push(id);
      }
    }
    return unused;
  }

  /** The router revoked a subscription: filters that stood on it are gone. */
  revoke(subscription: number): void {
    for (const filter of [...(this.byId.get(subscription)?.filters ?? [])]) this.remove(filter);
    this.byId.delete(subscription);
  }

  /** What to deliver for an EVENT: the concrete URI and QoS, or undefined for nothing. */
  deliver(
    subscription: number,
    publication: number,
    topic: string | undefined,
  ): { uri: string; qos: QoS } | undefined {
    const entry = this.byId.get(subscription);
    const uri = topic ?? entry?.uri;
    if (!entry || uri === undefined) return undefined;
    let qos: QoS = 0;
    for (const name of entry.filters) qos = Math.max(qos, this.filters.get(name)!.qos) as QoS;
    // On a single WAMP subscription no publication can arrive twice: no need to remember it.
    if (this.byId.size === 1) return { uri, qos };
    if (this.recentSet.has(publication)) return undefined;
    this.recentSet.delete(this.recent[this.recentAt]);
    this.recent[this.recentAt] = publication;
    this.recentAt = (this.recentAt + 1) % RECENT;
    this.recentSet.add(publication);
    return { uri, qos };
  }
}
