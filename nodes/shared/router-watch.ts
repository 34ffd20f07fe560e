// Keeps the editor's router view live: samples every running router's message rates once a
// second and publishes a router's snapshot on Node-RED's comms channel when it has changed
// since the last one published (so at most once a second, and not at all while idle), and the
// list of routers when it changes. The caller owns the timer and calls `tick`.
import { RateSampler } from './rate-sampler';
import type { Router } from './library';
import { findRouter, listRouters } from './router-registry';
import { routerSnapshot, snapshotsDiffer, type RouterSnapshot } from './router-snapshot';

export const TOPIC_PREFIX = 'wamp-router-view/';
export const LIST_TOPIC = `${TOPIC_PREFIX}routers`;

export interface RouterSummary {
  id: string;
  name: string;
  sessionCount: number;
  realms: string[];
}

export class RouterWatch {
  private readonly samplers = new Map<string, { router: Router; sampler: RateSampler }>();
  private readonly published = new Map<string, RouterSnapshot>();
  private publishedList = '';

  constructor(
    /** The wamp-router node's display name. */
    private readonly nameOf: (id: string) => string,
    private readonly publish: (topic: string, data: unknown) => void,
  ) {}

  tick(): void {
    const routers = listRouters();
    for (const [id, entry] of this.samplers) {
      if (routers.get(id) === entry.router) continue;
      // Gone or redeployed: a new router starts a new series.
      this.samplers.delete(id);
      if (!routers.has(id)) {
        this.published.delete(id);
        this.publish(TOPIC_PREFIX + id, null);
      }
    }
    for (const [id, router] of routers) {
      this.sampler(id, router).sample();
      const snapshot = this.snapshot(id)!;
      if (snapshotsDiffer(this.published.get(id), snapshot)) {
        this.published.set(id, snapshot);
        this.publish(TOPIC_PREFIX + id, snapshot);
      }
    }
    const list = this.list();
    const json = JSON.stringify(list);
    if (json !== this.publishedList) {
      this.publishedList = json;
      this.publish(LIST_TOPIC, list);
    }
  }

  list(): RouterSummary[] {
    return [...listRouters()].map(([id, router]) => ({
      id,
      name: this.nameOf(id),
      sessionCount: router.sessionCount,
      realms: router.realmNames(),
    }));
  }

  snapshot(id: string): RouterSnapshot | undefined {
    const router = findRouter(id);
    if (!router) return undefined;
    const sampler = this.sampler(id, router);
    return routerSnapshot(id, this.nameOf(id), router, (realm) => sampler.rates(realm));
  }

  private sampler(id: string, router: Router): RateSampler {
    let entry = this.samplers.get(id);
    if (!entry || entry.router !== router)
      this.samplers.set(id, (entry = { router, sampler: new RateSampler(router) }));
    return entry.sampler;
  }
}
