// The caller role: CALL, progressive RESULTs, CANCEL (via AbortSignal) and timeouts.
import { CANCELED_ALIASES, ErrorUri, WampError } from '../wamp/errors';
import {
  MessageType,
  withPayload,
  type CallMessage,
  type Dict,
  type ErrorMessage,
  type ResultMessage,
} from '../wamp/messages';
import { PendingMap, errorFromMessage, type PendingEntry } from './pending';
import type { CancelMode } from '../wamp/options';
import { TimeoutQueues, type TimeoutHandle } from '../timers/timeout-queues';
import { openCallStream, type CallStream } from './call-stream';
import { trySend, type RoleContext } from './role';
import type { CallHandle, CallOptions, CallReceiver, CallResult } from './types';

/**
 * One outstanding call. A class rather than closures: a call's state lives for its whole round
 * trip, and at full call rates every object that outlives a minor GC is copied (and promoted).
 * It is also the handle `Caller.start` returns: `cancel()` cancels the call as aborting its
 * signal would.
 */
class CallEntry implements PendingEntry<CallResult>, CallHandle {
  timeout: TimeoutHandle | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    private readonly caller: Caller,
    private readonly id: number,
    private readonly receiver: CallReceiver,
    readonly onProgress: ((r: CallResult) => void) | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly ms: number,
    private readonly mode: CancelMode,
  ) {}

  timedOut(): void {
    this.timeout = undefined;
    this.caller.cancel(
      this.id,
      'killnowait',
      new WampError(ErrorUri.TIMEOUT, [`call timed out after ${this.ms} ms`]),
    );
  }

  cancel(): void {
    this.caller.cancel(this.id, this.mode, new WampError(ErrorUri.CANCELED, ['call canceled by caller']));
  }

  resolve(r: CallResult): void {
    this.cleanup();
    settle(this.receiver, r, undefined);
  }

  reject(e: WampError): void {
    this.cleanup();
    settle(this.receiver, undefined, e);
  }

  private cleanup(): void {
    timeouts.cancel(this.timeout);
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
  }
}

/**
 * Hands a call's outcome to its receiver. The receiver is the application's (`Caller.start`):
 * whatever it throws stays out of the session's message loop.
 */
function settle(receiver: CallReceiver, r: CallResult | undefined, e: WampError | undefined): void {
  try {
    if (e) receiver.error(e);
    else receiver.result(r!);
  } catch {
    // The application's receiver must not break the session.
  }
}

/** A promise's settle functions as a receiver (`Caller.call`). */
class Settlers implements CallReceiver {
  constructor(
    readonly result: (r: CallResult) => void,
    readonly error: (e: WampError) => void,
  ) {}
}

/** A handle for a call that was never sent: nothing to cancel. */
const NOT_SENT: CallHandle = { cancel: () => undefined };

/** A call that cannot be sent: `receiver` hears `error` at once; nothing to cancel. */
export function notSent(receiver: CallReceiver, error: WampError): CallHandle {
  settle(receiver, undefined, error);
  return NOT_SENT;
}

function resultOf(msg: ResultMessage): CallResult {
  return { args: msg.length > 3 ? msg[3]! : [], kwargs: msg.length > 4 ? msg[4]! : {}, details: msg[2] };
}

/** The calls' timeouts: one timer per length for every session of this process. */
const timeouts = new TimeoutQueues();
const timedOut = (entry: CallEntry): void => entry.timedOut();

/** CALL's options dict from the caller's options, without the local ones and undefined values. */
function wireOptions(options: CallOptions): Dict {
  const wire: Dict = {};
  for (const k in options) {
    const v = options[k];
    if (v !== undefined && !isLocalOption(k)) wire[k] = v;
  }
  return wire;
}

/** Options that stay on this side; every other (defined) option goes into CALL's dict. */
function isLocalOption(k: string): boolean {
  return k === 'onProgress' || k === 'signal' || k === 'cancelable' || k === 'cancelMode' || k === 'timeout';
}

export class Caller {
  private readonly calls = new PendingMap<CallResult, CallEntry>(MessageType.CALL);
  /** Whether the dealer takes CALL's timeout: fixed by WELCOME, asked once (every call needs it). */
  private dealerTimeout: boolean | undefined = undefined;
  /** The last frozen options seen, and their CALL dict (see wireFor). */
  private lastOptions: CallOptions | undefined = undefined;
  private lastWire: Dict | undefined = undefined;

  constructor(private readonly ctx: RoleContext) {}

  call(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options: CallOptions = {},
    /** Told the request ID and options once the CALL is out (progressive call invocations). */
    sent?: (id: number, wire: Record<string, unknown>) => void,
  ): Promise<CallResult> {
    if (!this.ctx.isOpen) return Promise.reject(this.ctx.closedError());
    if (options.signal?.aborted)
      return Promise.reject(new WampError(ErrorUri.CANCELED, ['call canceled before it was sent']));
    return new Promise<CallResult>((resolve, reject) => {
      this.begin(procedure, args, kwargs, options, new Settlers(resolve, reject), sent);
    });
  }

  /**
   * The same call as `call`, its outcome told to `receiver` (synchronously, from the session's
   * message handling, or at once when it cannot be sent) instead of a promise: no promise and
   * no closures per call. Returns the handle that cancels it.
   */
  start(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Record<string, unknown> | undefined,
    options: CallOptions,
    receiver: CallReceiver,
  ): CallHandle {
    if (!this.ctx.isOpen) return notSent(receiver, this.ctx.closedError());
    if (options.signal?.aborted) {
      return notSent(receiver, new WampError(ErrorUri.CANCELED, ['call canceled before it was sent']));
    }
    return this.begin(procedure, args, kwargs, options, receiver, undefined);
  }

  private begin(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Record<string, unknown> | undefined,
    options: CallOptions,
    receiver: CallReceiver,
    sent: ((id: number, wire: Record<string, unknown>) => void) | undefined,
  ): CallEntry {
    const { onProgress, signal, cancelable, timeout } = options;
    const wire = this.wireFor(options);

    const id = this.ctx.nextId();
    const ms = timeout !== undefined && timeout > 0 ? timeout : 0;
    const entry = new CallEntry(this, id, receiver, onProgress, signal, ms, options.cancelMode ?? 'kill');
    this.calls.add(id, entry);
    if (signal || cancelable) {
      entry.onAbort = (): void => entry.cancel();
      signal?.addEventListener('abort', entry.onAbort, { once: true });
    }
    if (ms > 0) entry.timeout = timeouts.start(ms, timedOut, entry);
    const failed = trySend(
      this.ctx,
      withPayload([MessageType.CALL, id, wire, procedure] as CallMessage, args, kwargs),
    );
    if (failed) {
      this.calls.take(id)?.reject(failed);
      return entry;
    }
    sent?.(id, wire);
    // After the CALL is out: a cancel from inside the hook must not precede it.
    if (cancelable && entry.onAbort) cancelable(entry.onAbort);
    return entry;
  }

  /**
   * CALL's options dict. Frozen options (a caller's options for every call, e.g. a wamp-call
   * node's) make the same dict each time: it is made once, frozen, and sent by every such call
   * (nothing on the way writes to a CALL's options).
   */
  private wireFor(options: CallOptions): Dict {
    if (options === this.lastOptions) return this.lastWire!;
    const wire = wireOptions(options);
    if (options.onProgress) wire.receive_progress = true;
    const timeout = options.timeout;
    if (timeout !== undefined && timeout > 0) {
      this.dealerTimeout ??= this.ctx.routerHas('dealer', 'call_timeout');
      if (this.dealerTimeout) wire.timeout = timeout;
    }
    if (!Object.isFrozen(options)) return wire;
    this.lastOptions = options;
    this.lastWire = Object.freeze(wire);
    return wire;
  }

  /** A progressive call invocation: the first chunk now, the others through the stream. */
  stream(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options: CallOptions = {},
  ): CallStream {
    return openCallStream(this.ctx, procedure, options, (o, sent) =>
      this.call(procedure, args, kwargs, o, sent),
    );
  }

  /**
   * Sends CANCEL where the dealer supports it. In `kill` mode the dealer answers with ERROR once
   * the callee has stopped, so the call waits for it; otherwise the call settles at once.
   */
  cancel(id: number, mode: CancelMode, error: WampError): void {
    if (!this.calls.has(id)) return;
    const canCancel = this.ctx.isOpen && this.ctx.routerHas('dealer', 'call_canceling');
    if (canCancel) this.ctx.send([MessageType.CANCEL, id, { mode }]);
    if (!canCancel || mode !== 'kill') this.calls.take(id)?.reject(error);
  }

  onResult(msg: ResultMessage): void {
    const entry = this.calls.get(msg[1]);
    // A result for a call already canceled or timed out: the race is normal, not a violation.
    if (!entry) return;
    const result = resultOf(msg);
    if (msg[2].progress === true) {
      if (entry.onProgress) {
        try {
          entry.onProgress(result);
        } catch {
          // The application's progress callback must not break the session.
        }
      }
      return;
    }
    this.calls.take(msg[1])?.resolve(result);
  }

  onError(msg: ErrorMessage): void {
    const entry = this.calls.take(msg[2]);
    if (!entry) return;
    const err = errorFromMessage(msg);
    entry.reject(
      CANCELED_ALIASES.includes(err.uri)
        ? new WampError(ErrorUri.CANCELED, err.args, err.kwargs, err.details)
        : err,
    );
  }

  close(error: WampError): void {
    this.calls.rejectAll(error);
  }
}
