// A realm: the unit of isolation. It owns its sessions, one broker, one dealer, the realm's
// authenticators and the authorization check. It emits what a meta API peer needs to observe:
//   'session-join' / 'session-leave' (session: RouterSession)
//   'subscription-create' / 'subscription-subscribe' / 'subscription-unsubscribe' / 'subscription-delete'
//     (session: RouterSession, subscription: Subscription)
//   'registration-create' / 'registration-register' / 'registration-unregister' / 'registration-delete'
//     (session: RouterSession, registration: Registration)
import { EventEmitter } from 'node:events';
import type { Authenticator } from './auth/authenticator';
import type { AccessPolicy, Grant } from './authorizer';
import { Broker, BROKER_FEATURES } from './broker';
import type { Action, RealmConfig } from './config';
import { Dealer, DEALER_FEATURES } from './dealer';
import { EventHistory } from './event-history';
import type { RouterLimits } from './limits';
import { RevocationLog } from './revocations';
import type { Logger, RouterSession } from './session';
import { ErrorUri, errorMessage, WampError } from '../wamp/errors';
import { roleDetails } from '../wamp/features';
import type { Dict } from '../wamp/messages';
import type { MatchPolicy } from '../wamp/options';
import { isReservedUri, isValidPattern } from '../wamp/uri';

export type Authorize = (realm: RealmConfig, authrole: string, action: Action, uri: string) => boolean;

export interface RealmOptions {
  callTimeoutMs: number;
  logger: Logger;
  limits: RouterLimits;
}

/** The meta procedures through which an MQTT session keeps its device's last will. */
const MQTT_WILL_PROCEDURES: ReadonlySet<string> = new Set([
  'wamp.session.add_testament',
  'wamp.session.flush_testaments',
]);

/**
 * Meta procedures that act on other sessions: only for a role granted them by name (a permission
 * in `wamp.`), never by a blanket grant or in a realm without roles.
 */
export const PRIVILEGED_PROCEDURES: ReadonlySet<string> = new Set([
  'wamp.session.kill',
  'wamp.session.kill_by_authid',
  'wamp.session.kill_by_authrole',
  'wamp.session.kill_all',
  'wamp.registration.remove',
  'wamp.registration.remove_callee',
  'wamp.subscription.remove',
  'wamp.subscription.remove_subscriber',
]);
/** Seeing other sessions' transport details (remote address and port) takes a named grant of this. */
export const TRANSPORT_DETAILS_PROCEDURE = 'wamp.session.get';

export class Realm extends EventEmitter {
  readonly sessions = new Map<number, RouterSession>();
  readonly broker: Broker;
  readonly dealer: Dealer;
  /** The events kept for `wamp.subscription.get_events` (config.history). */
  readonly history: EventHistory;
  /** Recent registrations and subscriptions the router took from sessions. */
  readonly revocations = new RevocationLog();
  /**
   * Messages received from and sent to client sessions while in this realm, since it was
   * created: a rate sampler reads the differences.
   */
  readonly traffic = { messagesIn: 0, messagesOut: 0 };
  private readonly features = { broker: [...BROKER_FEATURES], dealer: [...DEALER_FEATURES] };
  private roleDetails: Dict = roleDetails(this.features);
  /** Set once the router has removed this realm. */
  removed = false;

  constructor(
    readonly config: RealmConfig,
    readonly authenticators: Authenticator[],
    private readonly policy: AccessPolicy,
    readonly options: RealmOptions,
  ) {
    super();
    this.history = new EventHistory(config.history ?? [], options.limits, options.logger, config.name);
    this.broker = new Broker(this);
    this.dealer = new Dealer(this, options.callTimeoutMs);
  }

  get name(): string {
    return this.config.name;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get limits(): RouterLimits {
    return this.options.limits;
  }

  /** WELCOME.Details.roles: what this router's broker and dealer implement. */
  roles(): Dict {
    return this.roleDetails;
  }

  /** Announces features served beside the broker and dealer (the meta API peer's). */
  announce(role: 'broker' | 'dealer', features: readonly string[]): void {
    for (const f of features) if (!this.features[role].includes(f)) this.features[role].push(f);
    this.roleDetails = roleDetails(this.features);
  }

  /** The sessions of clients: every session but the router's own (`internal`) ones. */
  clients(): RouterSession[] {
    return [...this.sessions.values()].filter((s) => !s.internal);
  }

  join(session: RouterSession): void {
    this.sessions.set(session.id, session);
    this.emit('session-join', session);
  }

  leave(session: RouterSession): void {
    if (this.sessions.get(session.id) !== session) return;
    this.dealer.removeSession(session);
    this.broker.removeSession(session);
    this.sessions.delete(session.id);
    this.emit('session-leave', session);
  }

  /**
   * Whether `session` may perform `action` on the concrete `uri`: null when allowed, else the
   * error to answer with. Clients may not publish or register into `wamp.`.
   */
  permit(session: RouterSession, action: Action, uri: string): WampError | null {
    const grant = this.permitPattern(session, action, uri, 'exact');
    return typeof grant === 'string' ? null : grant;
  }

  /**
   * Whether `session` may subscribe or register `pattern`: an error, or how much of what it can
   * match is allowed ('some': each event or invocation is to be checked with `mayReceive`).
   */
  permitPattern(
    session: RouterSession,
    action: Action,
    pattern: string,
    match: MatchPolicy,
  ): WampError | Exclude<Grant, 'none'> {
    if (!isValidPattern(pattern, match))
      return new WampError(ErrorUri.INVALID_URI, [`invalid ${match} URI "${pattern}"`]);
    if (session.trusted) return 'all';
    // An MQTT device's last will is MQTT's own, not a meta API call it chose: its testament
    // procedures need no call grant (add_testament checks the publish right on the will topic).
    if (action === 'call' && session.transport.info.type === 'mqtt' && MQTT_WILL_PROCEDURES.has(pattern))
      return 'all';
    if ((action === 'publish' || action === 'register') && isReservedUri(pattern)) {
      return new WampError(ErrorUri.INVALID_URI, [
        `the wamp. namespace is reserved for the router: cannot ${action} "${pattern}"`,
      ]);
    }
    const role = session.identity.authrole;
    const grant: Grant =
      action === 'call' && PRIVILEGED_PROCEDURES.has(pattern)
        ? this.ask(action, pattern, () => this.policy.grantsByName(role, action, pattern), false)
          ? 'all'
          : 'none'
        : this.grantOf(role, action, pattern, match);
    if (grant === 'none') {
      const what = match === 'exact' ? `"${pattern}"` : `${match} pattern "${pattern}"`;
      return new WampError(ErrorUri.NOT_AUTHORIZED, [`role ${role} may not ${action} ${what}`]);
    }
    return grant;
  }

  /** Whether `session` may receive an event of (`subscribe`) or a call to (`register`) `uri`. */
  mayReceive(session: RouterSession, action: 'subscribe' | 'register', uri: string): boolean {
    if (session.trusted) return true;
    return this.ask(action, uri, () => this.policy.allows(session.identity.authrole, action, uri), false);
  }

  /** Whether `session` may see other sessions' remote addresses: trusted, or granted by name. */
  seesTransportDetails(session: RouterSession): boolean {
    if (session.trusted) return true;
    const role = session.identity.authrole;
    return this.ask(
      'call',
      TRANSPORT_DETAILS_PROCEDURE,
      () => this.policy.grantsByName(role, 'call', TRANSPORT_DETAILS_PROCEDURE),
      false,
    );
  }

  /** `ask` for `policy.grant`, without a closure per message (every CALL and PUBLISH asks). */
  private grantOf(role: string, action: Action, pattern: string, match: MatchPolicy): Grant {
    try {
      return this.policy.grant(role, action, pattern, match);
    } catch (e) {
      this.logger.error(`authorizer failed on ${action} ${pattern}: ${errorMessage(e)}`);
      return 'none';
    }
  }

  /** An authorizer that throws refuses; the router goes on. */
  private ask<T>(action: Action, uri: string, decide: () => T, refused: T): T {
    try {
      return decide();
    } catch (e) {
      this.logger.error(`authorizer failed on ${action} ${uri}: ${errorMessage(e)}`);
      return refused;
    }
  }

  /** GOODBYE every session of the realm with `reason`; resolves once all are closed. */
  async shutdown(reason: string): Promise<void> {
    this.closing();
    // The testaments travel as the meta peer's PUBLISH over an in-process transport, which
    // delivers in a microtask: let it reach the broker before the GOODBYEs go out.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...this.sessions.values()].map((s) => s.shutdown(reason)));
  }

  /**
   * Said once the realm (or the whole router) is about to end its sessions, while all of them
   * are still connected: the testament API publishes every testament then, so that they reach
   * their subscribers before GOODBYE (the spec: testaments fire when the realm shuts down too).
   */
  closing(): void {
    this.emit('closing');
  }
}
