// TLS channel binding (RFC 5929 `tls-unique`) for WAMP-cryptosign: a client that signs its
// challenge XOR the TLS connection's channel ID proves it is talking over *this* TLS connection,
// so a router in the middle cannot forward the signature to another. The channel ID is what
// Autobahn uses: SHA-256 over the first TLS Finished message of the handshake (the client's in a
// full handshake, the server's in a resumed one), as Autobahn|Python on asyncio computes it
// (CPython's ssl get_channel_binding).
//
// Autobahn|Python on Twisted, and so Crossbar (a Twisted program using Autobahn's code), take the
// *server's* Finished message instead, at both ends (autobahn/twisted/util.py picks
// get_finished() on the server and get_peer_finished() on the client for a new session). The
// two cannot verify each other's signatures; a router accepting both, as ours does, serves both
// kinds of client. Either Finished message belongs to this one TLS connection, so a signature
// bound to either is worthless on another.
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
  /** RFC 5929 tls-unique: SHA-256 of the handshake's first Finished message. */
  'tls-unique': Buffer;
  /** SHA-256 of the server's Finished message: what Crossbar and Autobahn on Twisted call tls-unique. */
  serverFinished: Buffer;
}

export type ChannelBindingType = 'tls-unique';
export const CHANNEL_BINDING_TYPES: readonly ChannelBindingType[] = ['tls-unique'];

/**
 * The channel binding of a socket whose TLS handshake is complete, seen from `side`; undefined
 * for a plain socket (or one whose handshake did not finish).
 */
export function tlsChannelBinding(socket: unknown, side: 'server' | 'client'): ChannelBinding | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (tls?.encrypted !== true || typeof tls.getFinished !== 'function') return undefined;
  // The first Finished of the handshake: the client's, unless the session was resumed.
  const own = tls.getFinished();
  const peer = tls.getPeerFinished?.();
  if (!own || !peer || own.length === 0 || peer.length === 0) return undefined;
  const ownIsFirst = (side === 'client') !== (tls.isSessionReused?.() === true);
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
  return {
    'tls-unique': sha256(ownIsFirst ? own : peer),
    serverFinished: sha256(side === 'server' ? own : peer),
  };
}
