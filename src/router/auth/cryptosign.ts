// WAMP-Cryptosign login: the client proves it holds the Ed25519 private key of a configured
// public key by signing a random 32-byte challenge. HELLO.authextra.pubkey selects the user
// (the authid may then be omitted); an authid alone selects its user's one public key. A key or
// authid the router does not know still gets a challenge, so the exchange does not tell which
// ones exist; the signature check then fails.
import type { UserConfig } from '../config';
import { makeCryptosignChallenge, verifyCryptosignSignature } from '../../wamp/auth/cryptosign';
import type { Authenticator, AuthOutcome, HelloInfo } from './authenticator';
import { authFailed, once } from './outcome';
import { UserTable } from './users';

const PROVIDER = 'static';
const HEX32 = /^[0-9a-fA-F]{64}$/;

export class CryptosignAuthenticator implements Authenticator {
  readonly method = 'cryptosign';
  private readonly users: UserTable;

  constructor(users: readonly UserConfig[] | undefined) {
    this.users = new UserTable(users, (u) => typeof u.pubkey === 'string' && HEX32.test(u.pubkey));
  }

  get userCount(): number {
    return this.users.size;
  }

  begin(hello: HelloInfo): AuthOutcome {
    const pubkey = hello.authextra.pubkey;
    if (pubkey !== undefined && (typeof pubkey !== 'string' || !HEX32.test(pubkey))) return authFailed();
    if (pubkey === undefined && hello.authid === undefined) return authFailed();
    const user = this.select(pubkey, hello.authid);
    const challenge = makeCryptosignChallenge();
    return {
      kind: 'challenge',
      method: 'cryptosign',
      // No TLS channel binding here: the spec lets the router go on without it and say so.
      extra: { challenge, channel_binding: null },
      verify: once((signature) => {
        if (user?.pubkey === undefined || typeof signature !== 'string') return authFailed();
        if (!verifyCryptosignSignature(user.pubkey, challenge, signature)) return authFailed();
        return {
          kind: 'welcome',
          identity: {
            authid: user.authid,
            authrole: user.role,
            authmethod: 'cryptosign',
            authprovider: PROVIDER,
            authextra: { pubkey: user.pubkey.toLowerCase() },
          },
        };
      }),
    };
  }

  /** The user whose key is `pubkey` (and whose authid is `authid`, if given); or by authid alone. */
  private select(pubkey: string | undefined, authid: string | undefined): UserConfig | undefined {
    if (pubkey === undefined) return this.users.get(authid);
    const wanted = pubkey.toLowerCase();
    for (const u of this.users.values()) {
      if (u.pubkey?.toLowerCase() === wanted && (authid === undefined || u.authid === authid)) return u;
    }
    return undefined;
  }
}
