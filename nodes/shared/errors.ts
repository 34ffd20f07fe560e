// WAMP errors as Node-RED sees them: `msg.error` carries the URI and payload, and the Error given
// to `done` has `code` = URI, which Node-RED copies to the Catch node's `msg.error.code` (the
// runtime replaces `msg.error` there and keeps ours as `msg._error`).
import { isWampError } from './library';
import type { NodeMessage } from './red-types';

export interface MsgError {
  uri: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  message: string;
}

const RUNTIME_ERROR = 'wamp.error.runtime_error';

export function describeError(e: unknown): MsgError {
  if (isWampError(e)) return { uri: e.uri, args: e.args, kwargs: e.kwargs, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { uri: RUNTIME_ERROR, args: [message], kwargs: {}, message };
}

/** Sets `msg.error` and returns the Error to hand to `done`. */
export function failMsg(msg: NodeMessage, e: unknown): Error {
  const info = describeError(e);
  msg.error = info;
  const err = new Error(info.message) as Error & { code?: string };
  err.code = info.uri;
  return err;
}

/**
 * A refusal's reason, short enough for a node status: WAMP's own errors in their words
 * ("wamp.error.not_authorized" -> "not authorized"), any other error by its URI.
 */
export function reasonOf(e: unknown): string {
  const { uri, message } = describeError(e);
  if (uri.startsWith('wamp.error.')) return uri.slice('wamp.error.'.length).replace(/_/g, ' ');
  return uri === RUNTIME_ERROR ? message : uri;
}
