// The authenticators of a realm, and the choice among them by the client's stated preference.
import type { RealmConfig } from '../config';
import { AnonymousAuthenticator, DEFAULT_ANONYMOUS_ROLE } from './anonymous';
import type { Authenticator, AuthOutcome, HelloInfo } from './authenticator';
import { CryptosignAuthenticator } from './cryptosign';
import { noMatchingAuthMethod } from './outcome';
import { TicketAuthenticator } from './ticket';
import { WampCraAuthenticator } from './wampcra';

export * from './authenticator';
export { AnonymousAuthenticator, DEFAULT_ANONYMOUS_ROLE, randomAuthid } from './anonymous';
export { CryptosignAuthenticator } from './cryptosign';
export { LoginThrottle, type LoginThrottleOptions } from './throttle';
export { AUTH_FAILED_MESSAGE, authFailed, noMatchingAuthMethod, safeEqual } from './outcome';
export { TicketAuthenticator } from './ticket';
export { WampCraAuthenticator } from './wampcra';

/** Whether a realm admits anonymous sessions: when it says so, or by default when it has no users. */
export function allowsAnonymous(realm: RealmConfig): boolean {
  if (realm.anonymous === undefined) return (realm.users ?? []).length === 0;
  return realm.anonymous !== false;
}

/**
 * The authenticators a realm offers, strongest first: cryptosign, wampcra, ticket, anonymous.
 * A method is offered only when some user has credentials for it, so a client offering several
 * methods is not steered into one that cannot succeed.
 */
export function authenticatorsFor(realm: RealmConfig): Authenticator[] {
  const out: Authenticator[] = [];
  const cryptosign = new CryptosignAuthenticator(realm.users);
  if (cryptosign.userCount > 0) out.push(cryptosign);
  const cra = new WampCraAuthenticator(realm.users);
  if (cra.userCount > 0) out.push(cra);
  const ticket = new TicketAuthenticator(realm.users);
  if (ticket.userCount > 0) out.push(ticket);
  if (allowsAnonymous(realm)) {
    const role =
      typeof realm.anonymous === 'object' && realm.anonymous !== null
        ? realm.anonymous.role
        : DEFAULT_ANONYMOUS_ROLE;
    out.push(new AnonymousAuthenticator(role));
  }
  return out;
}

/**
 * The first method in the client's HELLO.authmethods that the realm offers. A HELLO without
 * authmethods asks for anonymous login, as the spec defines.
 */
export function chooseAuthenticator(
  authenticators: readonly Authenticator[],
  helloAuthmethods: readonly string[],
): Authenticator | undefined {
  const wanted = helloAuthmethods.length > 0 ? helloAuthmethods : ['anonymous'];
  for (const method of wanted) {
    const found = authenticators.find((a) => a.method === method);
    if (found) return found;
  }
  return undefined;
}

/** Chooses by the client's preference and begins; ABORT `wamp.error.no_matching_auth_method` if none fits. */
export function beginAuthentication(authenticators: readonly Authenticator[], hello: HelloInfo): AuthOutcome {
  const chosen = chooseAuthenticator(authenticators, hello.authmethods);
  return chosen ? chosen.begin(hello) : noMatchingAuthMethod();
}
