// The opening handshake of a router session: HELLO → [CHALLENGE ↔ AUTHENTICATE] → WELCOME or
// ABORT. It picks the realm and the authenticator, runs the login throttle, and holds a client
// connection to small messages and a deadline until it joins. Routing is the session's
// (session.ts); this file ends where the session is established.
import { AUTH_FAILED_MESSAGE, chooseAuthenticator } from './auth';
import type { Authenticator, AuthOutcome, Identity } from './auth/authenticator';
import type { Realm } from './realm';
import type { SessionHost } from './session';
import type { Transport } from '../transports/transport';
import { ErrorUri, errorMessage } from '../wamp/errors';
import { MessageType as M, type Dict, type HelloMessage, type WampMessage } from '../wamp/messages';
import { isDict } from '../wamp/parse';
import { isValidUri } from '../wamp/uri';
import { helloOverLimits } from './limits';

/** What the handshake needs of the session it opens. */
export interface HandshakeSession {
  /** Set by the session on HELLO, before the handshake sees it. */
  readonly id: number;
  readonly trusted: boolean;
  readonly internal: boolean;
  readonly transport: Transport;
  /** The peer's address, for the login throttle and the log. */
  readonly address: string;
  send(message: WampMessage): void;
  abort(reason: string, text: string): void;
  /** Runs `fn`, logging instead of throwing (timer callbacks). */
  guard(fn: () => void): void;
  /** A CHALLENGE went out: the next message must be AUTHENTICATE. */
  challenged(): void;
  /** Authenticated: the session joins `realm` as `identity`, welcomed with `details`. */
  established(realm: Realm, identity: Identity, details: Dict): void;
}

export class Handshake {
  private verify: ((signature: string, extra: Dict) => AuthOutcome) | null = null;
  private pendingRealm: Realm | null = null;
  /** Realm and claimed identity of a login under way, for the login throttle. */
  private loginKey: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly session: HandshakeSession,
    private readonly host: SessionHost,
  ) {}

  /** Until it joins, a client connection is held to small messages and a deadline. */
  open(): void {
    const session = this.session;
    if (session.internal) return;
    session.transport.limitIncoming?.(this.host.limits.maxHandshakeMessageBytes);
    this.clearTimer();
    const ms = this.host.limits.handshakeTimeoutMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      session.guard(() => {
        this.host.logger.warn(
          `connection from ${session.address}: no WELCOME within ${ms} ms of connecting (state ${this.verify ? 'challenge' : 'hello'}), closing it`,
        );
        session.abort(ErrorUri.TIMEOUT, `the opening handshake took longer than ${ms} ms`);
      });
    }, ms);
  }

  /** The handshake is over (joined): the limits of a joined session apply. */
  close(): void {
    if (this.session.internal) return;
    this.clearTimer();
    this.session.transport.limitIncoming?.(undefined);
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  hello(msg: HelloMessage): void {
    const [, realmName, details] = msg;
    const session = this.session;
    const over = helloOverLimits(realmName, details, this.host.limits);
    if (over) return session.abort(over.uri, over.text);
    if (!isValidUri(realmName)) return session.abort(ErrorUri.INVALID_URI, `invalid realm URI ${realmName}`);
    const realm = this.host.realmFor(realmName);
    if (!realm) return session.abort(ErrorUri.NO_SUCH_REALM, `no realm ${realmName}`);
    this.pendingRealm = realm;
    if (session.trusted) {
      return this.welcome({
        authid: 'router',
        authrole: 'trusted',
        authmethod: 'trusted',
        authprovider: 'router',
      });
    }
    const methods = Array.isArray(details.authmethods)
      ? details.authmethods.filter((m): m is string => typeof m === 'string')
      : [];
    const authenticator = chooseAuthenticator(realm.authenticators, methods);
    if (!authenticator)
      return session.abort(
        ErrorUri.NO_AUTH_METHOD,
        `no authentication method of ${methods.join(', ') || 'anonymous'} is offered by realm ${realmName}`,
      );
    if (authenticator.method !== 'anonymous') {
      this.loginKey = `${realmName}\0${typeof details.authid === 'string' ? details.authid : String((details.authextra as Dict | undefined)?.pubkey ?? '')}`;
      // A login that failed too often lately is refused without a check, with the same answer.
      if (this.host.loginThrottle.retryAfter(this.loginKey, session.address) > 0)
        return session.abort(ErrorUri.AUTHENTICATION_FAILED, AUTH_FAILED_MESSAGE);
    }
    this.outcome(this.begin(authenticator, realmName, details, methods));
  }

  /** AUTHENTICATE: the authenticator's check of the signature decides. */
  authenticate(signature: string, extra: Dict): void {
    const verify = this.verify;
    this.verify = null;
    let outcome: AuthOutcome;
    try {
      outcome = verify!(signature, extra);
    } catch (e) {
      this.host.logger.error(`authentication check failed: ${errorMessage(e)}`);
      outcome = { kind: 'abort', reason: ErrorUri.AUTHENTICATION_FAILED, message: 'authentication failed' };
    }
    this.outcome(outcome);
  }

  private begin(authenticator: Authenticator, realm: string, details: Dict, methods: unknown[]): AuthOutcome {
    try {
      return authenticator.begin({
        realm,
        sessionId: this.session.id,
        authid: typeof details.authid === 'string' ? details.authid : undefined,
        authmethods: methods.filter((m): m is string => typeof m === 'string'),
        authextra: isDict(details.authextra) ? details.authextra : {},
        channelBinding: this.session.transport.channelBinding,
      });
    } catch (e) {
      this.host.logger.error(`authenticator ${authenticator.method} failed: ${errorMessage(e)}`);
      return { kind: 'abort', reason: ErrorUri.AUTHENTICATION_FAILED, message: 'authentication failed' };
    }
  }

  private outcome(outcome: AuthOutcome): void {
    switch (outcome.kind) {
      case 'welcome':
        return this.welcome(outcome.identity);
      case 'challenge':
        this.verify = outcome.verify;
        this.session.challenged();
        this.session.send([M.CHALLENGE, outcome.method, outcome.extra]);
        return;
      case 'abort':
        if (this.loginKey && outcome.reason === ErrorUri.AUTHENTICATION_FAILED)
          this.host.loginThrottle.recordFailure(this.loginKey, this.session.address);
        return this.session.abort(outcome.reason, outcome.message);
    }
  }

  private welcome(identity: Identity): void {
    const session = this.session;
    if (this.loginKey) this.host.loginThrottle.recordSuccess(this.loginKey, session.address);
    this.loginKey = null;
    let realm: Realm | undefined = this.pendingRealm!;
    this.pendingRealm = null;
    // A realm created on demand goes with its last session, maybe while this one authenticated.
    if (realm.removed) realm = this.host.realmFor(realm.name);
    if (!realm) return session.abort(ErrorUri.NO_SUCH_REALM, 'the realm was closed');
    const details: Dict = {
      realm: realm.name,
      authid: identity.authid,
      authrole: identity.authrole,
      authmethod: identity.authmethod,
      authprovider: identity.authprovider,
      roles: realm.roles(),
    };
    if (identity.authextra) details.authextra = identity.authextra;
    this.close();
    session.established(realm, identity, details);
  }
}
