// wamp-call streaming (progressive call invocations): a message with `msg.progress = true` is one
// chunk of the call its `msg.callId` names; the first chunk opens that call, the next message of
// the same callId without `msg.progress` sends the last chunk, and the result comes out on it as
// for any call. Chunks go out in the order the messages came, also while the first one still
// waits for its settings or the connection. A call that fails between chunks (timeout, callee
// error, cancel, lost session) is reported at once with the opening message (for Catch); the
// chunks that still come for it, and the closing message, fail with that error.
import type { CallOptions, CallResult, CallStream } from './library';
import type { NodeDone, NodeMessage } from './red-types';

/** What opening a stream gives back: the stream once its first chunk is out, and the node's own state for it. */
export interface Opened<S> {
  stream: Promise<CallStream>;
  state: S;
}

/** The end of a stream: its result, the node's state for it, and a cancel while the result is pending. */
export interface Closing<S> {
  result: Promise<CallResult>;
  state: S;
  cancel(): void;
}

interface Entry<S> {
  stream: Promise<CallStream>;
  state: S;
  opening: NodeMessage;
  cancel?: () => void;
  /** Set when the call failed before its last chunk. */
  failure?: unknown;
}

/**
 * The stream a message belongs to: `msg.callId`, else the invocation of a wamp-register chunk
 * (`msg._wamp.invocationId`), so that register → call → response passes a streamed call on.
 */
export function streamIdOf(msg: NodeMessage): string | undefined {
  const id = msg.callId;
  if (id !== undefined && id !== null && id !== '') return String(id);
  const inv = (msg._wamp as { invocationId?: unknown } | undefined)?.invocationId;
  return typeof inv === 'string' ? inv : undefined;
}

/** Calls that failed before their closing message came are kept this many at most (oldest out). */
const MAX_FAILED = 100;

export class CallStreams<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private failed = 0;

  /**
   * @param report a failure between chunks, with the opening message.
   * @param endedError the error a message for a failed call gets.
   */
  constructor(
    private readonly report: (error: unknown, opening: NodeMessage) => void,
    private readonly endedError: (callId: string, error: unknown) => Error,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * A chunk (`msg.progress = true`): opens the call `msg.callId` names, or sends the next chunk
   * of it. `done` is called once the chunk is handed to the session (no message comes out).
   */
  chunk(
    msg: NodeMessage,
    args: unknown[],
    kwargs: Record<string, unknown>,
    done: NodeDone,
    open: (hooks: Pick<CallOptions, 'cancelable'>) => Opened<S>,
    noCallId: () => Error,
  ): void {
    const id = streamIdOf(msg);
    if (id === undefined) return done(noCallId());
    const entry = this.entries.get(id);
    if (!entry) return this.open(id, msg, done, open);
    if (entry.failure !== undefined) return done(this.endedError(id, entry.failure));
    entry.stream.then(
      (s) => {
        // Answered early by the callee: the rest has nowhere to go; the result comes out on the closing message.
        if (s.closed) return done();
        try {
          s.send(args, kwargs);
        } catch (e) {
          // Not sent (a payload that cannot be serialized, the session just lost): this chunk fails.
          return done(e as Error);
        }
        done();
      },
      // The first chunk failed: reported already with the opening message.
      (e: unknown) => done(this.endedError(id, e)),
    );
  }

  /** The closing message of an open call: sends the last chunk, returns the call's outcome. */
  close(msg: NodeMessage, args: unknown[], kwargs: Record<string, unknown>): Closing<S> | undefined {
    // The common case, an ordinary call with no stream open: nothing to look up.
    if (this.entries.size === 0) return undefined;
    const id = streamIdOf(msg);
    const entry = id === undefined ? undefined : this.entries.get(id);
    if (!entry || id === undefined) return undefined;
    this.forget(id, entry);
    if (entry.failure !== undefined) {
      const failed = Promise.reject(this.endedError(id, entry.failure));
      return { result: failed, state: entry.state, cancel: () => undefined };
    }
    const result = entry.stream.then((s) => (s.closed ? s.result : s.end(args, kwargs)));
    return { result, state: entry.state, cancel: () => entry.cancel?.() };
  }

  /** Cancels the open calls, or the one `callId` names; true when there was one. */
  cancel(callId?: string): boolean {
    let found = false;
    for (const [id, entry] of this.entries) {
      if (callId !== undefined && id !== callId) continue;
      found = true;
      entry.cancel?.();
    }
    return found;
  }

  /** The node closes: every open call is canceled, none is reported. */
  closeAll(): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.failed = 0;
    for (const entry of all) {
      entry.failure ??= 'closed';
      entry.cancel?.();
    }
  }

  private open(
    id: string,
    msg: NodeMessage,
    done: NodeDone,
    open: (hooks: Pick<CallOptions, 'cancelable'>) => Opened<S>,
  ): void {
    // Made first: the cancel hook may come at once, while open() still runs.
    const self = { opening: msg } as Entry<S>;
    let opened: Opened<S>;
    try {
      opened = open({ cancelable: (c) => (self.cancel = c) });
    } catch (e) {
      return done(e as Error);
    }
    self.stream = opened.stream;
    self.state = opened.state;
    this.entries.set(id, self);
    const fail = (e: unknown): void => {
      if (self.failure !== undefined || this.entries.get(id) !== self) return;
      self.failure = e;
      this.failed++;
      this.trim();
      this.report(e, msg);
    };
    opened.stream.then(
      (s) => {
        // Watched until the closing message takes it over (close() forgets the entry first).
        s.result.catch(fail);
        done();
      },
      (e: unknown) => {
        // Not even the first chunk went out: this message fails; later chunks of the id too.
        if (this.entries.get(id) === self) {
          self.failure = e;
          this.failed++;
          this.trim();
        }
        done(e as Error);
      },
    );
  }

  private forget(id: string, entry: Entry<S>): void {
    if (this.entries.get(id) !== entry) return;
    this.entries.delete(id);
    if (entry.failure !== undefined) this.failed--;
  }

  /** Failed calls whose closing message never comes are not kept for ever. */
  private trim(): void {
    if (this.failed <= MAX_FAILED) return;
    for (const [id, entry] of this.entries) {
      if (entry.failure === undefined) continue;
      this.forget(id, entry);
      if (this.failed <= MAX_FAILED) return;
    }
  }
}
