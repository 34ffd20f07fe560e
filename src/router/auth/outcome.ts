// What every authenticator shares: the one failure answer, which never says which part of a
// login was wrong, and a comparison of secrets whose time does not depend on where they differ.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorUri } from '../../wamp/errors';
import type { AuthOutcome } from './authenticator';

export const AUTH_FAILED_MESSAGE = 'authentication failed';

/** The answer to every failed login: unknown user, missing credentials, wrong secret or signature. */
export function authFailed(): AuthOutcome {
  return { kind: 'abort', reason: ErrorUri.AUTHENTICATION_FAILED, message: AUTH_FAILED_MESSAGE };
}

/** The client offered no method this realm accepts. */
export function noMatchingAuthMethod(): AuthOutcome {
  return {
    kind: 'abort',
    reason: ErrorUri.NO_MATCHING_AUTH_METHOD,
    message: 'no matching authentication method',
  };
}

/**
 * Constant-time string equality. Both sides are hashed first so that neither the length of the
 * secret nor the position of the first difference shows in the time taken.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * A challenge round that accepts exactly one answer: a second AUTHENTICATE for the same
 * challenge (a replay) fails whatever it carries.
 */
export function once(check: (signature: string, extra: Record<string, unknown>) => AuthOutcome) {
  let used = false;
  return (signature: string, extra: Record<string, unknown>): AuthOutcome => {
    if (used) return authFailed();
    used = true;
    return check(signature, extra);
  };
}
