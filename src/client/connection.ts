// A Connection keeps one session alive: it opens a transport, joins, and after a loss retries
// with exponential backoff and jitter, going round a list of routers when given several.
// Registrations and subscriptions made through it are persistent (see PersistentSet).
import { EventEmitter } from 'node:events';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SerializerId } from '../serializers';
import type { Transport } from '../transports/transport';
import { ErrorUri, WampError, isWampError } from '../wamp/errors';
import type { ClientCredentials } from './auth';
import { CANNOT_AUTHENTICATE } from './auth';
import { backoffDelay, resolveReconnect, type ReconnectOptions, type ReconnectSettings } from './backoff';
import { PersistentSet } from './persistent';
import { RouterList } from './router-list';
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
  /**
   * ws://, wss://, rs:// or rss://; or several (the routers of a cluster), tried in order: a
   * failed attempt or a lost session moves on to the next, with the backoff growing per round.
   */
  url?: string | readonly string[];
  /** Instead of url: an in-process transport, e.g. `() => router.connectLocal()`. */
  transportFactory?: () => Transport | Promise<Transport>;
  realm: string;
  serializer?: SerializerId;
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  /** WebSocket ping / RawSocket PING every this many ms, so that a dead link is noticed; 0 or absent: none. */
  keepaliveMs?: number;
  /** How long the router has to answer a ping before the link counts as dead; default keepaliveMs. */
  keepaliveTimeoutMs?: number;
  /**
   * Longest message in bytes, either way (default 16 MiB). A longer request is refused with
   * `wamp.error.payload_size_exceeded` and the session stays; a longer message from the router
   * fails the connection (WebSocket close 1009, RawSocket: announced in the handshake).
   */
  maxMessageSize?: number;
  /** A retry, for maxRetries and the backoff, is one round over the list of URLs. */
  reconnect?: ReconnectOptions;
  /** 0 (default): publishing while disconnected rejects; N: hold up to N, dropping the oldest. */
  publishQueue?: number;
}

/** `url`: the router tried, joined or lost (absent with a transportFactory). */
export type ConnectionStatus =
  | { state: 'connecting'; attempt: number; url?: string }
  | {
      state: 'connected';
      realm: string;
      sessionId: number;
      details: Record<string, unknown>;
      url?: string;
    }
  | { state: 'disconnected'; reason: string; retryInMs?: number; url?: string; error?: WampError }
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
  /** Failed attempts since the last session; a round over the routers is one retry. */
  private failures = 0;
  /** Fatal refusals in a row: fatal only once every router of the list has refused. */
  private fatalStreak = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly reconnect: ReconnectSettings;
  private readonly routers: RouterList | null;
  private readonly persistent: PersistentSet;
  private queue: QueuedPublish[] = [];
  private dropped = 0;

  constructor(private readonly options: ConnectionOptions) {
    super();
    if (!options.url && !options.transportFactory)
      throw new TypeError('Connection needs a url or a transportFactory');
    this.routers = options.transportFactory ? null : new RouterList(options.url!);
    this.reconnect = resolveReconnect(options.reconnect);
    this.persistent = new PersistentSet({
      restoreError: (kind, uri, error) => this.emit('restoreError', { kind, uri, error }),
      revoked: (kind, uri, details) => this.emit('revoked', { kind, uri, details }),
    });
  }

  /** The routers this connection goes round, in order (empty with a transportFactory). */
  get urls(): readonly string[] {
    return this.routers?.urls ?? [];
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
    this.failures = 0;
    this.fatalStreak = 0;
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
        // Reconnecting turned off: no further attempt is coming.
        else if (s.state === 'disconnected' && s.retryInMs === undefined && !this.running)
          done(s.error ?? new WampError(ErrorUri.CONNECTION_LOST, [s.reason]));
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
    this.persistent.detachAll();
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

  /** Persistent: made again on every new session; the handle stays valid until unregister(). */
  register(procedure: string, handler: InvocationHandler, options?: RegisterOptions): Promise<Registration> {
    return this.persistent.register(this._session, procedure, handler, options);
  }

  /** Persistent: made again on every new session; the handle stays valid until unsubscribe(). */
  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    return this.persistent.subscribe(this._session, topic, handler, options);
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

  private openTransport(url: string | undefined): Promise<Transport> {
    const o = this.options;
    if (url === undefined) return Promise.resolve().then(() => o.transportFactory!());
    return connectUrl({
      url,
      serializer: o.serializer ?? 'json',
      tls: o.tls,
      connectTimeoutMs: o.connectTimeoutMs,
      keepaliveMs: o.keepaliveMs,
      keepaliveTimeoutMs: o.keepaliveTimeoutMs,
      maxPayload: o.maxMessageSize,
    });
  }

  private async connect(gen: number): Promise<void> {
    this.attempt++;
    const url = this.routers?.current;
    this.setStatus({ state: 'connecting', attempt: this.attempt, url });
    let transport: Transport;
    try {
      transport = await this.openTransport(url);
    } catch (e) {
      const err = asWampError(e);
      // The transport's own words ("Cannot connect to ...: connection refused") say it best.
      if (gen === this.generation)
        this.retry(typeof err.args[0] === 'string' ? err.args[0] : err.message, err, false, url);
      return;
    }
    if (gen !== this.generation) return transport.close(1000, 'connection closed');
    const session = new Session(transport, this.options);
    this.joining = session;
    session.on('close', (info: SessionCloseInfo) => this.sessionClosed(session, info, gen, url));
    session.on(
      'revoked',
      (kind: 'registration' | 'subscription', _id: number, details: Record<string, unknown>) =>
        this.persistent.revoked(kind, details),
    );
    try {
      await session.join();
    } catch (e) {
      if (gen !== this.generation) return;
      this.joining = null;
      const err = asWampError(e);
      this.retry(err.uri, err, FATAL_REASONS.has(err.uri), url);
      return;
    }
    this.joining = null;
    if (gen !== this.generation) return void session.leave();
    this._session = session;
    await this.restore(session);
    if (this._session !== session || !session.isOpen) return;
    this.attempt = 0;
    this.failures = 0;
    this.fatalStreak = 0;
    this.setStatus({
      state: 'connected',
      realm: session.realm,
      sessionId: session.id!,
      details: session.details,
      url,
    });
  }

  /** Re-registers, re-subscribes and sends queued publishes on a fresh session. */
  private async restore(session: Session): Promise<void> {
    const restored = this.persistent.restore(session);
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) session.publish(q.topic, q.args, q.kwargs, q.options).then(q.resolve, q.reject);
    await restored;
  }

  private sessionClosed(session: Session, info: SessionCloseInfo, gen: number, url?: string): void {
    if (this._session !== session) return;
    this._session = null;
    this.persistent.detachAll();
    if (gen === this.generation) this.retry(info.reason, info.error, false, url);
  }

  /** After a failed attempt or a lost session: the next router's turn, after the backoff. */
  private retry(reason: string, error?: WampError, fatal = false, url?: string): void {
    if (!this.running) return;
    const gen = this.generation;
    const rc = this.reconnect;
    const size = this.routers?.size ?? 1;
    this.routers?.advance();
    // One router refusing for good says nothing of the others: fatal once all of them have.
    this.fatalStreak = fatal ? this.fatalStreak + 1 : 0;
    if (fatal && this.fatalStreak >= size) {
      this.fatalStreak = 0;
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
      this.setStatus({ state: 'disconnected', reason, url, error });
      return;
    }
    this.failures++;
    const round = Math.ceil(this.failures / size);
    if (round > rc.maxRetries) {
      this.running = false;
      this.setStatus({ state: 'failed', reason: `gave up after ${rc.maxRetries} retries: ${reason}`, error });
      return;
    }
    const delay = backoffDelay(rc, round);
    this.setStatus({ state: 'disconnected', reason, retryInMs: delay, url, error });
    this.timer = setTimeout(() => void this.connect(gen), delay);
  }
}
