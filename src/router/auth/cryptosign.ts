// WAMP-Cryptosign login: the client proves it holds the Ed25519 private key of a configured
// public key by signing a random 32-byte challenge. HELLO.authextra.pubkey selects the user
// (the authid may then be omitted); an authid alone selects its user's public key if it has
// exactly one (an authid may be listed once per device, each with its own key). A key or
// authid the router does not know still gets a challenge, so the exchange does not tell which
// ones exist; the signature check then fails.
import type { UserConfig } from '../config';
import { makeCryptosignChallenge, verifyCryptosignSignature } from '../../wamp/auth/cryptosign';
import type { Authenticator, AuthOutcome, HelloInfo } from './authenticator';
import { authFailed, once } from './outcome';

const PROVIDER = 'static';
const HEX32 = /^[0-9a-fA-F]{64}$/;

export class CryptosignAuthenticator implements Authenticator {
  readonly method = 'cryptosign';
  /** Users with a valid public key, by lower-case key; and by authid. */
  private readonly byPubkey = new Map<string, UserConfig[]>();
  private readonly byAuthid = new Map<string, UserConfig[]>();

  constructor(users: readonly UserConfig[] | undefined) {
    for (const u of users ?? []) {
      if (typeof u.pubkey !== 'string' || !HEX32.test(u.pubkey)) continue;
      push(this.byPubkey, u.pubkey.toLowerCase(), u);
      push(this.byAuthid, u.authid, u);
    }
  }

  get userCount(): number {
    return this.byAuthid.size;
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
    if (pubkey === undefined) {
      const entries = authid === undefined ? undefined : this.byAuthid.get(authid);
      return entries?.length === 1 ? entries[0] : undefined;
    }
    return this.byPubkey.get(pubkey.toLowerCase())?.find((u) => authid === undefined || u.authid === authid);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
