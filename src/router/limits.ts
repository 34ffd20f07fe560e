// The router's own limits: what one connection or session may hold, so that no client can
// exhaust the router for the others. Each has a default far above what a well-behaved peer needs;
// `RouterOptions.limits` (and the CLI's config file) overrides any of them. A client that hits a
// limit gets `wamp.error.limit_exceeded` (or the ABORT/close named below), and the router logs it.
import { ErrorUri } from '../wamp/errors';

export interface RouterLimits {
  /**
   * Deepest nesting of lists and dicts in one message, the message list itself being level 1.
   * Deeper messages are refused from their sender (ERROR for CALL and acknowledged PUBLISH,
   * otherwise ABORT protocol_violation): the router could not re-encode them for receivers.
   */
  maxDepth: number;
  /** From connection to WELCOME (CHALLENGE → AUTHENTICATE included); then ABORT wamp.error.timeout. */
  handshakeTimeoutMs: number;
  /** Connections that have not joined a realm yet, counted apart from `maxSessions`. */
  maxPendingSessions: number;
  /** Connections in their handshake from one remote address. */
  maxPendingPerAddress: number;
  /** Longest message (bytes) accepted before WELCOME: HELLO and AUTHENTICATE are small. */
  maxHandshakeMessageBytes: number;
  /** Longest realm name, authid and authrole in a HELLO (characters). */
  maxRealmLength: number;
  maxAuthidLength: number;
  maxAuthroleLength: number;
  /** Subscriptions and registrations one session may hold. */
  maxSubscriptionsPerSession: number;
  maxRegistrationsPerSession: number;
  /** Testaments one session may leave (both scopes together). */
  maxTestamentsPerSession: number;
  /** Retained events kept per realm, by count and by (approximate) payload bytes; oldest go first. */
  maxRetainedEvents: number;
  maxRetainedBytes: number;
  /** Events kept by the realm's event history (all its patterns together), by count and bytes. */
  maxHistoryEvents: number;
  maxHistoryBytes: number;
}

export const DEFAULT_LIMITS: Readonly<RouterLimits> = Object.freeze({
  maxDepth: 64,
  handshakeTimeoutMs: 10_000,
  maxPendingSessions: 1000,
  maxPendingPerAddress: 32,
  maxHandshakeMessageBytes: 64 * 1024,
  maxRealmLength: 255,
  maxAuthidLength: 255,
  maxAuthroleLength: 255,
  maxSubscriptionsPerSession: 10_000,
  maxRegistrationsPerSession: 1000,
  maxTestamentsPerSession: 100,
  maxRetainedEvents: 1000,
  maxRetainedBytes: 16 * 1024 * 1024,
  maxHistoryEvents: 10_000,
  maxHistoryBytes: 16 * 1024 * 1024,
});

/** Why a HELLO is refused by the length limits (the ABORT to send), or null. */
export function helloOverLimits(
  realm: string,
  details: Record<string, unknown>,
  limits: RouterLimits,
): { uri: string; text: string } | null {
  if (realm.length > limits.maxRealmLength)
    return { uri: ErrorUri.INVALID_URI, text: `realm URI longer than ${limits.maxRealmLength} characters` };
  for (const [key, max] of [
    ['authid', limits.maxAuthidLength],
    ['authrole', limits.maxAuthroleLength],
  ] as const) {
    const v = details[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > max))
      return {
        uri: ErrorUri.INVALID_ARGUMENT,
        text: `HELLO ${key} must be a string of at most ${max} characters`,
      };
  }
  return null;
}

/** The defaults with `overrides` applied; a value that is not a positive number is an error. */
export function resolveLimits(overrides: Partial<RouterLimits> = {}): RouterLimits {
  const out: RouterLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_LIMITS)) throw new Error(`unknown router limit "${key}"`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0))
      throw new Error(`router limit "${key}" must be a positive number, not ${JSON.stringify(value)}`);
    out[key as keyof RouterLimits] = value;
  }
  return out;
}
