// Registrations and subscriptions that outlive a session: a Connection asks every new session
// for them again, and the handle given to the user stays valid throughout. Register and
// subscribe differ only in what they ask the session, so one generic set serves both.
import { ErrorUri, isWampError, toWampError, type WampError } from '../wamp/errors';
import type { Session } from './session';

/**
 * Told what each session makes of a persistent registration or subscription. `reconnect` is
 * false for the first session after open() and true for the sessions that follow a loss.
 */
export interface PersistentWatch {
  /** A session accepted it. */
  accepted?(reconnect: boolean): void;
  /** A session refused it; it stays wanted, and the next session asks again. */
  refused?(error: WampError, reconnect: boolean): void;
  /** The router revoked it (`details`: the UNREGISTERED/UNSUBSCRIBED details, with `reason`); the next session asks again. */
  revoked?(details: Record<string, unknown>): void;
}

export type PersistentKind = 'registration' | 'subscription';

/** What a session hands back for one registration or subscription (its id, and how to undo it). */
export interface SessionHandle {
  readonly id: number | undefined;
}

/** One wanted registration or subscription: how to ask a session for it, and its current handle. */
export interface PersistentItem<H extends SessionHandle> {
  /** The procedure or topic, for events. */
  readonly uri: string;
  /** Asks a session for it. */
  readonly ask: (session: Session) => Promise<H>;
  readonly watch?: PersistentWatch;
  /** The handle on the current session; null between sessions or while refused. */
  current: H | null;
  removed: boolean;
}

/** A WampError as it is: anything else thrown on the way is a lost connection. */
export function asWampError(e: unknown): WampError {
  return toWampError(e, ErrorUri.CONNECTION_LOST);
}

const isLost = (e: unknown): boolean => isWampError(e) && e.uri === ErrorUri.CONNECTION_LOST;

export interface PersistentEvents {
  /** A new session refused an item (the watch heard it too). */
  restoreError(info: { kind: PersistentKind; uri: string; error: WampError; reconnect: boolean }): void;
  /** The router revoked an item; it comes back on the next session. */
  revoked(info: { kind: PersistentKind; uri: string; details: Record<string, unknown> }): void;
}

/** The wanted registrations, or the wanted subscriptions, of one Connection. */
export class PersistentSet<H extends SessionHandle> {
  private readonly items = new Set<PersistentItem<H>>();

  /** `undo` unregisters or unsubscribes a handle. */
  constructor(
    readonly kind: PersistentKind,
    private readonly undo: (handle: H) => Promise<void>,
    private readonly events: PersistentEvents,
  ) {}

  /**
   * Asks the open session now (if any) and keeps the item for every new session. Without a
   * `watch`, a refusal by the open session rejects and the item is not kept; with one, the
   * refusal goes to `watch.refused` and the item stays wanted.
   */
  async add(
    session: Session | null,
    uri: string,
    ask: (session: Session) => Promise<H>,
    watch?: PersistentWatch,
  ): Promise<PersistentItem<H>> {
    const item: PersistentItem<H> = { uri, ask, watch, current: null, removed: false };
    if (session?.isOpen) {
      try {
        item.current = await ask(session);
        watch?.accepted?.(false);
      } catch (e) {
        // Lost with the session: the next one restores it.
        if (!isLost(e)) {
          if (!watch) throw e;
          watch.refused?.(asWampError(e), false);
        }
      }
    }
    this.items.add(item);
    return item;
  }

  /** No longer wanted: undone on the current session; a lost session already forgot it. */
  async remove(item: PersistentItem<H>): Promise<void> {
    item.removed = true;
    this.items.delete(item);
    const current = item.current;
    item.current = null;
    if (!current) return;
    try {
      await this.undo(current);
    } catch (e) {
      if (!isLost(e)) throw e;
    }
  }

  /** Asks a fresh session for every item; settles once each has its answer. */
  restore(session: Session, reconnect: boolean): Promise<void>[] {
    return [...this.items].map((item) =>
      item.ask(session).then(
        (handle) => {
          if (item.removed) return void this.undo(handle).catch(() => undefined);
          item.current = handle;
          item.watch?.accepted?.(reconnect);
        },
        (e: unknown) => {
          const error = asWampError(e);
          // A lost session is reported by the status; the next session tries again.
          if (error.uri === ErrorUri.CONNECTION_LOST || item.removed) return;
          item.watch?.refused?.(error, reconnect);
          this.events.restoreError({ kind: this.kind, uri: item.uri, error, reconnect });
        },
      ),
    );
  }

  /** The session revoked some of them: those whose handle lost its id. */
  revoked(details: Record<string, unknown>): void {
    for (const item of this.items) {
      if (item.current && item.current.id === undefined) {
        item.current = null;
        item.watch?.revoked?.(details);
        this.events.revoked({ kind: this.kind, uri: item.uri, details });
      }
    }
  }

  /** The session is gone: no handle is current until the next one. */
  detach(): void {
    for (const item of this.items) item.current = null;
  }
}
