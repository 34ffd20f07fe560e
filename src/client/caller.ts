// The caller role: CALL, progressive RESULTs, CANCEL (via AbortSignal) and timeouts.
import { CANCELED_ALIASES, ErrorUri, WampError } from '../wamp/errors';
import { MessageType, payload, payloadOf, type ErrorMessage, type ResultMessage } from '../wamp/messages';
import type { CancelMode } from '../wamp/options';
import { openCallStream, type CallStream } from './call-stream';
import { PendingMap, errorFromMessage, type PendingEntry } from './pending';
import { cleanDict, trySend, type RoleContext } from './role';
import type { CallOptions, CallResult } from './types';

interface CallEntry extends PendingEntry<CallResult> {
  onProgress?: (r: CallResult) => void;
}

function resultOf(msg: ResultMessage): CallResult {
  const { args, kwargs } = payloadOf(msg, 3);
  return { args: args ?? [], kwargs: kwargs ?? {}, details: msg[2] };
}

export class Caller {
  private readonly calls = new PendingMap<CallResult, CallEntry>(MessageType.CALL);

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
    const { onProgress, signal, cancelable, cancelMode, timeout, ...wire } = options;
    if (signal?.aborted)
      return Promise.reject(new WampError(ErrorUri.CANCELED, ['call canceled before it was sent']));
    if (onProgress) wire.receive_progress = true;
    if (timeout !== undefined && timeout > 0 && this.ctx.routerHas('dealer', 'call_timeout'))
      wire.timeout = timeout;

    const id = this.ctx.nextId();
    return new Promise<CallResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void =>
        this.cancel(id, cancelMode ?? 'kill', new WampError(ErrorUri.CANCELED, ['call canceled by caller']));
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.calls.add(id, {
        onProgress,
        resolve: (r) => {
          cleanup();
          resolve(r);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined && timeout > 0) {
        timer = setTimeout(
          () =>
            this.cancel(
              id,
              'killnowait',
              new WampError(ErrorUri.TIMEOUT, [`call timed out after ${timeout} ms`]),
            ),
          timeout,
        );
      }
      const failed = trySend(this.ctx, [
        MessageType.CALL,
        id,
        cleanDict(wire),
        procedure,
        ...payload(args, kwargs),
      ]);
      if (failed) {
        this.calls.take(id)?.reject(failed);
        return;
      }
      sent?.(id, wire);
      // After the CALL is out: a cancel from inside the hook must not precede it.
      cancelable?.(onAbort);
    });
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
  private cancel(id: number, mode: CancelMode, error: WampError): void {
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
