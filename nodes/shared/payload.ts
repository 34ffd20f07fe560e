// How WAMP positional and keyword arguments map to Node-RED messages, in both directions; the
// same rule for results, invocations and events so that flows read alike.
import type { Args, Kwargs } from './library';
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
 * What one of these nodes put on a message it emitted (call result, invocation, event): the very
 * objects, not copies. Kept under a symbol: JSON (Debug sidebar, context, file) leaves it out,
 * while Node-RED's cloneMessage (lodash cloneDeep) copies it and keeps it aliased to the clone's
 * own `args`/`kwargs`/`payload`, so identity holds across clones on fan-out wires too.
 */
const EMITTED = Symbol.for('@wamp-nodes/emitted');

interface Emitted {
  args: Args;
  kwargs: Kwargs;
  payload: unknown;
}

type Stamped = NodeMessage & { [EMITTED]?: Emitted };

function emittedOf(msg: NodeMessage): Emitted | undefined {
  const e = (msg as Stamped)[EMITTED];
  return e !== undefined && typeof e === 'object' && Array.isArray(e.args) ? e : undefined;
}

/** Sets payload, args and kwargs on an emitted message and remembers them (see `argsFromMsg`). */
export function putArgs(msg: NodeMessage, args: Args, kwargs: Kwargs, intoPayload = true): void {
  // With `intoPayload` false (a wamp-call whose result goes to another property) msg.payload
  // stays as it was, and is recorded as emitted so that it still counts as unchanged.
  const payload = intoPayload ? payloadOf(args, kwargs) : msg.payload;
  msg.payload = payload;
  msg.args = args;
  msg.kwargs = kwargs;
  (msg as Stamped)[EMITTED] = { args, kwargs, payload };
}

/**
 * What a message carries as arguments:
 * - `msg.args`/`msg.kwargs` when present, else `msg.payload` as the single argument (none when undefined);
 * - except on a message that one of these nodes emitted (call result, invocation, event), where
 *   `args`/`kwargs` are the ones it received: if the flow has since put another value in
 *   `msg.payload` but left `msg.args` as it was, the new payload is what the flow means to send
 *   (a function node setting `msg.payload` between wamp-register and wamp-response, or between
 *   wamp-subscribe and wamp-publish). When it put new `msg.kwargs` there as well, those go with it.
 *
 * "Changed" is identity (`Object.is`), never a serialization: the payload the node emitted is
 * `args[0]`, `kwargs` or `args` itself, so a flow that edits it in place (`msg.payload.x = 1`)
 * edits the arguments too and they stay consistent; only a new value in `msg.payload` makes it
 * the argument. Nothing here reads the payload's content, whatever its size.
 */
export function argsFromMsg(msg: NodeMessage): ArgsAndKwargs {
  const hasArgs = Array.isArray(msg.args);
  const hasKwargs = isPlainObject(msg.kwargs);
  if (!hasArgs && !hasKwargs) return { args: msg.payload === undefined ? [] : [msg.payload], kwargs: {} };
  const e = emittedOf(msg);
  if (e && msg.args === e.args && !Object.is(msg.payload, e.payload)) {
    return {
      args: msg.payload === undefined ? [] : [msg.payload],
      kwargs: hasKwargs && msg.kwargs !== e.kwargs ? (msg.kwargs as Kwargs) : {},
    };
  }
  return { args: hasArgs ? (msg.args as Args) : [], kwargs: hasKwargs ? (msg.kwargs as Kwargs) : {} };
}

/**
 * The arguments the flow itself set on a message that one of these nodes emitted, for an
 * ERROR's payload: new `msg.args`/`msg.kwargs`, or a new `msg.payload`; never the arguments the
 * message arrived with. On a message without the record of what was emitted (it went through
 * JSON), `msg.args`/`msg.kwargs` when present, else `msg.payload`.
 */
export function flowSetArgs(msg: NodeMessage): ArgsAndKwargs {
  const e = emittedOf(msg);
  const kwargs =
    isPlainObject(msg.kwargs) && (e === undefined || msg.kwargs !== e.kwargs) ? (msg.kwargs as Kwargs) : {};
  if (Array.isArray(msg.args) && (e === undefined || msg.args !== e.args)) return { args: msg.args, kwargs };
  const payloadSet = e === undefined ? !Array.isArray(msg.args) : !Object.is(msg.payload, e.payload);
  return { args: payloadSet && msg.payload !== undefined ? [msg.payload] : [], kwargs };
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
