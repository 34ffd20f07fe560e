// The shapes the client hands to application code (and the Node-RED nodes code against). The
// options of REGISTER, SUBSCRIBE and PUBLISH are the protocol's own (src/wamp/options.ts).
import type {
  CallOptions as CallMessageOptions,
  CancelMode,
  PassthruOptions,
  PublishOptions as PublishMessageOptions,
} from '../wamp/options';
import type { WampError } from '../wamp/errors';
import type { ChunkListener } from './invocation-chunks';

export type { CancelMode, RegisterOptions, SubscribeOptions } from '../wamp/options';

/** CALL's options, and what this client does around the call. */
export interface CallOptions extends CallMessageOptions, PassthruOptions {
  /** Milliseconds; sent to a dealer announcing call_timeout and enforced locally as well. */
  timeout?: number;
  /** Progressive results: each RESULT with `progress` goes here; the promise resolves on the final one. */
  onProgress?: (r: CallResult) => void;
  /** Aborting sends CANCEL (if the dealer supports it) and rejects with `wamp.error.canceled`. */
  signal?: AbortSignal;
  /**
   * Called once, synchronously, with a function that cancels this call as aborting `signal`
   * would: the same effect without an AbortController per call (a hot path's cost).
   */
  cancelable?: (cancel: () => void) => void;
  cancelMode?: CancelMode;
  [key: string]: unknown;
}

export interface CallResult {
  args: unknown[];
  kwargs: Record<string, unknown>;
  details: Record<string, unknown>;
}

/**
 * Where `start` (Session, Connection) tells a call's outcome: the final result, or the error
 * (ERROR, canceled, timed out, session lost). Exactly one of the two, once.
 */
export interface CallReceiver {
  result(r: CallResult): void;
  error(e: WampError): void;
}

/** A call started with `start`: `cancel()` cancels it as aborting `CallOptions.signal` would. */
export interface CallHandle {
  cancel(): void;
}

export interface Invocation {
  args: unknown[];
  kwargs: Record<string, unknown>;
  details: Record<string, unknown>;
  /** The concrete procedure: details.procedure (pattern registrations) or the registered one. */
  procedure: string;
  /** Sends a progressive result; does nothing unless the caller asked for progress. */
  progress(args?: unknown[], kwargs?: Record<string, unknown>): void;
  /** Aborted on INTERRUPT, with the cancel mode as reason (made on first use). */
  readonly signal: AbortSignal;
  /**
   * The same as listening to `signal`, without an AbortController per invocation: `listener`
   * runs once on INTERRUPT (or when the session closes) with the reason. Returns an unsubscribe.
   */
  onAbort(listener: (reason: string) => void): () => void;
  /**
   * Progressive call invocations: true when the caller sends this call in chunks (the first
   * INVOCATION had `details.progress`). `args`/`kwargs` are the first chunk; `onChunk` gets the
   * others in order, the last with `final: true` (held until a listener comes). The handler may
   * answer before the last chunk: the call then ends and later chunks are dropped.
   */
  readonly chunked: boolean;
  /** Listens for the later chunks (see `chunked`); does nothing for an ordinary call. Returns an unsubscribe. */
  onChunk(listener: ChunkListener): () => void;
  /**
   * Answers the invocation as the handler's returned value would (a `Result`, or one value as
   * the only argument): YIELD. For a handler that returned `ANSWER_LATER`; the first answer
   * counts, later ones (and any after INTERRUPT or the session's end) do nothing.
   */
  answer(value: unknown): void;
  /** Answers with ERROR, as the handler's rejected promise would (see `answer`). */
  fail(error: unknown): void;
}

/**
 * What a handler returns to answer later, through `inv.answer()` or `inv.fail()`, rather than
 * with a promise: no promise and no closures per invocation (a hot path's cost).
 */
export const ANSWER_LATER: unique symbol = Symbol('wamp.answer-later');

export type InvocationHandler = (inv: Invocation) => unknown | Promise<unknown>;

/** What a handler returns to choose YIELD's args and kwargs exactly. */
export class Result implements Omit<CallResult, 'details'> {
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  /** YIELD options, e.g. payload passthru's `ppt_scheme`, `ppt_serializer`, `ppt_cipher`, `ppt_keyid`. */
  readonly options: Record<string, unknown>;

  constructor(
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: Record<string, unknown> = {},
  ) {
    this.args = args;
    this.kwargs = kwargs;
    this.options = options;
  }
}

export interface EventInfo {
  args: unknown[];
  kwargs: Record<string, unknown>;
  details: Record<string, unknown>;
  /** details.topic (pattern subscriptions) or the subscribed topic. */
  topic: string;
  publicationId: number;
}

export type EventHandler = (event: EventInfo) => void;

export interface Registration {
  readonly procedure: string;
  readonly id: number | undefined;
  unregister(): Promise<void>;
}

export interface Subscription {
  readonly topic: string;
  readonly id: number | undefined;
  unsubscribe(): Promise<void>;
}

/** PUBLISH's options, payload passthru mode's among them (see the README). */
export type PublishOptions = PublishMessageOptions & PassthruOptions;

export interface PublishResult {
  publicationId?: number;
}
