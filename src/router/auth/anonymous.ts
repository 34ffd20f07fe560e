// Anonymous login: WELCOME at once, under a random authid (a client cannot claim a name it
// has not proven) and the role the realm configures for anonymous sessions.
import { randomBytes } from 'node:crypto';
import type { Authenticator, AuthOutcome, HelloInfo } from './authenticator';

export const DEFAULT_ANONYMOUS_ROLE = 'anonymous';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random authid like `V3QK-7MZA-XE2P-HW4D-LR6T-BN5C` (120 bits), the form Crossbar uses. */
export function randomAuthid(): string {
  const bytes = randomBytes(24);
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && i % 4 === 0) s += '-';
    s += ALPHABET[bytes[i] & 31];
  }
  return s;
}

export class AnonymousAuthenticator implements Authenticator {
  readonly method = 'anonymous';

  constructor(private readonly role: string = DEFAULT_ANONYMOUS_ROLE) {}

  begin(_hello: HelloInfo): AuthOutcome {
    return {
      kind: 'welcome',
      identity: {
        authid: randomAuthid(),
        authrole: this.role,
        authmethod: 'anonymous',
        authprovider: 'static',
      },
    };
  }
}
