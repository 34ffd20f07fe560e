// A Connection keeps one session alive: it opens a transport, joins, and after a loss retries
// with exponential backoff and jitter (Autobahn's Connection). Registrations and subscriptions
// made through it are persistent (persistent.ts: each new session gets them again, and their
// handles stay valid), and publications may wait for the next session (publish-queue.ts).
import { EventEmitter } from 'node:events';
import type { Transport } from '../transports/transport';
import { ErrorUri, WampError } from '../wamp/errors';
import { backoffDelay, resolveReconnect, type ReconnectSettings } from './backoff';
import { type ConnectionOptions, type ConnectionStatus, FATAL_REASONS } from './connection-options';
import { asWampError, PersistentSet, type PersistentWatch } from './persistent';
import { failedCallStream, type CallStream } from './call-stream';
import { notSent } from './caller';
import { PublishQueue } from './publish-queue';
import { RouterList } from './router-list';
import { Session, type SessionCloseInfo } from './session';
import type {
  CallHandle,
  CallOptions,
  CallReceiver,
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
export { type ConnectionOptions, type ConnectionStatus, FATAL_REASONS } from './connection-options';
export type { PersistentWatch } from './persistent';

function notConnected(): WampError {
  return new WampError(ErrorUri.CONNECTION_LOST, ['not connected']);
}

/**
 * Events: 'status' (ConnectionStatus); 'publishDropped' ({topic, reason: 'count' | 'bytes',
 * queued}) when the publish queue drops a publication; 'revoked' ({kind, uri, details}) when the router revokes
 * a registration or subscription (it comes back on the next session); 'restoreError'
 * ({kind, uri, error, reconnect}) when a new session refuses a registration or subscription.
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
  /** Sessions established since open(): after the first, a new session is a reconnect. */
  private sessions = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly reconnect: ReconnectSettings;
  private readonly routers: RouterList | null;
  private readonly regs: PersistentSet<Registration>;
  private readonly subs: PersistentSet<Subscription>;
  private readonly queue: PublishQueue;

  constructor(private readonly options: ConnectionOptions) {
    super();
    if (!options.url && !options.transportFactory)
      throw new TypeError('Connection needs a url or a transportFactory');
    this.reconnect = resolveReconnect(options.reconnect);
    this.routers = options.transportFactory ? null : new RouterList(options.url!);
    this.queue = new PublishQueue(
      options.publishQueue ?? 0,
      options.publishQueueBytes ?? 0,
      (topic, reason, queued) => this.emit('publishDropped', { topic, reason, queued }),
    );
    const events = {
      restoreError: (info: unknown) => this.emit('restoreError', info),
      revoked: (info: unknown) => this.emit('revoked', info),
    };
    this.regs = new PersistentSet<Registration>('registration', (r) => r.unregister(), events);
    this.subs = new PersistentSet<Subscription>('subscription', (s) => s.unsubscribe(), events);
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
    return this.queue.dropped;
  }

  /** Publications held while disconnected, waiting for the next session. */
  get queuedPublishes(): number {
    return this.queue.length;
  }

  open(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.attempt = 0;
    this.failures = 0;
    this.fatalStreak = 0;
    this.sessions = 0;
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
        else if (s.state === 'disconnected' && s.retryInMs === undefined && !this.running)
          done(s.error ?? new WampError(ErrorUri.CONNECTION_LOST, [s.reason]));
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
    this.queue.rejectAll('connection closed');
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

  /**
   * `call` with its outcome told to `receiver` (see Session.start); not connected, the receiver
   * hears so at once.
   */
  start(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Record<string, unknown> | undefined,
    options: CallOptions,
    receiver: CallReceiver,
  ): CallHandle {
    const s = this._session;
    return s?.isOpen
      ? s.start(procedure, args, kwargs, options, receiver)
      : notSent(receiver, notConnected());
  }

  /** Progressive call invocations on the current session (see Session.callProgressive). */
  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): CallStream {
    const s = this._session;
    return s?.isOpen
      ? s.callProgressive(procedure, args, kwargs, options)
      : failedCallStream(procedure, notConnected());
  }

  /**
   * Registers now if connected, and again on every new session. Without a `watch`, a refusal by
   * the open session rejects and the registration is not kept; with one, the refusal goes to
   * `watch.refused` and the registration stays wanted (each new session asks again).
   */
  async register(
    procedure: string,
    handler: InvocationHandler,
    options?: RegisterOptions,
    watch?: PersistentWatch,
  ): Promise<Registration> {
    const ask = (s: Session): Promise<Registration> => s.register(procedure, handler, options);
    const item = await this.regs.add(this._session, procedure, ask, watch);
    const regs = this.regs;
    return {
      procedure,
      get id() {
        return item.current?.id;
      },
      unregister: () => regs.remove(item),
    };
  }

  /** Subscribes now if connected, and again on every new session; `watch` as for register(). */
  async subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
    watch?: PersistentWatch,
  ): Promise<Subscription> {
    const ask = (s: Session): Promise<Subscription> => s.subscribe(topic, handler, options);
    const item = await this.subs.add(this._session, topic, ask, watch);
    const subs = this.subs;
    return {
      topic,
      get id() {
        return item.current?.id;
      },
      unsubscribe: () => subs.remove(item),
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
    if (this.queue.maxCount <= 0 || !this.running) return Promise.reject(notConnected());
    return this.queue.add(topic, args, kwargs, options);
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
        (kind === 'registration' ? this.regs : this.subs).revoked(details),
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
    this.sessions++;
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
    const reconnect = this.sessions > 1;
    const jobs = [...this.regs.restore(session, reconnect), ...this.subs.restore(session, reconnect)];
    this.queue.flush(session);
    await Promise.allSettled(jobs);
  }

  private detachAll(): void {
    this.regs.detach();
    this.subs.detach();
  }

  private sessionClosed(session: Session, info: SessionCloseInfo, gen: number, url?: string): void {
    if (this._session !== session) return;
    this._session = null;
    this.detachAll();
    if (gen === this.generation) this.retry(info.reason, info.error, false, url);
  }

  /** Stops retrying: nothing will send what the queue holds. */
  private stop(reason: string): void {
    this.running = false;
    this.queue.rejectAll(reason);
  }

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
        this.stop(reason);
        return;
      }
      this.timer = setTimeout(() => void this.connect(gen), rc.slowRetryMs);
      return;
    }
    if (!rc.enabled) {
      this.stop(reason);
      this.setStatus({ state: 'disconnected', reason, url, error });
      return;
    }
    this.failures++;
    const round = Math.ceil(this.failures / size);
    if (round > rc.maxRetries) {
      this.stop(reason);
      this.setStatus({
        state: 'failed',
        reason: `gave up after ${rc.maxRetries} retries: ${reason}`,
        error,
        gaveUp: true,
      });
      return;
    }
    const delay = backoffDelay(rc, round);
    this.setStatus({ state: 'disconnected', reason, retryInMs: delay, url, error });
    this.timer = setTimeout(() => void this.connect(gen), delay);
  }
}
