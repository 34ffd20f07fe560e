// Embedded routers of this Node-RED runtime, by wamp-router node id, so that a wamp-connection
// can reach one in-process. Deploy order is not guaranteed: a connection may start before its
// router node, or outlive a router being redeployed, hence the waiting.
import type { Router } from './library';

const routers = new Map<string, Router>();
const waiters = new Map<string, Set<(router: Router) => void>>();

export function publishRouter(id: string, router: Router): void {
  routers.set(id, router);
  const waiting = waiters.get(id);
  waiters.delete(id);
  for (const w of waiting ?? []) w(router);
}

/** Removes the router, unless another one has already taken its place under that id. */
export function withdrawRouter(id: string, router: Router): void {
  if (routers.get(id) === router) routers.delete(id);
}

export function findRouter(id: string): Router | undefined {
  return routers.get(id);
}

/** Resolves with the router once published; rejects after `timeoutMs` so that a retry can follow. */
export function waitForRouter(id: string, timeoutMs: number): Promise<Router> {
  const found = routers.get(id);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    let set = waiters.get(id);
    if (!set) waiters.set(id, (set = new Set()));
    const waiter = (router: Router): void => {
      clearTimeout(timer);
      resolve(router);
    };
    const timer = setTimeout(() => {
      set.delete(waiter);
      if (set.size === 0 && waiters.get(id) === set) waiters.delete(id);
      reject(new Error(`the wamp-router node ${id} is not running`));
    }, timeoutMs);
    set.add(waiter);
  });
}

/** Every running router, by node id: what the editor's router view lists. */
export function listRouters(): Map<string, Router> {
  return new Map(routers);
}
