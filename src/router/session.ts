// One peer's connection to the router and the session on it: the opening handshake
// (handshake.ts), then routing through the realm's broker and dealer, then GOODBYE or ABORT.
// Each incoming value is validated once with `parseMessage`; anything malformed or out of
// place is a protocol violation that ends this session only.
import type { LoginThrottle } from './auth';
import type { Identity } from './auth/authenticator';
import { arrivesTooDeep, leavesTooDeep } from './depth-guard';
import { Handshake, type HandshakeSession } from './handshake';
import { EncodeError } from '../serializers/serializer';
import { CloseUri, ErrorUri, errorMessage, errorStack, WampError } from '../wamp/errors';
import { peerHasFeature, type Role } from '../wamp/features';
import { randomId } from '../wamp/ids';
import { MessageType as M, payload, type Dict, type WampMessage } from '../wamp/messages';
import { parseMessage } from '../wamp/parse';
import type { Transport, TransportInfo } from '../transports/transport';
import type { RouterLimits } from './limits';
import type { Realm } from './realm';

export interface SessionInfo {
  id: number;
  realm: string;
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  transport: TransportInfo;
  joinedAt: Date;
  messagesIn: number;
  messagesOut: number;
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** What a session needs from its router. */
export interface SessionHost {
  /** The realm a HELLO asks for (created on demand when the router allows it). */
  realmFor(name: string): Realm | undefined;
  readonly maxOutboundBytes: number;
  /** How long a router-initiated GOODBYE waits for the peer's reply before closing anyway. */
  readonly goodbyeTimeoutMs: number;
  readonly logger: Logger;
  readonly loginThrottle: LoginThrottle;
  readonly limits: RouterLimits;
  /** The session is now in its opening handshake (true) or has joined or closed (false). */
  handshaking(session: RouterSession, on: boolean): void;
  closed(session: RouterSession): void;
}

export interface AcceptOptions {
  /**
   * A session of the router itself (e.g. the meta API peer): welcomed without authentication
   * and allowed into the `wamp.` namespace, never refused by the authorizer.
   */
  trusted?: boolean;
  /**
   * A session that is part of the router (the meta API peer): not counted or listed as a
   * client and not reported by the session meta API.
   */
  internal?: boolean;
}

type State = 'hello' | 'challenge' | 'established' | 'closing' | 'closed';

export class RouterSession implements HandshakeSession {
  id = 0;
  realm: Realm | null = null;
  /** Kept after leaving, so that a leave event still names the realm. */
  realmName = '';
  identity: Identity = { authid: '', authrole: '', authmethod: '', authprovider: '' };
  /** HELLO details: the peer's roles and features. */
  hello: Dict = {};
  joinedAt = new Date(0);
  messagesIn = 0;
  messagesOut = 0;
  readonly trusted: boolean;
  readonly internal: boolean;
  /** On the in-process transport: messages come and go by reference, never encoded. */
  readonly inProcess: boolean;
  readonly closed: Promise<void>;

  private state: State = 'hello';
  private readonly handshake: Handshake;
  private lastInvocationId = 0;
  private goodbyeTimer: NodeJS.Timeout | null = null;
  private resolveClosed!: () => void;

  constructor(
    readonly transport: Transport,
    private readonly host: SessionHost,
    options: AcceptOptions = {},
  ) {
    this.trusted = options.trusted === true;
    this.internal = options.internal === true;
    this.inProcess = transport.info.type === 'local';
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.handshake = new Handshake(this, host);
  }

  start(): void {
    this.openHandshake();
    this.transport.attach({
      onMessage: (value) => this.receive(value),
      onDecodeError: (error) => this.guard(() => this.protocolViolation(`undecodable message: ${error}`)),
      onClose: () => this.guard(() => this.transportClosed()),
    });
  }

  /** The peer's address, for the login throttle and the log. */
  get address(): string {
    return this.transport.info.remoteAddress ?? this.transport.info.type;
  }

  get authid(): string {
    return this.identity.authid;
  }

  get authrole(): string {
    return this.identity.authrole;
  }

  get isEstablished(): boolean {
    return this.state === 'established';
  }

  info(): SessionInfo {
    const { authid, authrole, authmethod, authprovider } = this.identity;
    return {
      id: this.id,
      realm: this.realmName,
      authid,
      authrole,
      authmethod,
      authprovider,
      transport: this.transport.info,
      joinedAt: this.joinedAt,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
    };
  }

  /** Whether the peer announced `feature` for `role` in its HELLO. */
  has(role: Role, feature: string): boolean {
    return peerHasFeature(this.hello, role, feature);
  }

  send(message: WampMessage): void {
    this.trySend(message);
  }

  /**
   * Sends, and says why a message could not go out: a message this peer's serializer cannot
   * write, or one longer than the peer accepts, is skipped (the caller may answer its sender),
   * and this session stays, since the fault is the message's. Only a transport that fails on
   * its own is dropped.
   */
  trySend(message: WampMessage): WampError | null {
    if (this.state === 'closed') return null;
    if (!this.inProcess && leavesTooDeep(message, this.host.limits.maxDepth)) {
      const text = `nested deeper than ${this.host.limits.maxDepth} levels (the router's limit)`;
      this.host.logger.warn(`session ${this.id}: message type ${message[0]} not sent: ${text}`);
      return new WampError(ErrorUri.INVALID_ARGUMENT, [text]);
    }
    try {
      this.transport.send(message);
    } catch (e) {
      const text = errorMessage(e);
      if (e instanceof EncodeError || (e instanceof WampError && e.uri === ErrorUri.PAYLOAD_SIZE_EXCEEDED)) {
        this.host.logger.warn(`session ${this.id}: message type ${message[0]} not sent: ${text}`);
        return e instanceof WampError ? e : new WampError(ErrorUri.INVALID_ARGUMENT, [text]);
      }
      // A broken transport must not break the routing loop that is sending to it.
      this.host.logger.error(`session ${this.id}: transport send failed: ${text}`);
      this.drop();
      return new WampError(ErrorUri.CANCELED, ['the receiver left']);
    }
    this.messagesOut++;
    if (this.realm && !this.internal) this.realm.traffic.messagesOut++;
    if (this.transport.bufferedAmount > this.host.maxOutboundBytes) {
      this.host.logger.warn(
        `session ${this.id}: outbound buffer over ${this.host.maxOutboundBytes} bytes, dropping a stalled consumer`,
      );
      this.drop();
    }
    return null;
  }

  sendError(requestType: number, request: number, error: WampError): void {
    this.send([
      M.ERROR,
      requestType,
      request,
      error.details,
      error.uri,
      ...payload(error.args, error.kwargs),
    ]);
  }

  /** Request IDs of INVOCATIONs sent to this peer: sequential, so "was ever issued" is `id <= last`. */
  nextInvocationId(): number {
    return ++this.lastInvocationId;
  }

  wasIssued(invocationId: number): boolean {
    return invocationId <= this.lastInvocationId;
  }

  /** ABORT protocol_violation and close this session. */
  protocolViolation(text: string): void {
    this.host.logger.warn(`session ${this.id || '(new)'}: protocol violation: ${text}`);
    this.abort(ErrorUri.PROTOCOL_VIOLATION, text);
  }

  abort(reason: string, text: string): void {
    if (this.state === 'closed') return;
    // The text in Details.message only, as Crossbar sends it: Autobahn|Python 22 (Debian's) and
    // other strict peers refuse an ABORT with an Arguments element as malformed.
    this.send([M.ABORT, { message: text }, reason]);
    this.drop();
  }

  /**
   * Router-initiated end: GOODBYE (with `message` in its details, if given), wait briefly for
   * the peer's reply, close. Resolves once closed.
   */
  shutdown(reason: string = CloseUri.SYSTEM_SHUTDOWN, message?: string): Promise<void> {
    if (this.state === 'established') {
      this.send([M.GOODBYE, message === undefined ? {} : { message }, reason]);
      this.leaveRealm();
      this.state = 'closing';
      this.goodbyeTimer = setTimeout(() => this.drop(), this.host.goodbyeTimeoutMs);
    } else if (this.state !== 'closing') {
      this.drop();
    }
    return this.closed;
  }

  /** Ends the session at once: no more sending or routing; the transport closes. */
  drop(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearGoodbyeTimer();
    this.handshake.clearTimer();
    this.transport.close(1000, 'session closed');
    // Deferred: a drop may happen in the middle of a broker or dealer loop over sessions.
    queueMicrotask(() => this.guard(() => this.leaveRealm()));
  }

  private receive(value: unknown): void {
    this.guard(() => {
      if (this.state === 'closed') return;
      this.messagesIn++;
      if (this.realm && !this.internal) this.realm.traffic.messagesIn++;
      const parsed = parseMessage(value);
      if (!parsed.ok) return this.protocolViolation(parsed.error.args[0] as string);
      if (!this.internal && arrivesTooDeep(parsed.message, this.host.limits.maxDepth, this.inProcess))
        return this.tooDeep(parsed.message);
      this.handle(parsed.message);
    });
  }

  /**
   * A message nested deeper than the router's limit: its receivers could not be sent it (encoders
   * recurse), so it is refused here, from its sender. A call or an acknowledged publication gets
   * an ERROR and the session goes on; anything else is a protocol violation.
   */
  private tooDeep(msg: WampMessage): void {
    const text = `message nested deeper than ${this.host.limits.maxDepth} levels (the router's limit)`;
    this.host.logger.warn(`session ${this.id || '(new)'}: refused a ${msg[0]} message: ${text}`);
    if (this.state === 'established' && msg[0] === M.CALL)
      return this.sendError(M.CALL, msg[1], new WampError(ErrorUri.INVALID_ARGUMENT, [text]));
    if (this.state === 'established' && msg[0] === M.PUBLISH) {
      if (msg[2].acknowledge === true)
        this.sendError(M.PUBLISH, msg[1], new WampError(ErrorUri.INVALID_ARGUMENT, [text]));
      return;
    }
    this.protocolViolation(text);
  }

  /** Nothing thrown while handling one message may escape into a transport callback. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.host.logger.error(`session ${this.id}: internal error: ${errorStack(e)}`);
    }
  }

  private handle(msg: WampMessage): void {
    switch (this.state) {
      case 'hello':
        if (msg[0] !== M.HELLO) return this.protocolViolation(`message type ${msg[0]} before HELLO`);
        this.hello = msg[2];
        this.id = randomId();
        return this.handshake.hello(msg);
      case 'challenge':
        if (msg[0] === M.AUTHENTICATE) return this.handshake.authenticate(msg[1], msg[2]);
        if (msg[0] === M.ABORT) return this.drop();
        return this.protocolViolation(`message type ${msg[0]} while authenticating`);
      case 'closing':
        if (msg[0] === M.GOODBYE || msg[0] === M.ABORT) this.drop();
        return;
      case 'established':
        return this.route(msg);
      case 'closed':
        return;
    }
  }

  private route(msg: WampMessage): void {
    const realm = this.realm!;
    switch (msg[0]) {
      case M.PUBLISH:
        return realm.broker.publish(this, msg);
      case M.SUBSCRIBE:
        return realm.broker.subscribe(this, msg);
      case M.UNSUBSCRIBE:
        return realm.broker.unsubscribe(this, msg);
      case M.CALL:
        return realm.dealer.call(this, msg);
      case M.CANCEL:
        return realm.dealer.cancel(this, msg);
      case M.REGISTER:
        return realm.dealer.register(this, msg);
      case M.UNREGISTER:
        return realm.dealer.unregister(this, msg);
      case M.YIELD:
        return realm.dealer.yield(this, msg);
      case M.ERROR:
        if (msg[1] === M.INVOCATION) return realm.dealer.invocationError(this, msg);
        return this.protocolViolation(`ERROR for request type ${msg[1]} sent to a router`);
      case M.GOODBYE:
        // Answer, and end the session; the transport stays for the peer to close or reuse.
        this.send([M.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
        this.leaveRealm();
        this.state = 'hello';
        this.openHandshake();
        return;
      case M.ABORT:
        return this.drop();
      case M.HELLO:
        return this.protocolViolation('HELLO on an established session');
      case M.AUTHENTICATE:
        return this.protocolViolation('AUTHENTICATE without a CHALLENGE');
      default:
        return this.protocolViolation(`message type ${msg[0]} is not sent to a router`);
    }
  }

  challenged(): void {
    this.state = 'challenge';
  }

  established(realm: Realm, identity: Identity, details: Dict): void {
    if (!this.internal) this.host.handshaking(this, false);
    this.identity = identity;
    this.realm = realm;
    this.realmName = realm.name;
    this.state = 'established';
    this.joinedAt = new Date();
    this.send([M.WELCOME, this.id, details]);
    realm.join(this);
  }

  private leaveRealm(): void {
    const realm = this.realm;
    if (!realm) return;
    this.realm = null;
    realm.leave(this);
  }

  private transportClosed(): void {
    this.state = 'closed';
    this.clearGoodbyeTimer();
    this.handshake.clearTimer();
    this.leaveRealm();
    this.host.closed(this);
    this.resolveClosed();
  }

  /** Counted by the router among the connections in their handshake until it joins. */
  private openHandshake(): void {
    if (this.internal) return;
    this.host.handshaking(this, true);
    this.handshake.open();
  }

  private clearGoodbyeTimer(): void {
    if (this.goodbyeTimer) clearTimeout(this.goodbyeTimer);
    this.goodbyeTimer = null;
  }
}
