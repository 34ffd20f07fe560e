// Ticket login: CHALLENGE [4, "ticket", {}], AUTHENTICATE carries the ticket in clear (so only
// over TLS in production). An unknown authid gets the same challenge as a known one and fails
// only at AUTHENTICATE, so the exchange does not tell which authids exist.
import type { UserConfig } from '../config';
import type { Authenticator, AuthOutcome, HelloInfo } from './authenticator';
import { authFailed, once, safeEqual } from './outcome';
import { UserTable } from './users';

export class TicketAuthenticator implements Authenticator {
  readonly method = 'ticket';
  private readonly users: UserTable;

  constructor(users: readonly UserConfig[] | undefined) {
    this.users = new UserTable(users, (u) => typeof u.ticket === 'string' && u.ticket.length > 0);
  }

  get userCount(): number {
    return this.users.size;
  }

  begin(hello: HelloInfo): AuthOutcome {
    if (hello.authid === undefined) return authFailed();
    const user = this.users.get(hello.authid);
    return {
      kind: 'challenge',
      method: 'ticket',
      extra: {},
      verify: once((signature) => {
        const given = typeof signature === 'string' ? signature : '';
        // Compare even for an unknown user so both paths take the same time.
        const ok = safeEqual(given, user?.ticket ?? '') && user !== undefined && given.length > 0;
        if (!ok) return authFailed();
        return {
          kind: 'welcome',
          identity: {
            authid: user.authid,
            authrole: user.role,
            authmethod: 'ticket',
            authprovider: 'static',
          },
        };
      }),
    };
  }
}
