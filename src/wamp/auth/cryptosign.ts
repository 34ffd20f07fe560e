// WAMP-Cryptosign: Ed25519 over a 32-byte challenge. AUTHENTICATE carries
// hex(signature (64 bytes) ‖ challenge (32 bytes)). Node's crypto does Ed25519; raw 32-byte
// keys are wrapped in their fixed DER prefixes to become KeyObjects.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function isHex(s: string, bytes: number): boolean {
  return s.length === bytes * 2 && /^[0-9a-fA-F]*$/.test(s);
}

/** A private key from a 32-byte seed given as hex (the form Autobahn and Crossbar use). */
export function privateKeyFromSeed(seedHex: string): KeyObject {
  if (!isHex(seedHex, 32)) throw new Error('cryptosign private key must be 32 bytes as 64 hex characters');
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function publicKeyFromHex(pubHex: string): KeyObject {
  if (!isHex(pubHex, 32)) throw new Error('cryptosign public key must be 32 bytes as 64 hex characters');
  return createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, Buffer.from(pubHex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

/** The hex public key belonging to a hex seed. */
export function publicKeyHexOf(seedHex: string): string {
  const der = createPublicKey(privateKeyFromSeed(seedHex)).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length).toString('hex');
}

/**
 * What is signed under TLS channel binding: the challenge XOR the 32-byte channel ID (as hex).
 * Autobahn signs this and sends it after the signature; without binding it is the challenge.
 */
export function boundChallenge(challengeHex: string, channelId: Buffer | undefined): string {
  if (!channelId) return challengeHex;
  const challenge = Buffer.from(challengeHex, 'hex');
  if (challenge.length !== 32 || channelId.length !== 32)
    throw new Error('cryptosign channel binding needs a 32-byte challenge and channel ID');
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) out[i] = challenge[i] ^ channelId[i];
  return out.toString('hex');
}

export function makeCryptosignChallenge(): string {
  return randomBytes(32).toString('hex');
}

/** hex(signature ‖ challenge), 192 hex characters. */
export function signCryptosignChallenge(seedHex: string, challengeHex: string): string {
  const challenge = Buffer.from(challengeHex, 'hex');
  const signature = sign(null, challenge, privateKeyFromSeed(seedHex));
  return Buffer.concat([signature, challenge]).toString('hex');
}

/** Checks an AUTHENTICATE signature against the challenge that was sent and the user's public key. */
export function verifyCryptosignSignature(
  pubHex: string,
  challengeHex: string,
  signatureHex: string,
): boolean {
  if (!isHex(signatureHex, 96) && !isHex(signatureHex, 64)) return false;
  const sig = Buffer.from(signatureHex, 'hex');
  if (sig.length === 96 && !sig.subarray(64).equals(Buffer.from(challengeHex, 'hex'))) return false;
  try {
    return verify(null, Buffer.from(challengeHex, 'hex'), publicKeyFromHex(pubHex), sig.subarray(0, 64));
  } catch {
    return false;
  }
}
