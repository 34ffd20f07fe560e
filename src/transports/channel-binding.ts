// TLS channel binding (RFC 5929 `tls-unique`) for WAMP-cryptosign: a client that signs its
// challenge XOR the TLS connection's channel ID proves it is talking over *this* TLS connection,
// so a router in the middle cannot forward the signature to another. The channel ID is what
// Autobahn and Crossbar use: SHA-256 over the first TLS Finished message of the handshake (the
// client's in a full handshake, the server's in a resumed one).
//
// TLS 1.3 does not define tls-unique (RFC 8446 appendix C.5; RFC 9266 replaced it with
// tls-exporter). There OpenSSL, and so Autobahn|Python (asyncio and Twisted) and Crossbar, still
// hand out the client's TLS 1.3 Finished message; we take the same, or we could not interoperate.
// A TLS 1.3 Finished is bound to the whole handshake transcript, and TLS 1.3 has no
// renegotiation, the two things the tls-unique attacks (triple handshake) relied on.
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** Channel IDs by binding type (Autobahn's transport_details.channel_id); only TLS transports have one. */
export interface ChannelBinding {
  'tls-unique': Buffer;
}

export type ChannelBindingType = keyof ChannelBinding;
export const CHANNEL_BINDING_TYPES: readonly ChannelBindingType[] = ['tls-unique'];

/**
 * The channel binding of a socket whose TLS handshake is complete, seen from `side`; undefined
 * for a plain socket (or one whose handshake did not finish).
 */
export function tlsChannelBinding(socket: unknown, side: 'server' | 'client'): ChannelBinding | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (tls?.encrypted !== true || typeof tls.getFinished !== 'function') return undefined;
  // The first Finished of the handshake: the client's, unless the session was resumed.
  const ownIsFirst = (side === 'client') !== (tls.isSessionReused?.() === true);
  const finished = ownIsFirst ? tls.getFinished() : tls.getPeerFinished?.();
  if (!finished || finished.length === 0) return undefined;
  return { 'tls-unique': createHash('sha256').update(finished).digest() };
}
