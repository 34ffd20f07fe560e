// One WAMP session over one transport: the protocol state machine. HELLO → (CHALLENGE ↔
// AUTHENTICATE)* → WELCOME | ABORT; then role messages go to the role that owns them; GOODBYE
// either way ends it. Everything the router sends is validated by parseMessage first (except
// in-process from this library's own router, which built it from validated messages), and any
// breach of the protocol is answered with ABORT and the transport closed.
import { EventEmitter } from 'node:events';
import { CloseUri, ErrorUri, errorMessage, isWampError, toWampError, WampError } from '../wamp/errors';
import { peerHasFeature, roleDetails } from '../wamp/features';
import { IdSequence } from '../wamp/ids';
import {
  MessageName,
  MessageType,
  payloadOf,
  type Dict,
  type ErrorMessage,
  type WampMessage,
} from '../wamp/messages';
import { parseMessage } from '../wamp/parse';
import { fromOwnRouter } from '../transports/local';
import type { CloseInfo, Transport } from '../transports/transport';
import { answerChallenge, helloAuth, type ClientCredentials } from './auth';
import { Callee } from './callee';
import type { CallStream } from './call-stream';
import { Caller } from './caller';
import { Publisher } from './publisher';
import type { RoleContext } from './role';
import { Subscriber } from './subscriber';
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

/** What this client really supports, announced in HELLO and nothing more. */
export const CLIENT_ROLES = roleDetails({
  caller: [
    'caller_identification',
    'progressive_call_results',
    'call_canceling',
    'call_timeout',
    'payload_passthru_mode',
    'progressive_call_invocations',
  ],
  callee: [
    'caller_identification',
    'pattern_based_registration',
    'shared_registration',
    'progressive_call_results',
    'call_canceling',
    'registration_revocation',
    'payload_passthru_mode',
    'progressive_call_invocations',
  ],
  publisher: [
    'publisher_identification',
    'subscriber_blackwhite_listing',
    'publisher_exclusion',
    'payload_passthru_mode',
  ],
  subscriber: [
    'publisher_identification',
    'pattern_based_subscription',
    'subscription_revocation',
    'payload_passthru_mode',
  ],
});

export const AGENT = 'node-red-contrib-wamp';

/** How long leave() waits for the router's GOODBYE before closing the transport anyway. */
const GOODBYE_TIMEOUT_MS = 2000;

export interface SessionOptions extends ClientCredentials {
  realm: string;
}

export type SessionState = 'new' | 'joining' | 'established' | 'closing' | 'closed';

export interface SessionCloseInfo {
  /** A WAMP URI (GOODBYE/ABORT reason) or a transport's close reason. */
  reason: string;
  /** Set when the session ended in error: ABORT, protocol violation, lost transport. */
  error?: WampError;
  /** True when the router ended the session (GOODBYE or ABORT from it). */
  byRouter: boolean;
}

/**
 * Events: 'close' (SessionCloseInfo) exactly once after join() was called;
 * 'revoked' (kind, id, details) when the router revokes a registration or subscription.
 */
export class Session extends EventEmitter {
  private state: SessionState = 'new';
  private readonly ids = new IdSequence();
  private welcome: { id: number; details: Dict } | null = null;
  private closeInfo: SessionCloseInfo | null = null;
  private joinWaiter: { resolve(): void; reject(e: WampError): void } | null = null;
  private goodbyeTimer: NodeJS.Timeout | undefined;
  private readonly caller: Caller;
  private readonly callee: Callee;
  private readonly publisher: Publisher;
  private readonly subscriber: Subscriber;
  /** In-process with this library's router, whose messages need no second validation. */
  private readonly trusted: boolean;

  constructor(
    private readonly transport: Transport,
    private readonly options: SessionOptions,
  ) {
    super();
    this.trusted = fromOwnRouter(transport);
    const ctx = this.roleContext();
    this.caller = new Caller(ctx);
    this.callee = new Callee(ctx);
    this.publisher = new Publisher(ctx);
    this.subscriber = new Subscriber(ctx);
  }

  get id(): number | undefined {
    return this.welcome?.id;
  }

  get realm(): string {
    return this.options.realm;
  }

  /** WELCOME.Details: authid, authrole, authmethod, roles, ... */
  get details(): Dict {
    return this.welcome?.details ?? {};
  }

  get isOpen(): boolean {
    return this.state === 'established';
  }

  get currentState(): SessionState {
    return this.state;
  }

  /** Sends HELLO; resolves on WELCOME, rejects with the ABORT's (or the failure's) WampError. */
  join(): Promise<void> {
    if (this.state !== 'new')
      return Promise.reject(new WampError(ErrorUri.PROTOCOL_VIOLATION, ['join() called twice']));
    this.state = 'joining';
    const joined = new Promise<void>((resolve, reject) => (this.joinWaiter = { resolve, reject }));
    this.transport.attach({
      onMessage: (v) => this.receive(v),
      onDecodeError: (e) => this.violation(`undecodable message: ${e}`),
      onClose: (info) => this.transportClosed(info),
    });
    let auth: ReturnType<typeof helloAuth>;
    try {
      auth = helloAuth(this.options);
    } catch (e) {
      const err = toWampError(e, ErrorUri.INVALID_ARGUMENT);
      this.finish({ reason: err.uri, error: err, byRouter: false });
      return joined;
    }
    try {
      this.send([MessageType.HELLO, this.options.realm, { agent: AGENT, roles: CLIENT_ROLES, ...auth }]);
    } catch (e) {
      // E.g. a maximum message size too small for HELLO itself: payload_size_exceeded.
      const err = toWampError(e, ErrorUri.INVALID_ARGUMENT);
      this.finish({ reason: err.uri, error: err, byRouter: false });
    }
    return joined;
  }

  /** Ends the session with GOODBYE and closes the transport; resolves once closed. */
  leave(reason: string = CloseUri.NORMAL, message?: string): Promise<void> {
    const closed = new Promise<void>((resolve) =>
      this.closeInfo ? resolve() : this.once('close', () => resolve()),
    );
    if (this.state === 'established') {
      this.state = 'closing';
      this.send([MessageType.GOODBYE, message ? { message } : {}, reason]);
      this.goodbyeTimer = setTimeout(() => this.transport.close(1000, 'goodbye timeout'), GOODBYE_TIMEOUT_MS);
    } else if (this.state !== 'closed' && this.state !== 'closing') {
      // Not yet joined: there is no session to say goodbye to.
      this.finish({ reason, byRouter: false });
    }
    return closed;
  }

  call(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<CallResult> {
    return this.caller.call(procedure, args, kwargs, options);
  }

  /**
   * The call of `call`, its outcome told to `receiver` rather than a promise (no promise and no
   * closures per call); returns the handle that cancels it. See Caller.start.
   */
  start(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Record<string, unknown> | undefined,
    options: CallOptions,
    receiver: CallReceiver,
  ): CallHandle {
    return this.caller.start(procedure, args, kwargs, options, receiver);
  }

  /** Progressive call invocations: sends the first chunk; `send()`/`end()` on the stream the others. */
  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): CallStream {
    return this.caller.stream(procedure, args, kwargs, options);
  }

  register(procedure: string, handler: InvocationHandler, options?: RegisterOptions): Promise<Registration> {
    return this.callee.register(procedure, handler, options);
  }

  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    return this.subscriber.subscribe(topic, handler, options);
  }

  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    return this.publisher.publish(topic, args, kwargs, options);
  }

  private roleContext(): RoleContext {
    const session = this;
    return {
      send: (m) => this.send(m),
      nextId: () => this.ids.next(),
      get isOpen() {
        return session.state === 'established';
      },
      closedError: () => this.closedError(),
      routerHas: (role, feature) => peerHasFeature(this.details, role, feature),
      violation: (text) => this.violation(text),
      revoked: (kind, id, details) => this.emit('revoked', kind, id, details),
    };
  }

  private closedError(): WampError {
    const why = this.closeInfo ? `session closed: ${this.closeInfo.reason}` : 'session not open';
    return new WampError(ErrorUri.CONNECTION_LOST, [why]);
  }

  /**
   * Throws WampError invalid_argument when the message cannot be serialized (e.g. a cycle, a
   * BigInt in JSON), payload_size_exceeded when it is longer than the transport may send.
   */
  private send(m: WampMessage): void {
    try {
      this.transport.send(m);
    } catch (e) {
      // A transport's own WampError (payload_size_exceeded) says why; anything else is the encoder's.
      if (isWampError(e)) throw e;
      throw new WampError(ErrorUri.INVALID_ARGUMENT, [
        `cannot serialize ${MessageName[m[0]]}: ${errorMessage(e)}`,
      ]);
    }
  }

  private receive(value: unknown): void {
    if (this.state === 'closed') return;
    let msg: WampMessage;
    if (this.trusted) msg = value as WampMessage;
    else {
      const parsed = parseMessage(value);
      if (!parsed.ok) return this.violation(String(parsed.error.args[0] ?? parsed.error.message));
      msg = parsed.message;
    }
    if (msg[0] === MessageType.ABORT) {
      const { args, kwargs } = payloadOf(msg, 3);
      // Routers put the text in Details.message (Crossbar, ours) or in Arguments (newer spec).
      const text = typeof msg[1].message === 'string' ? [msg[1].message] : [];
      const error = new WampError(msg[2], args ?? text, kwargs ?? {}, msg[1]);
      return this.finish({ reason: msg[2], error, byRouter: true });
    }
    if (this.state === 'joining') return this.receiveJoining(msg);
    if (msg[0] === MessageType.GOODBYE) return this.receiveGoodbye(msg[2]);
    this.dispatch(msg);
  }

  private receiveJoining(msg: WampMessage): void {
    switch (msg[0]) {
      case MessageType.WELCOME:
        this.welcome = { id: msg[1], details: msg[2] };
        this.state = 'established';
        this.joinWaiter?.resolve();
        this.joinWaiter = null;
        return;
      case MessageType.CHALLENGE:
        try {
          const answer = answerChallenge(this.options, msg[1], msg[2], this.transport.channelBinding);
          this.send([MessageType.AUTHENTICATE, answer.signature, answer.extra]);
        } catch (e) {
          const err = toWampError(e, ErrorUri.AUTHENTICATION_FAILED);
          this.send([MessageType.ABORT, { message: String(err.args[0] ?? '') }, err.uri]);
          this.transport.close(1000, 'cannot authenticate');
          this.finish({ reason: err.uri, error: err, byRouter: false });
        }
        return;
      default:
        return this.violation(`${MessageName[msg[0]]} received before WELCOME`);
    }
  }

  private receiveGoodbye(reason: string): void {
    if (this.state === 'closing') {
      // The router's answer to our GOODBYE.
      this.transport.close(1000, 'goodbye');
      return this.finish({ reason, byRouter: false });
    }
    this.send([MessageType.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
    this.transport.close(1000, 'goodbye');
    this.finish({ reason, byRouter: true });
  }

  /** Hands an established session's message to the role that owns it. */
  private dispatch(msg: WampMessage): void {
    // After our GOODBYE only the router's GOODBYE matters; late replies are dropped.
    if (this.state !== 'established') return;
    switch (msg[0]) {
      case MessageType.RESULT:
        return this.caller.onResult(msg);
      case MessageType.REGISTERED:
        return this.callee.onRegistered(msg);
      case MessageType.UNREGISTERED:
        return this.callee.onUnregistered(msg);
      case MessageType.INVOCATION:
        return this.callee.onInvocation(msg);
      case MessageType.INTERRUPT:
        return this.callee.onInterrupt(msg);
      case MessageType.PUBLISHED:
        return this.publisher.onPublished(msg);
      case MessageType.SUBSCRIBED:
        return this.subscriber.onSubscribed(msg);
      case MessageType.UNSUBSCRIBED:
        return this.subscriber.onUnsubscribed(msg);
      case MessageType.EVENT:
        return this.subscriber.onEvent(msg);
      case MessageType.ERROR:
        return this.dispatchError(msg);
      default:
        return this.violation(`unexpected ${MessageName[msg[0]]} from the router`);
    }
  }

  private dispatchError(msg: ErrorMessage): void {
    switch (msg[1]) {
      case MessageType.CALL:
        return this.caller.onError(msg);
      case MessageType.CANCEL:
        // A refused CANCEL (e.g. a mode the dealer does not know): the call itself goes on and
        // still settles with its RESULT or ERROR, or with the session.
        return;
      case MessageType.REGISTER:
      case MessageType.UNREGISTER:
        return this.callee.onError(msg);
      case MessageType.PUBLISH:
        return this.publisher.onError(msg);
      case MessageType.SUBSCRIBE:
      case MessageType.UNSUBSCRIBE:
        return this.subscriber.onError(msg);
      default:
        return this.violation(`ERROR for a ${MessageName[msg[1]]} a client never sends to be answered`);
    }
  }

  private violation(text: string): void {
    if (this.state === 'closed') return;
    this.send([MessageType.ABORT, { message: text }, ErrorUri.PROTOCOL_VIOLATION]);
    this.transport.close(1002, 'protocol violation');
    const error = new WampError(ErrorUri.PROTOCOL_VIOLATION, [text]);
    this.finish({ reason: ErrorUri.PROTOCOL_VIOLATION, error, byRouter: false });
  }

  private transportClosed(info: CloseInfo): void {
    if (this.state === 'closed') return;
    const error = new WampError(ErrorUri.CONNECTION_LOST, [`transport closed: ${info.reason}`]);
    this.finish({ reason: info.reason, error, byRouter: false });
  }

  /** The one way out: settles every outstanding promise and reports 'close' once. */
  private finish(info: SessionCloseInfo): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeInfo = info;
    clearTimeout(this.goodbyeTimer);
    if (this.transport.isOpen) this.transport.close(1000, info.reason);
    const lost = this.closedError();
    this.joinWaiter?.reject(info.error ?? lost);
    this.joinWaiter = null;
    this.caller.close(lost);
    this.callee.close(lost);
    this.publisher.close(lost);
    this.subscriber.close(lost);
    this.emit('close', info);
  }
}
