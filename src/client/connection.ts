// A Connection keeps one session alive: it opens a transport, joins, and after a loss retries
// with exponential backoff and jitter. Registrations and subscriptions made through it are
// persistent: each new session gets them again, and their handles stay valid.
import { EventEmitter } from 'node:events';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SerializerId } from '../serializers';
import type { Transport } from '../transports/transport';
import { ErrorUri, WampError, isWampError } from '../wamp/errors';
import type { ClientCredentials } from './auth';
import { CANNOT_AUTHENTICATE } from './auth';
import { backoffDelay, resolveReconnect, type ReconnectOptions, type ReconnectSettings } from './backoff';
import { Session, type SessionCloseInfo } from './session';
import type {
  CallOptions,
  CallResult,
  EventHandler,
  InvocationHandler,
  PublishOptions,
  PublishResult,
  RegisterOptions,
  Registration,
  SubscribeOptions,
  Subscription,
} from './types';
import { connectUrl } from './url-transport';

export type { ReconnectOptions } from './backoff';

export interface ConnectionOptions extends ClientCredentials {
  /** ws://, wss://, rs://, rss://, or http:// and https:// (HTTP long-poll) */
  url?: string;
  /** Instead of url: an in-process transport, e.g. `() => router.connectLocal()`. */
  transportFactory?: () => Transport | Promise<Transport>;
  realm: string;
  serializer?: SerializerId;
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  keepaliveMs?: number;
  reconnect?: ReconnectOptions;
  /** 0 (default): publishing while disconnected rejects; N: hold up to N, dropping the oldest. */
  publishQueue?: number;
}

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'connected'; realm: string; sessionId: number; details: Record<string, unknown> }
  | { state: 'disconnected'; reason: string; retryInMs?: number }
  | { state: 'failed'; reason: string; error?: WampError }
  | { state: 'closed' };

/** ABORT reasons that retrying at the normal pace cannot cure. */
export const FATAL_REASONS: ReadonlySet<string> = new Set([
  ErrorUri.NO_SUCH_REALM,
  ErrorUri.AUTHENTICATION_FAILED,
  ErrorUri.NOT_AUTHORIZED,
  ErrorUri.NO_AUTH_METHOD,
  ErrorUri.NO_MATCHING_AUTH_METHOD,
  CANNOT_AUTHENTICATE,
]);

interface Persistent<H> {
  current: H | null;
  removed: boolean;
}
interface PersistentRegistration extends Persistent<Registration> {
  procedure: string;
  handler: InvocationHandler;
  options?: RegisterOptions;
}
interface PersistentSubscription extends Persistent<Subscription> {
  topic: string;
  handler: EventHandler;
  options?: SubscribeOptions;
}
interface QueuedPublish {
  topic: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  options?: PublishOptions;
  resolve(r: PublishResult): void;
  reject(e: WampError): void;
}

function notConnected(): WampError {
  return new WampError(ErrorUri.CONNECTION_LOST, ['not connected']);
}

function asWampError(e: unknown): WampError {
  return isWampError(e)
    ? e
    : new WampError(ErrorUri.CONNECTION_LOST, [e instanceof Error ? e.message : String(e)]);
}

/** A lost session leaves the handle valid; the next session restores it. */
async function undo(
  current: { unregister?(): Promise<void>; unsubscribe?(): Promise<void> } | null,
): Promise<void> {
  if (!current) return;
  try {
    await (current.unregister ? current.unregister() : current.unsubscribe?.());
  } catch (e) {
    if (!isWampError(e) || e.uri !== ErrorUri.CONNECTION_LOST) throw e;
  }
}

/**
 * Events: 'status' (ConnectionStatus); 'revoked' ({kind, uri, details}) when the router revokes
 * a registration or subscription (it comes back on the next session); 'restoreError'
 * ({kind, uri, error}) when re-registering or re-subscribing after a reconnect fails.
 */
export class Connection extends EventEmitter {
  private _status: ConnectionStatus = { state: 'closed' };
  private _session: Session | null = null;
  private joining: Session | null = null;
  private running = false;
  /** Bumped by open() and close(), so that continuations of an older run do nothing. */
  private generation = 0;
  private attempt = 0;
  private retries = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly reconnect: ReconnectSettings;
  private readonly regs = new Set<PersistentRegistration>();
  private readonly subs = new Set<PersistentSubscription>();
  private queue: QueuedPublish[] = [];
  private dropped = 0;

  constructor(private readonly options: ConnectionOptions) {
    super();
    if (!options.url && !options.transportFactory)
      throw new TypeError('Connection needs a url or a transportFactory');
    this.reconnect = resolveReconnect(options.reconnect);
  }

  get status(): ConnectionStatus {
    return this._status;
  }

  /** The established session, if any. */
  get session(): Session | null {
    return this._session;
  }

  get droppedPublishes(): number {
    return this.dropped;
  }

  open(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.attempt = 0;
    this.retries = 0;
    void this.connect(this.generation);
  }

  /**
   * Resolves once the connection is (or already was) connected; rejects with the reason when it
   * fails or is closed first, or after `timeoutMs`.
   */
  connected(timeoutMs = 30_000): Promise<void> {
    if (this.status.state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.off('status', onStatus);
        if (err) reject(err);
        else resolve();
      };
      const onStatus = (s: ConnectionStatus): void => {
        if (s.state === 'connected') done();
        else if (s.state === 'failed') done(s.error ?? new WampError(ErrorUri.CONNECTION_LOST, [s.reason]));
        else if (s.state === 'closed') done(new WampError(ErrorUri.CONNECTION_LOST, ['connection closed']));
      };
      const timer = setTimeout(
        () => done(new WampError(ErrorUri.TIMEOUT, [`not connected within ${timeoutMs} ms`])),
        timeoutMs,
      );
      this.on('status', onStatus);
    });
  }

  /** GOODBYE, stop retrying, settle everything. Persistent registrations are kept for a later open(). */
  async close(): Promise<void> {
    this.running = false;
    this.generation++;
    clearTimeout(this.timer);
    const session = this._session ?? this.joining;
    this._session = null;
    this.joining = null;
    this.detachAll();
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) q.reject(new WampError(ErrorUri.CONNECTION_LOST, ['connection closed']));
    if (session) await session.leave();
    if (!this.running) this.setStatus({ state: 'closed' });
  }

  call(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<CallResult> {
    const s = this._session;
    return s?.isOpen ? s.call(procedure, args, kwargs, options) : Promise.reject(notConnected());
  }

  async register(
    procedure: string,
    handler: InvocationHandler,
    options?: RegisterOptions,
  ): Promise<Registration> {
    const item: PersistentRegistration = { procedure, handler, options, current: null, removed: false };
    const s = this._session;
    if (s?.isOpen) {
      try {
        item.current = await s.register(procedure, handler, options);
      } catch (e) {
        // Refused by the router: not kept. Lost with the session: the next one restores it.
        if (!isWampError(e) || e.uri !== ErrorUri.CONNECTION_LOST) throw e;
      }
    }
    this.regs.add(item);
    const regs = this.regs;
    return {
      procedure,
      get id() {
        return item.current?.id;
      },
      unregister: async () => {
        item.removed = true;
        regs.delete(item);
        const current = item.current;
        item.current = null;
        await undo(current);
      },
    };
  }

  async subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    const item: PersistentSubscription = { topic, handler, options, current: null, removed: false };
    const s = this._session;
    if (s?.isOpen) {
      try {
        item.current = await s.subscribe(topic, handler, options);
      } catch (e) {
        if (!isWampError(e) || e.uri !== ErrorUri.CONNECTION_LOST) throw e;
      }
    }
    this.subs.add(item);
    const subs = this.subs;
    return {
      topic,
      get id() {
        return item.current?.id;
      },
      unsubscribe: async () => {
        item.removed = true;
        subs.delete(item);
        const current = item.current;
        item.current = null;
        await undo(current);
      },
    };
  }

  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    const s = this._session;
    if (s?.isOpen) return s.publish(topic, args, kwargs, options);
    const max = this.options.publishQueue ?? 0;
    if (max <= 0 || !this.running) return Promise.reject(notConnected());
    return new Promise<PublishResult>((resolve, reject) => {
      this.queue.push({ topic, args, kwargs, options, resolve, reject });
      while (this.queue.length > max) {
        this.dropped++;
        this.queue
          .shift()
          ?.reject(
            new WampError(ErrorUri.CONNECTION_LOST, ['publish dropped: queue full while disconnected']),
          );
      }
    });
  }

  private setStatus(s: ConnectionStatus): void {
    this._status = s;
    this.emit('status', s);
  }

  private openTransport(): Promise<Transport> {
    const o = this.options;
    if (o.transportFactory) return Promise.resolve().then(() => o.transportFactory!());
    return connectUrl({
      url: o.url!,
      serializer: o.serializer ?? 'json',
      tls: o.tls,
      connectTimeoutMs: o.connectTimeoutMs,
      keepaliveMs: o.keepaliveMs,
    });
  }

  private async connect(gen: number): Promise<void> {
    this.attempt++;
    this.setStatus({ state: 'connecting', attempt: this.attempt });
    let transport: Transport;
    try {
      transport = await this.openTransport();
    } catch (e) {
      const err = asWampError(e);
      // The transport's own words ("Cannot connect to ...: connection refused") say it best.
      if (gen === this.generation)
        this.retry(typeof err.args[0] === 'string' ? err.args[0] : err.message, err);
      return;
    }
    if (gen !== this.generation) return transport.close(1000, 'connection closed');
    const session = new Session(transport, this.options);
    this.joining = session;
    session.on('close', (info: SessionCloseInfo) => this.sessionClosed(session, info, gen));
    session.on(
      'revoked',
      (kind: 'registration' | 'subscription', _id: number, details: Record<string, unknown>) =>
        this.revoked(kind, details),
    );
    try {
      await session.join();
    } catch (e) {
      if (gen !== this.generation) return;
      this.joining = null;
      const err = asWampError(e);
      this.retry(err.uri, err, FATAL_REASONS.has(err.uri));
      return;
    }
    this.joining = null;
    if (gen !== this.generation) return void session.leave();
    this._session = session;
    await this.restore(session);
    if (this._session !== session || !session.isOpen) return;
    this.attempt = 0;
    this.retries = 0;
    this.setStatus({
      state: 'connected',
      realm: session.realm,
      sessionId: session.id!,
      details: session.details,
    });
  }

  /** Re-registers, re-subscribes and sends queued publishes on a fresh session. */
  private async restore(session: Session): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const item of this.regs) {
      jobs.push(
        session.register(item.procedure, item.handler, item.options).then(
          (r) => (item.removed ? void r.unregister().catch(() => undefined) : void (item.current = r)),
          (e: unknown) => this.restoreFailed('registration', item.procedure, e),
        ),
      );
    }
    for (const item of this.subs) {
      jobs.push(
        session.subscribe(item.topic, item.handler, item.options).then(
          (s) => (item.removed ? void s.unsubscribe().catch(() => undefined) : void (item.current = s)),
          (e: unknown) => this.restoreFailed('subscription', item.topic, e),
        ),
      );
    }
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) session.publish(q.topic, q.args, q.kwargs, q.options).then(q.resolve, q.reject);
    await Promise.allSettled(jobs);
  }

  private restoreFailed(kind: 'registration' | 'subscription', uri: string, e: unknown): void {
    const error = asWampError(e);
    // A lost session is reported by the status; the next session tries again.
    if (error.uri !== ErrorUri.CONNECTION_LOST) this.emit('restoreError', { kind, uri, error });
  }

  private revoked(kind: 'registration' | 'subscription', details: Record<string, unknown>): void {
    const items: Iterable<Persistent<Registration | Subscription> & { procedure?: string; topic?: string }> =
      kind === 'registration' ? this.regs : this.subs;
    for (const item of items) {
      if (item.current && item.current.id === undefined) {
        item.current = null;
        this.emit('revoked', { kind, uri: item.procedure ?? item.topic, details });
      }
    }
  }

  private detachAll(): void {
    for (const item of this.regs) item.current = null;
    for (const item of this.subs) item.current = null;
  }

  private sessionClosed(session: Session, info: SessionCloseInfo, gen: number): void {
    if (this._session !== session) return;
    this._session = null;
    this.detachAll();
    if (gen === this.generation) this.retry(info.reason, info.error);
  }

  private retry(reason: string, error?: WampError, fatal = false): void {
    if (!this.running) return;
    const gen = this.generation;
    const rc = this.reconnect;
    if (fatal) {
      this.setStatus({ state: 'failed', reason, error });
      if (rc.onFatal === 'stop' || !rc.enabled) {
        this.running = false;
        return;
      }
      this.timer = setTimeout(() => void this.connect(gen), rc.slowRetryMs);
      return;
    }
    if (!rc.enabled) {
      this.running = false;
      this.setStatus({ state: 'disconnected', reason });
      return;
    }
    this.retries++;
    if (this.retries > rc.maxRetries) {
      this.running = false;
      this.setStatus({ state: 'failed', reason: `gave up after ${rc.maxRetries} retries: ${reason}`, error });
      return;
    }
    const delay = backoffDelay(rc, this.retries);
    this.setStatus({ state: 'disconnected', reason, retryInMs: delay });
    this.timer = setTimeout(() => void this.connect(gen), delay);
  }
}
