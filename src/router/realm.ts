// A realm: the unit of isolation. It owns its sessions, one broker, one dealer, the realm's
// authenticators and the authorization check. It emits what a meta API peer needs to observe:
//   'session-join' / 'session-leave' (session: RouterSession)
//   'subscription-create' / 'subscription-subscribe' / 'subscription-unsubscribe' / 'subscription-delete'
//     (session: RouterSession, subscription: Subscription)
//   'registration-create' / 'registration-register' / 'registration-unregister' / 'registration-delete'
//     (session: RouterSession, registration: Registration)
import { EventEmitter } from 'node:events';
import type { Authenticator } from './auth/authenticator';
import { Broker, BROKER_FEATURES } from './broker';
import type { Action, RealmConfig } from './config';
import { Dealer, DEALER_FEATURES } from './dealer';
import type { Logger, RouterSession } from './session';
import { ErrorUri, WampError } from '../wamp/errors';
import { roleDetails } from '../wamp/features';
import type { Dict } from '../wamp/messages';
import { isReservedUri, isValidPattern, type MatchPolicy } from '../wamp/uri';

export type Authorize = (realm: RealmConfig, authrole: string, action: Action, uri: string) => boolean;

export interface RealmOptions {
  callTimeoutMs: number;
  logger: Logger;
}

export class Realm extends EventEmitter {
  readonly sessions = new Map<number, RouterSession>();
  readonly broker: Broker;
  readonly dealer: Dealer;
  /**
   * Messages received from and sent to client sessions while in this realm, since it was
   * created: a rate sampler reads the differences.
   */
  readonly traffic = { messagesIn: 0, messagesOut: 0 };
  private readonly features = { broker: [...BROKER_FEATURES], dealer: [...DEALER_FEATURES] };
  private roleDetails: Dict = roleDetails(this.features);

  constructor(
    readonly config: RealmConfig,
    readonly authenticators: Authenticator[],
    private readonly authorizeFn: Authorize,
    readonly options: RealmOptions,
  ) {
    super();
    this.broker = new Broker(this);
    this.dealer = new Dealer(this, options.callTimeoutMs);
  }

  get name(): string {
    return this.config.name;
  }

  get logger(): Logger {
    return this.options.logger;
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
   * Whether `session` may perform `action` on `uri` (matched by `match`): null when allowed,
   * else the error to answer with. Clients may not publish or register into `wamp.`.
   */
  permit(
    session: RouterSession,
    action: Action,
    uri: string,
    match: MatchPolicy = 'exact',
  ): WampError | null {
    if (!isValidPattern(uri, match))
      return new WampError(ErrorUri.INVALID_URI, [`invalid ${match} URI "${uri}"`]);
    if (session.trusted) return null;
    if ((action === 'publish' || action === 'register') && isReservedUri(uri)) {
      return new WampError(ErrorUri.INVALID_URI, [
        `the wamp. namespace is reserved for the router: cannot ${action} "${uri}"`,
      ]);
    }
    let allowed = false;
    try {
      allowed = this.authorizeFn(this.config, session.identity.authrole, action, uri);
    } catch (e) {
      this.logger.error(
        `authorizer failed on ${action} ${uri}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!allowed)
      return new WampError(ErrorUri.NOT_AUTHORIZED, [
        `role ${session.identity.authrole} may not ${action} "${uri}"`,
      ]);
    return null;
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
