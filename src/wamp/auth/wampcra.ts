// WAMP-CRA: the challenge is signed with HMAC-SHA256; salted users sign with a key derived
// from their secret by PBKDF2-HMAC-SHA256, as Autobahn|JS and |Python do.
import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export interface CraSalt {
  salt: string;
  iterations?: number;
  keylen?: number;
}

/** base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen)), the key of a salted user. */
export function deriveCraKey(secret: string, salt: CraSalt): string {
  return pbkdf2Sync(secret, salt.salt, salt.iterations ?? 1000, salt.keylen ?? 32, 'sha256').toString(
    'base64',
  );
}

/** base64(HMAC-SHA256(key, challenge)). */
export function signCraChallenge(key: string, challenge: string): string {
  return createHmac('sha256', key).update(challenge).digest('base64');
}

export interface CraChallengeFields {
  authid: string;
  authrole: string;
  authmethod: 'wampcra';
  authprovider: string;
  nonce: string;
  timestamp: string;
  session: number;
}

/** The challenge string a router sends: JSON with a fresh nonce. */
export function makeCraChallenge(
  fields: Omit<CraChallengeFields, 'nonce' | 'timestamp' | 'authmethod'>,
): string {
  const full: CraChallengeFields = {
    authid: fields.authid,
    authrole: fields.authrole,
    authmethod: 'wampcra',
    authprovider: fields.authprovider,
    nonce: randomBytes(16).toString('base64'),
    timestamp: new Date().toISOString(),
    session: fields.session,
  };
  return JSON.stringify(full);
}
