// WAMP errors as Node-RED sees them: `msg.error` carries the URI and payload, and the Error given
// to `done` has `code` = URI, which Node-RED copies to the Catch node's `msg.error.code` (the
// runtime replaces `msg.error` there and keeps ours as `msg._error`). The message is the error's
// text alone (its first string argument, or a `message` kwarg), the URI when it has none: the
// URI already is `code`, and the Debug sidebar shows the message as it is.
import { ErrorUri, errorMessage, isWampError } from '../../src/index';
import type { NodeMessage } from './red-types';

export interface MsgError {
  uri: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  message: string;
}

export function describeError(e: unknown): MsgError {
  if (isWampError(e)) return { uri: e.uri, args: e.args, kwargs: e.kwargs, message: textOf(e) };
  const message = errorMessage(e);
  return { uri: ErrorUri.RUNTIME_ERROR, args: [message], kwargs: {}, message };
}

function textOf(e: { uri: string; args: unknown[]; kwargs: Record<string, unknown> }): string {
  const text =
    typeof e.args[0] === 'string' ? e.args[0] : typeof e.kwargs.message === 'string' ? e.kwargs.message : '';
  return text || e.uri;
}

/**
 * What `done` gets: Node-RED puts `String(error)` in the Catch node's `msg.error.message` and in
 * the log, which for a plain Error reads "Error: <message>"; this one reads as its message.
 */
class FlowError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }

  override toString(): string {
    return this.message;
  }
}

/** Sets `msg.error` and returns the Error to hand to `done`. */
export function failMsg(msg: NodeMessage, e: unknown): Error {
  const info = describeError(e);
  msg.error = info;
  return new FlowError(info.message, info.uri);
}

/**
 * A refusal's reason, short enough for a node status: WAMP's own errors in their words
 * ("wamp.error.not_authorized" -> "not authorized"), any other error by its URI.
 */
export function reasonOf(e: unknown): string {
  const { uri, message } = describeError(e);
  if (uri.startsWith('wamp.error.')) return uri.slice('wamp.error.'.length).replace(/_/g, ' ');
  return uri === ErrorUri.RUNTIME_ERROR ? message : uri;
}
