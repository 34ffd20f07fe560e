// The router's own session in a realm: it joins over the in-process transport like any client,
// registers the meta procedures through the ordinary dealer and publishes meta events through
// the ordinary broker, so the routing path has no special cases for the meta API. Being trusted
// it may use the `wamp.` namespace; being internal it is hidden from session lists and counts.
import type { Realm } from '../realm';
import type { AcceptOptions, Logger, RouterSession } from '../session';
import type { Transport } from '../../transports/transport';
import { CloseUri, ErrorUri, errorStack, WampError } from '../../wamp/errors';
import {
  MessageType as M,
  payload,
  payloadOf,
  type Args,
  type Dict,
  type InvocationMessage,
  type Kwargs,
  type WampMessage,
} from '../../wamp/messages';

export interface MetaCall {
  readonly args: Args;
  readonly kwargs: Kwargs;
  /** The calling session, known whether or not it disclosed itself. */
  readonly caller: RouterSession;
}

/** A meta procedure: returns the positional results, or throws a `WampError`. */
export type Procedure = (call: MetaCall) => Args | undefined;
export type Procedures = Record<string, Procedure>;

/** What the meta API modules use of their peer. */
export interface MetaContext {
  readonly realm: Realm;
  publish(topic: string, args: Args, kwargs?: Kwargs, options?: Dict): void;
  /** Listens to a realm event for as long as the peer lives. */
  on(event: string, listener: RealmListener): void;
}

export type RealmListener = (session: RouterSession, item: never) => void;

/** What the meta peer needs from its router. */
export interface MetaHost {
  connectLocal(options: AcceptOptions): Transport;
  readonly logger: Logger;
}

export class MetaPeer implements MetaContext {
  /** Resolves once the peer's transport has closed (router close, realm removal). */
  readonly closed: Promise<void>;
  private readonly transport: Transport;
  private readonly logger: Logger;
  private session: RouterSession | undefined;
  private readonly procedures = new Map<string, Procedure>();
  private readonly byRegistration = new Map<number, Procedure>();
  /** REGISTER request ID → procedure URI, until REGISTERED. */
  private readonly registering = new Map<number, string>();
  private readonly listeners: Array<[string, (...args: unknown[]) => void]> = [];
  private lastRequest = 0;
  private resolveClosed!: () => void;

  constructor(
    host: MetaHost,
    readonly realm: Realm,
  ) {
    this.logger = host.logger;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.transport = host.connectLocal({ trusted: true, internal: true });
    this.transport.attach({
      onMessage: (value) => this.guard(() => this.receive(value as WampMessage)),
      onDecodeError: () => {},
      onClose: () => this.onClosed(),
    });
    this.transport.send([
      M.HELLO,
      realm.name,
      { roles: { callee: { features: {} }, publisher: { features: {} } } },
    ]);
  }

  /** Adds procedures; they are registered once the peer has joined. */
  provide(procedures: Procedures): void {
    for (const [uri, procedure] of Object.entries(procedures)) {
      this.procedures.set(uri, procedure);
      if (this.session) this.register(uri);
    }
  }

  /**
   * Publishes through the broker. The router handles the peer's HELLO before anything sent
   * after it, so this works from the start, before WELCOME has come back.
   */
  publish(topic: string, args: Args, kwargs?: Kwargs, options: Dict = {}): void {
    if (!this.transport.isOpen) return;
    this.transport.send([M.PUBLISH, ++this.lastRequest, options, topic, ...payload(args, kwargs)]);
  }

  on(event: string, listener: RealmListener): void {
    const guarded = (...args: unknown[]) =>
      this.guard(() => (listener as (...a: unknown[]) => void)(...args));
    this.realm.on(event, guarded);
    this.listeners.push([event, guarded]);
  }

  private receive(msg: WampMessage): void {
    switch (msg[0]) {
      case M.WELCOME:
        this.session = this.realm.sessions.get(msg[1]);
        for (const uri of this.procedures.keys()) this.register(uri);
        return;
      case M.REGISTERED: {
        const uri = this.registering.get(msg[1]);
        this.registering.delete(msg[1]);
        const procedure = uri === undefined ? undefined : this.procedures.get(uri);
        if (procedure) this.byRegistration.set(msg[2], procedure);
        return;
      }
      case M.INVOCATION:
        return this.invoke(msg);
      case M.ERROR:
        this.logger.error(`meta API of realm ${this.realm.name}: request ${msg[2]} failed: ${msg[4]}`);
        return;
      case M.GOODBYE:
        this.transport.send([M.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
        this.transport.close(1000, 'meta peer done');
        return;
      case M.ABORT:
        this.logger.error(`meta API of realm ${this.realm.name}: aborted: ${msg[2]}`);
        this.transport.close(1000, 'meta peer aborted');
        return;
      default:
        return;
    }
  }

  private register(uri: string): void {
    const request = ++this.lastRequest;
    this.registering.set(request, uri);
    this.transport.send([M.REGISTER, request, {}, uri]);
  }

  private invoke(msg: InvocationMessage): void {
    const [, id, registration] = msg;
    const { args = [], kwargs = {} } = payloadOf(msg, 4);
    const procedure = this.byRegistration.get(registration);
    // INVOCATION names the caller only when it asked to be disclosed; the dealer knows it always.
    const caller = this.session && this.realm.dealer.callerOf(this.session, id);
    if (!procedure)
      return this.fail(
        id,
        new WampError(ErrorUri.NO_SUCH_PROCEDURE, [`no meta procedure for registration ${registration}`]),
      );
    // The caller has left: the dealer drops whatever the answer is.
    if (!caller) return this.fail(id, new WampError(ErrorUri.CANCELED, ['the caller left']));
    let result: Args | undefined;
    try {
      result = procedure({ args, kwargs, caller });
    } catch (e) {
      if (e instanceof WampError) return this.fail(id, e);
      this.logger.error(`meta procedure failed: ${errorStack(e)}`);
      return this.fail(id, new WampError(ErrorUri.RUNTIME_ERROR, ['internal error in the meta API']));
    }
    this.transport.send([M.YIELD, id, {}, ...payload(result ?? [])]);
  }

  private fail(invocation: number, error: WampError): void {
    this.transport.send([
      M.ERROR,
      M.INVOCATION,
      invocation,
      error.details,
      error.uri,
      ...payload(error.args, error.kwargs),
    ]);
  }

  private onClosed(): void {
    for (const [event, listener] of this.listeners) this.realm.off(event, listener);
    this.listeners.length = 0;
    this.session = undefined;
    this.resolveClosed();
  }

  /** A failure in the meta API must never break the router code that emitted the event. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger.error(`meta API of realm ${this.realm.name}: ${errorStack(e)}`);
    }
  }
}
