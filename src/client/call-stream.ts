// Progressive call invocations (advanced profile), the caller's side: one call sent as several
// CALL messages with the same request ID and procedure, each but the last with `progress: true`.
// The dealer hands them to one callee as INVOCATIONs of one invocation ID. The first CALL goes
// out through Caller.call(), so that the result, progressive results, cancel and the timeout
// (counted from the first chunk) work as for any call; the chunks that follow repeat its options.
import { ErrorUri, WampError } from '../wamp/errors';
import { MessageType, payload, type Dict } from '../wamp/messages';
import { cleanDict, trySend, type RoleContext } from './role';
import type { CallOptions, CallResult } from './types';

export const PROGRESSIVE_CALL_INVOCATIONS = 'progressive_call_invocations';

/** A call sent in chunks. */
export interface CallStream {
  readonly procedure: string;
  /** The call's outcome: the final RESULT, or the ERROR (canceled, timed out, refused ...). */
  readonly result: Promise<CallResult>;
  /** True once the last chunk went out or the call ended: send() and end() then throw. */
  readonly closed: boolean;
  /** Sends one more chunk (CALL with `progress: true`). Throws a WampError when closed. */
  send(args?: unknown[], kwargs?: Record<string, unknown>): void;
  /** Sends the last chunk (CALL without `progress`) and returns `result`. Throws when closed. */
  end(args?: unknown[], kwargs?: Record<string, unknown>): Promise<CallResult>;
}

/** How the caller starts the call: `sent` hears the request ID and the options of the first CALL. */
export type StartCall = (options: CallOptions, sent: (id: number, wire: Dict) => void) => Promise<CallResult>;

class OpenCallStream implements CallStream {
  private id = 0;
  private wire: Dict = {};
  private ended = false;
  private settled = false;
  readonly result: Promise<CallResult>;

  constructor(
    private readonly ctx: RoleContext,
    readonly procedure: string,
    start: StartCall,
    options: CallOptions,
  ) {
    this.result = start({ ...options, progress: true }, (id, wire) => {
      this.id = id;
      this.wire = cleanDict(wire);
    });
    // The call may end before the last chunk (canceled, timed out, answered early by the callee).
    const settle = (): void => {
      this.settled = true;
    };
    this.result.then(settle, settle);
    // Not sent at all (session closed, bad options): nothing more can follow.
    if (this.id === 0) this.ended = true;
  }

  get closed(): boolean {
    return this.ended || this.settled;
  }

  send(args?: unknown[], kwargs?: Record<string, unknown>): void {
    this.chunk(true, args, kwargs);
  }

  end(args?: unknown[], kwargs?: Record<string, unknown>): Promise<CallResult> {
    this.chunk(false, args, kwargs);
    return this.result;
  }

  private chunk(more: boolean, args?: unknown[], kwargs?: Record<string, unknown>): void {
    if (this.closed || !this.ctx.isOpen) {
      this.ended = true;
      throw new WampError(ErrorUri.INVALID_ARGUMENT, [
        `the progressive call of ${this.procedure} has ended: no more chunks can be sent`,
      ]);
    }
    const { progress: _, ...options } = this.wire;
    const failed = trySend(this.ctx, [
      MessageType.CALL,
      this.id,
      more ? { ...options, progress: true } : options,
      this.procedure,
      ...payload(args, kwargs),
    ]);
    // A chunk that cannot be serialized is not sent; the call goes on and the caller may retry.
    if (failed) throw failed;
    if (!more) this.ended = true;
  }
}

/** A stream already over: the call could not start. */
class FailedCallStream implements CallStream {
  readonly closed = true;
  readonly result: Promise<CallResult>;

  constructor(
    readonly procedure: string,
    private readonly error: WampError,
  ) {
    this.result = Promise.reject(error);
    // Whoever holds the stream sees the error through send(), end() or result; never unhandled.
    this.result.catch(() => undefined);
  }

  send(): void {
    throw this.error;
  }

  end(): Promise<CallResult> {
    return this.result;
  }
}

/**
 * Opens a progressive call invocation: the first chunk (`args`, `kwargs`) goes out at once. The
 * dealer must have announced the feature; the callee's support is checked by the dealer, which
 * answers `wamp.error.feature_not_supported` for a callee without it.
 */
export function openCallStream(
  ctx: RoleContext,
  procedure: string,
  options: CallOptions,
  start: StartCall,
): CallStream {
  if (!ctx.isOpen) return new FailedCallStream(procedure, ctx.closedError());
  if (!ctx.routerHas('dealer', PROGRESSIVE_CALL_INVOCATIONS))
    return new FailedCallStream(
      procedure,
      new WampError(ErrorUri.FEATURE_NOT_SUPPORTED, [
        `the router does not announce ${PROGRESSIVE_CALL_INVOCATIONS}`,
      ]),
    );
  return new OpenCallStream(ctx, procedure, start, options);
}

/** A stream for a caller without a session. */
export function failedCallStream(procedure: string, error: WampError): CallStream {
  return new FailedCallStream(procedure, error);
}
