// WAMP-Cryptosign login: the client proves it holds the Ed25519 private key of a configured
// public key by signing a random 32-byte challenge. HELLO.authextra.pubkey selects the user
// (the authid may then be omitted); an authid alone selects its user's public key if it has
// exactly one (an authid may be listed once per device, each with its own key). A key or
// authid the router does not know still gets a challenge, so the exchange does not tell which
// ones exist; the signature check then fails.
// TLS channel binding: a client that asks for it (HELLO.authextra.channel_binding "tls-unique",
// as Autobahn and Crossbar do) signs the challenge XOR the TLS connection's channel ID
// (transports/channel-binding.ts: the RFC 5929 one, or the server-Finished one Crossbar and
// Autobahn on Twisted use; both are accepted), so the signature is worthless on any other
// connection. Asked
// for on a connection without TLS, or with another binding type, the login is refused: going on
// unbound would silently drop the protection the client asked for.
import type { UserConfig } from '../config';
import { CHANNEL_BINDING_TYPES, type ChannelBindingType } from '../../transports/channel-binding';
import {
  boundChallenge,
  makeCryptosignChallenge,
  verifyCryptosignSignature,
} from '../../wamp/auth/cryptosign';
import { ErrorUri } from '../../wamp/errors';
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
    const binding = hello.authextra.channel_binding ?? null;
    if (binding !== null && !CHANNEL_BINDING_TYPES.includes(binding as ChannelBindingType))
      return refuse(`channel binding ${JSON.stringify(binding)} is not supported (only tls-unique)`);
    const channel = binding === null ? undefined : hello.channelBinding;
    if (binding !== null && !channel) return refuse(`channel binding ${binding} needs a TLS connection`);
    const user = this.select(pubkey, hello.authid);
    const challenge = makeCryptosignChallenge();
    // What the client may have signed: the challenge alone, or XOR the RFC 5929 channel ID, or
    // XOR the server-Finished one that Crossbar and Autobahn on Twisted use (channel-binding.ts).
    const signed = channel
      ? [
          ...new Set(
            [channel['tls-unique'], channel.serverFinished].map((id) => boundChallenge(challenge, id)),
          ),
        ]
      : [challenge];
    return {
      kind: 'challenge',
      method: 'cryptosign',
      extra: { challenge, channel_binding: binding },
      verify: once((signature) => {
        if (user?.pubkey === undefined || typeof signature !== 'string') return authFailed();
        const key = user.pubkey;
        if (!signed.some((message) => verifyCryptosignSignature(key, message, signature)))
          return authFailed();
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

/** A channel binding this connection cannot give: said plainly, it is no secret of the login. */
function refuse(message: string): AuthOutcome {
  return { kind: 'abort', reason: ErrorUri.AUTHENTICATION_FAILED, message };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
