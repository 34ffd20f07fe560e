// The registrations and subscriptions a Connection keeps across sessions: each handle given out
// stays valid while sessions come and go; every new session gets them again (`restore`).
import { ErrorUri, isWampError, WampError } from '../wamp/errors';
import type { Session } from './session';
import type {
  EventHandler,
  InvocationHandler,
  RegisterOptions,
  Registration,
  SubscribeOptions,
  Subscription,
} from './types';

export type PersistentKind = 'registration' | 'subscription';

interface Item<H> {
  kind: PersistentKind;
  uri: string;
  /** The handle on the current session, if it has one there. */
  current: H | null;
  removed: boolean;
  /** Makes the handle on a session. */
  make(session: Session): Promise<H>;
  /** Removes the handle from its session. */
  undo(handle: H): Promise<void>;
}

type AnyItem = Item<Registration> | Item<Subscription>;

export interface PersistentEvents {
  /** Re-registering or re-subscribing on a new session failed for another reason than its loss. */
  restoreError(kind: PersistentKind, uri: string, error: WampError): void;
  /** The router revoked it (it comes back on the next session). */
  revoked(kind: PersistentKind, uri: string, details: Record<string, unknown>): void;
}

function isConnectionLost(e: unknown): boolean {
  return isWampError(e) && e.uri === ErrorUri.CONNECTION_LOST;
}

function asWampError(e: unknown): WampError {
  return isWampError(e)
    ? e
    : new WampError(ErrorUri.CONNECTION_LOST, [e instanceof Error ? e.message : String(e)]);
}

export class PersistentSet {
  private readonly items = new Set<AnyItem>();

  constructor(private readonly events: PersistentEvents) {}

  register(
    session: Session | null,
    procedure: string,
    handler: InvocationHandler,
    options?: RegisterOptions,
  ): Promise<Registration> {
    const item: Item<Registration> = {
      kind: 'registration',
      uri: procedure,
      current: null,
      removed: false,
      make: (s) => s.register(procedure, handler, options),
      undo: (r) => r.unregister(),
    };
    return this.add(session, item).then(() => ({
      procedure,
      get id() {
        return item.current?.id;
      },
      unregister: () => this.remove(item),
    }));
  }

  subscribe(
    session: Session | null,
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    const item: Item<Subscription> = {
      kind: 'subscription',
      uri: topic,
      current: null,
      removed: false,
      make: (s) => s.subscribe(topic, handler, options),
      undo: (sub) => sub.unsubscribe(),
    };
    return this.add(session, item).then(() => ({
      topic,
      get id() {
        return item.current?.id;
      },
      unsubscribe: () => this.remove(item),
    }));
  }

  /** Makes every item again on a fresh session; settles when all have answered. */
  async restore(session: Session): Promise<void> {
    const jobs = [...this.items].map((item) =>
      (item as Item<unknown>).make(session).then(
        (handle) => {
          // Removed while the router was answering: take it back off.
          if (item.removed) void (item as Item<unknown>).undo(handle).catch(() => undefined);
          else (item as Item<unknown>).current = handle;
        },
        (e: unknown) => {
          // A lost session is reported by the status; the next session tries again.
          if (!isConnectionLost(e)) this.events.restoreError(item.kind, item.uri, asWampError(e));
        },
      ),
    );
    await Promise.allSettled(jobs);
  }

  /** The session is gone: no item has a handle any more. */
  detachAll(): void {
    for (const item of this.items) item.current = null;
  }

  /** The router revoked handles of `kind`: those whose id the session has cleared lose them. */
  revoked(kind: PersistentKind, details: Record<string, unknown>): void {
    for (const item of this.items) {
      if (item.kind === kind && item.current && item.current.id === undefined) {
        item.current = null;
        this.events.revoked(kind, item.uri, details);
      }
    }
  }

  private async add<H>(session: Session | null, item: Item<H>): Promise<void> {
    if (session?.isOpen) {
      try {
        item.current = await item.make(session);
      } catch (e) {
        // Refused by the router: not kept. Lost with the session: the next one restores it.
        if (!isConnectionLost(e)) throw e;
      }
    }
    this.items.add(item as AnyItem);
  }

  /** A lost session leaves the handle valid until here; removing it ends it for good. */
  private async remove<H>(item: Item<H>): Promise<void> {
    item.removed = true;
    this.items.delete(item as AnyItem);
    const current = item.current;
    item.current = null;
    if (!current) return;
    try {
      await item.undo(current);
    } catch (e) {
      if (!isConnectionLost(e)) throw e;
    }
  }
}
