// How WAMP positional and keyword arguments map to Node-RED messages, in both directions; the
// same rule for results, invocations and events so that flows read alike.
import type { Args, Kwargs } from '../../src/wamp/messages';
import type { NodeMessage } from './red-types';

/** One argument: that argument. No arguments but keyword arguments: those. Otherwise the list. */
export function payloadOf(args: Args, kwargs: Kwargs): unknown {
  if (args.length === 1) return args[0];
  if (args.length === 0 && Object.keys(kwargs).length > 0) return kwargs;
  return args;
}

export interface ArgsAndKwargs {
  args: Args;
  kwargs: Kwargs;
}

/** `msg.args`/`msg.kwargs` when given, else `msg.payload` as the single argument (none when undefined). */
export function argsFromMsg(msg: NodeMessage): ArgsAndKwargs {
  const hasArgs = Array.isArray(msg.args);
  const hasKwargs = isPlainObject(msg.kwargs);
  if (hasArgs || hasKwargs) {
    return { args: hasArgs ? (msg.args as Args) : [], kwargs: hasKwargs ? (msg.kwargs as Kwargs) : {} };
  }
  return { args: msg.payload === undefined ? [] : [msg.payload], kwargs: {} };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** A trimmed non-empty string, or undefined. */
export function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Session ids from a list or a comma/space-separated string; undefined when there are none. */
export function sessionIds(v: unknown): number[] | undefined {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s,]+/) : typeof v === 'number' ? [v] : [];
  const ids = items.map((x) => Number(x)).filter((x) => Number.isSafeInteger(x) && x > 0);
  return ids.length > 0 ? ids : undefined;
}
