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

/**
 * What a message carries as arguments:
 * - `msg.args`/`msg.kwargs` when present, else `msg.payload` as the single argument (none when undefined);
 * - except on a message that one of these nodes emitted (call result, invocation, event), where
 *   `args`/`kwargs` are the ones it received: if the flow has since changed `msg.payload` but not
 *   them, the new payload is what the flow means to send (a function node setting `msg.payload`
 *   between wamp-register and wamp-response, or between wamp-subscribe and wamp-publish). When
 *   it changed `msg.kwargs` as well, those go with the new payload.
 */
export function argsFromMsg(msg: NodeMessage): ArgsAndKwargs {
  const hasArgs = Array.isArray(msg.args);
  const hasKwargs = isPlainObject(msg.kwargs);
  const fromPayload = (): ArgsAndKwargs => ({
    args: msg.payload === undefined ? [] : [msg.payload],
    kwargs: {},
  });
  if (!hasArgs && !hasKwargs) return fromPayload();
  const stamp = stampOf(msg);
  if (stamp && fingerprint(msg.args) === stamp.args && fingerprint(msg.payload) !== stamp.payload) {
    const kwargsChanged = hasKwargs && fingerprint(msg.kwargs) !== stamp.kwargs;
    return { args: fromPayload().args, kwargs: kwargsChanged ? (msg.kwargs as Kwargs) : {} };
  }
  return { args: hasArgs ? (msg.args as Args) : [], kwargs: hasKwargs ? (msg.kwargs as Kwargs) : {} };
}

interface Stamp {
  args: string;
  kwargs: string;
  payload: string;
}

/**
 * Sets payload, args and kwargs on an emitted message and records them (see `argsFromMsg`).
 * With `intoPayload` false, `msg.payload` is left as it is (a wamp-call whose result goes to
 * another property): the record then holds that payload, so it still counts as unchanged.
 */
export function putArgs(msg: NodeMessage, args: Args, kwargs: Kwargs, intoPayload = true): void {
  if (intoPayload) msg.payload = payloadOf(args, kwargs);
  msg.args = args;
  msg.kwargs = kwargs;
  const wamp = isPlainObject(msg._wamp) ? msg._wamp : {};
  msg._wamp = {
    ...wamp,
    stamp: { args: fingerprint(args), kwargs: fingerprint(kwargs), payload: fingerprint(msg.payload) },
  };
}

function stampOf(msg: NodeMessage): Stamp | undefined {
  const stamp = isPlainObject(msg._wamp) ? msg._wamp.stamp : undefined;
  return isPlainObject(stamp) && typeof stamp.args === 'string' && typeof stamp.payload === 'string'
    ? (stamp as unknown as Stamp)
    : undefined;
}

/** A value's identity for change detection; values JSON cannot encode never match. */
function fingerprint(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'undefined';
  } catch {
    return `unencodable ${Math.random()}`;
  }
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
  const items = Array.isArray(v)
    ? v
    : typeof v === 'string'
      ? v.split(/[\s,]+/)
      : typeof v === 'number'
        ? [v]
        : [];
  const ids = items.map((x) => Number(x)).filter((x) => Number.isSafeInteger(x) && x > 0);
  return ids.length > 0 ? ids : undefined;
}
