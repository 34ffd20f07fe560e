// The client side of authentication: which methods HELLO offers, and how each CHALLENGE is
// answered. The crypto itself lives in src/wamp/auth; this file only maps credentials to it.
import type { ChannelBinding } from '../transports/channel-binding';
import { boundChallenge, publicKeyHexOf, signCryptosignChallenge } from '../wamp/auth/cryptosign';
import { deriveCraKey, signCraChallenge } from '../wamp/auth/wampcra';
import { ErrorUri, WampError } from '../wamp/errors';
import type { Dict } from '../wamp/messages';

export interface ClientCredentials {
  authid?: string;
  authmethods?: string[];
  ticket?: string;
  /** WAMP-CRA secret; salt, iterations and keylen come from the CHALLENGE. */
  secret?: string;
  /** Cryptosign Ed25519 seed, 64 hex characters. */
  privateKey?: string;
  /**
   * Cryptosign TLS channel binding: sign the challenge XOR the TLS connection's channel ID, so
   * the login only works on this connection (needs a wss:// or rss:// transport).
   */
  channelBinding?: 'tls-unique';
  authextra?: Dict;
}

export interface HelloAuth {
  authmethods: string[];
  authid?: string;
  authextra?: Dict;
}

/** The methods to offer: the ones asked for, else those the given credentials allow, else anonymous. */
export function authMethodsFor(c: ClientCredentials): string[] {
  if (c.authmethods && c.authmethods.length > 0) return [...c.authmethods];
  const methods: string[] = [];
  if (c.privateKey) methods.push('cryptosign');
  if (c.secret !== undefined) methods.push('wampcra');
  if (c.ticket !== undefined) methods.push('ticket');
  return methods.length > 0 ? methods : ['anonymous'];
}

/** The authentication part of HELLO.Details. Cryptosign needs `authextra.pubkey`. */
export function helloAuth(c: ClientCredentials): HelloAuth {
  const out: HelloAuth = { authmethods: authMethodsFor(c) };
  if (c.authid !== undefined) out.authid = c.authid;
  const extra: Dict = { ...(c.authextra ?? {}) };
  if (c.privateKey && out.authmethods.includes('cryptosign') && extra.pubkey === undefined) {
    extra.pubkey = publicKeyHexOf(c.privateKey);
  }
  if (c.channelBinding && out.authmethods.includes('cryptosign')) extra.channel_binding = c.channelBinding;
  if (Object.keys(extra).length > 0) out.authextra = extra;
  return out;
}

function cannot(text: string): WampError {
  return new WampError(ErrorUri.CANNOT_AUTHENTICATE, [text]);
}

/**
 * AUTHENTICATE's signature for a CHALLENGE; throws a WampError when the credentials do not fit.
 * `binding` is the transport's TLS channel binding (for cryptosign with `channelBinding`).
 */
export function answerChallenge(
  c: ClientCredentials,
  method: string,
  extra: Dict,
  binding?: ChannelBinding,
): { signature: string; extra: Dict } {
  switch (method) {
    case 'ticket':
      if (c.ticket === undefined) throw cannot('router asked for a ticket, none configured');
      return { signature: c.ticket, extra: {} };
    case 'wampcra': {
      if (c.secret === undefined) throw cannot('router asked for wampcra, no secret configured');
      if (typeof extra.challenge !== 'string') throw cannot('wampcra challenge without a challenge string');
      const key =
        typeof extra.salt === 'string'
          ? deriveCraKey(c.secret, {
              salt: extra.salt,
              iterations: typeof extra.iterations === 'number' ? extra.iterations : undefined,
              keylen: typeof extra.keylen === 'number' ? extra.keylen : undefined,
            })
          : c.secret;
      return { signature: signCraChallenge(key, extra.challenge), extra: {} };
    }
    case 'cryptosign': {
      if (!c.privateKey) throw cannot('router asked for cryptosign, no private key configured');
      if (typeof extra.challenge !== 'string' || !/^[0-9a-fA-F]{64}$/.test(extra.challenge)) {
        throw cannot('cryptosign challenge must be 32 bytes as hex');
      }
      if (!c.channelBinding)
        return { signature: signCryptosignChallenge(c.privateKey, extra.challenge), extra: {} };
      const channelId = binding?.[c.channelBinding];
      if (!channelId)
        throw cannot(`channel binding ${c.channelBinding} needs a TLS connection (wss:// or rss://)`);
      return {
        signature: signCryptosignChallenge(c.privateKey, boundChallenge(extra.challenge, channelId)),
        extra: {},
      };
    }
    default:
      throw cannot(`unsupported authentication method ${method}`);
  }
}
