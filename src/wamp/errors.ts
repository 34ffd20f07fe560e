// The error URIs this library sends or acts on, defined here once, and errors as values that
// carry one. Code compares URIs (`e.uri === ErrorUri.TIMEOUT`), never an error's text.
import type { Args, Kwargs } from './messages';

export const ErrorUri = {
  INVALID_URI: 'wamp.error.invalid_uri',
  NO_SUCH_PROCEDURE: 'wamp.error.no_such_procedure',
  PROCEDURE_ALREADY_EXISTS: 'wamp.error.procedure_already_exists',
  NO_SUCH_REGISTRATION: 'wamp.error.no_such_registration',
  NO_SUCH_SUBSCRIPTION: 'wamp.error.no_such_subscription',
  INVALID_ARGUMENT: 'wamp.error.invalid_argument',
  CANCELED: 'wamp.error.canceled',
  PAYLOAD_SIZE_EXCEEDED: 'wamp.error.payload_size_exceeded',
  PROTOCOL_VIOLATION: 'wamp.error.protocol_violation',
  NOT_AUTHORIZED: 'wamp.error.not_authorized',
  AUTHORIZATION_FAILED: 'wamp.error.authorization_failed',
  NO_SUCH_REALM: 'wamp.error.no_such_realm',
  NO_SUCH_ROLE: 'wamp.error.no_such_role',
  NO_SUCH_SESSION: 'wamp.error.no_such_session',
  TIMEOUT: 'wamp.error.timeout',
  AUTHENTICATION_FAILED: 'wamp.error.authentication_failed',
  NO_AUTH_METHOD: 'wamp.error.no_auth_method',
  NO_MATCHING_AUTH_METHOD: 'wamp.error.no_matching_auth_method',
  FEATURE_NOT_SUPPORTED: 'wamp.error.feature_not_supported',
  OPTION_NOT_ALLOWED: 'wamp.error.option_not_allowed',
  NO_AVAILABLE_CALLEE: 'wamp.error.no_available_callee',
  /** ABORT from routers (Crossbar.io) that know no such authid. */
  NO_SUCH_PRINCIPAL: 'wamp.error.no_such_principal',
  /** ABORT from a client that cannot answer a CHALLENGE (Autobahn uses the same URI). */
  CANNOT_AUTHENTICATE: 'wamp.error.cannot_authenticate',
  /** A callee's handler threw something that is not a WampError (Autobahn's URI for it). */
  RUNTIME_ERROR: 'wamp.error.runtime_error',
  /** This router's answer when a client reaches one of its limits (router/limits.ts); not in the spec. */
  LIMIT_EXCEEDED: 'wamp.error.limit_exceeded',
  /** wamp.subscription.get_events on a subscription without event history (Crossbar's URI). */
  HISTORY_UNAVAILABLE: 'wamp.error.history_unavailable',
  /** The reason of a revocation by wamp.registration.remove / wamp.subscription.remove when none is given (the spec's example). */
  REMOVED: 'wamp.error.removed',
  /** Raised by this library when a session or transport goes away under a pending request. */
  CONNECTION_LOST: 'wamp.error.connection_lost',
} as const;

/** ABORT reasons that say the router refused this client's credentials or identity. */
export const AUTH_REFUSALS: ReadonlySet<string> = new Set([
  ErrorUri.NOT_AUTHORIZED,
  ErrorUri.AUTHENTICATION_FAILED,
  ErrorUri.NO_SUCH_PRINCIPAL,
  ErrorUri.NO_SUCH_ROLE,
  ErrorUri.NO_AUTH_METHOD,
  ErrorUri.NO_MATCHING_AUTH_METHOD,
  ErrorUri.CANNOT_AUTHENTICATE,
]);

/** Other spellings of "canceled" that peers send; accept them, send `wamp.error.canceled`. */
export const CANCELED_ALIASES: readonly string[] = [
  ErrorUri.CANCELED,
  'wamp.error.cancelled',
  'wamp.error.call_cancelling',
];

export const CloseUri = {
  SYSTEM_SHUTDOWN: 'wamp.close.system_shutdown',
  CLOSE_REALM: 'wamp.close.close_realm',
  GOODBYE_AND_OUT: 'wamp.close.goodbye_and_out',
  NORMAL: 'wamp.close.normal',
  KILLED: 'wamp.close.killed',
} as const;

/** An error with a WAMP URI: what ERROR and ABORT carry, and what this library throws. */
export class WampError extends Error {
  readonly uri: string;
  readonly args: Args;
  readonly kwargs: Kwargs;
  readonly details: Record<string, unknown>;

  constructor(uri: string, args: Args = [], kwargs: Kwargs = {}, details: Record<string, unknown> = {}) {
    super(WampError.describe(uri, args, kwargs));
    this.name = 'WampError';
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
    this.details = details;
  }

  /** A readable message: the URI, then the first string argument or a `message` kwarg, if any. */
  static describe(uri: string, args: Args, kwargs: Kwargs): string {
    const text =
      typeof args[0] === 'string' ? args[0] : typeof kwargs.message === 'string' ? kwargs.message : '';
    return text ? `${uri}: ${text}` : uri;
  }
}

export function isWampError(e: unknown): e is WampError {
  return e instanceof WampError;
}

/** The text of anything thrown: an Error's message, else the value as a string. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** For the log of an internal error: the stack trace when there is one, else errorMessage. */
export function errorStack(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/**
 * Anything thrown as a WampError: a WampError as it is (its URI is the cause, e.g. a transport's
 * payload_size_exceeded), anything else with `uri` and its message.
 */
export function toWampError(e: unknown, uri: string): WampError {
  return e instanceof WampError ? e : new WampError(uri, [errorMessage(e)]);
}
