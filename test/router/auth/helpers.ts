// Shared pieces of the router authentication tests.
import assert from 'node:assert/strict';
import type { AuthOutcome, HelloInfo, Identity } from '../../../src/router/auth/authenticator';
import type { Dict } from '../../../src/wamp/messages';

export function hello(fields: Partial<HelloInfo> = {}): HelloInfo {
  return { realm: 'realm1', sessionId: 1234, authmethods: [], authextra: {}, ...fields };
}

export const FAILED: AuthOutcome = {
  kind: 'abort',
  reason: 'wamp.error.authentication_failed',
  message: 'authentication failed',
};

export function assertFailed(outcome: AuthOutcome): void {
  assert.deepEqual(outcome, FAILED);
}

export type Challenge = Extract<AuthOutcome, { kind: 'challenge' }>;

export function assertChallenge(outcome: AuthOutcome, method: string): Challenge {
  assert.equal(outcome.kind, 'challenge', `expected a challenge, got ${JSON.stringify(outcome)}`);
  const c = outcome as Challenge;
  assert.equal(c.method, method);
  return c;
}

export function assertWelcome(outcome: AuthOutcome): Identity {
  assert.equal(outcome.kind, 'welcome', `expected a welcome, got ${JSON.stringify(outcome)}`);
  return (outcome as Extract<AuthOutcome, { kind: 'welcome' }>).identity;
}

/** Runs a challenge round: the client's answer is computed from CHALLENGE.extra. */
export function answer(outcome: AuthOutcome, method: string, sign: (extra: Dict) => string): AuthOutcome {
  const c = assertChallenge(outcome, method);
  return c.verify(sign(c.extra), {});
}
