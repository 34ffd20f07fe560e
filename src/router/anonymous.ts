// The default authenticator when the router is given none: anonymous login, welcomed at once.
import { randomBytes } from 'crypto';
import type { Authenticator, AuthOutcome, HelloInfo } from './auth/authenticator';
import type { RealmConfig } from './config';

export class AnonymousAuthenticator implements Authenticator {
  readonly method = 'anonymous';

  constructor(private readonly role = 'anonymous') {}

  begin(_hello: HelloInfo): AuthOutcome {
    return {
      kind: 'welcome',
      identity: { authid: randomBytes(9).toString('base64url'), authrole: this.role, authmethod: 'anonymous', authprovider: 'static' },
    };
  }
}

/** Anonymous only, with the role a realm config names, unless the realm turns anonymous off. */
export function defaultAuthenticators(realm: RealmConfig): Authenticator[] {
  if (realm.anonymous === false) return [];
  const role = typeof realm.anonymous === 'object' ? realm.anonymous.role : 'anonymous';
  return [new AnonymousAuthenticator(role)];
}
