// The callee role: REGISTER/UNREGISTER, running handlers on INVOCATION, YIELD or ERROR back,
// progressive YIELDs, and INTERRUPT (aborts the handler's signal).
import { ErrorUri, toWampError, type WampError } from '../wamp/errors';
import {
  MessageType,
  payload,
  payloadOf,
  type Dict,
  type ErrorMessage,
  type InterruptMessage,
  type InvocationMessage,
  type RegisteredMessage,
  type UnregisteredMessage,
  type WampMessage,
} from '../wamp/messages';
import { EndedStreams, InvocationChunks } from './invocation-chunks';
import { PendingMap, type PendingEntry } from './pending';
import { cleanDict, trySend, type RoleContext } from './role';
import {
  Result,
  type Invocation,
  type InvocationHandler,
  type RegisterOptions,
  type Registration,
} from './types';

interface RegistrationRecord {
  id: number;
  procedure: string;
  handler: InvocationHandler;
}

interface RegisterEntry extends PendingEntry<RegistrationRecord> {
  procedure: string;
  handler: InvocationHandler;
}

interface Running {
  /**
   * Made only when the handler looks at `inv.signal`: most handlers never do, and an
   * AbortController per invocation was a visible cost at full call rates.
   */
  controller?: AbortController;
  /** Why the invocation was aborted, for a signal asked for afterwards. */
  abortedWith?: string;
  listeners?: Set<(reason: string) => void>;
  /** Set once YIELD or ERROR went out (or INTERRUPT settled it), so nothing is sent twice. */
  done: boolean;
  /** A progressive call invocation's later chunks. */
  chunks?: InvocationChunks;
}

function abortRunning(state: Running, reason: string): void {
  state.done = true;
  state.abortedWith = reason;
  state.controller?.abort(reason);
  const listeners = state.listeners;
  state.listeners = undefined;
  for (const listener of listeners ?? []) listener(reason);
}

function onAbortOf(state: Running, listener: (reason: string) => void): () => void {
  if (state.abortedWith !== undefined) {
    listener(state.abortedWith);
    return () => undefined;
  }
  (state.listeners ??= new Set()).add(listener);
  return () => state.listeners?.delete(listener);
}

function signalOf(state: Running): AbortSignal {
  if (!state.controller) {
    state.controller = new AbortController();
    if (state.abortedWith !== undefined) state.controller.abort(state.abortedWith);
  }
  return state.controller.signal;
}

class SessionRegistration implements Registration {
  constructor(
    private readonly callee: Callee,
    private record: RegistrationRecord | null,
    readonly procedure: string,
  ) {}

  get id(): number | undefined {
    return this.record && this.callee.isActive(this.record) ? this.record.id : undefined;
  }

  unregister(): Promise<void> {
    const record = this.record;
    this.record = null;
    return record ? this.callee.unregister(record) : Promise.resolve();
  }
}

export class Callee {
  private readonly registering = new PendingMap<RegistrationRecord, RegisterEntry>(MessageType.REGISTER);
  private readonly unregistering = new PendingMap<void>(MessageType.UNREGISTER);
  private readonly registrations = new Map<number, RegistrationRecord>();
  private readonly running = new Map<number, Running>();
  private readonly endedStreams = new EndedStreams();

  constructor(private readonly ctx: RoleContext) {}

  isActive(record: RegistrationRecord): boolean {
    return this.registrations.get(record.id) === record;
  }

  async register(
    procedure: string,
    handler: InvocationHandler,
    options: RegisterOptions = {},
  ): Promise<Registration> {
    if (!this.ctx.isOpen) throw this.ctx.closedError();
    const id = this.ctx.nextId();
    const registered = new Promise<RegistrationRecord>((resolve, reject) =>
      this.registering.add(id, { procedure, handler, resolve, reject }),
    );
    const failed = trySend(this.ctx, [MessageType.REGISTER, id, cleanDict(options), procedure]);
    if (failed) this.registering.take(id)?.reject(failed);
    const record = await registered;
    return new SessionRegistration(this, record, procedure);
  }

  unregister(record: RegistrationRecord): Promise<void> {
    // Already gone (revoked, or the session closed): nothing left to undo.
    if (!this.isActive(record) || !this.ctx.isOpen) return Promise.resolve();
    this.registrations.delete(record.id);
    const id = this.ctx.nextId();
    const done = new Promise<void>((resolve, reject) => this.unregistering.add(id, { resolve, reject }));
    this.ctx.send([MessageType.UNREGISTER, id, record.id]);
    return done;
  }

  onRegistered(msg: RegisteredMessage): void {
    const entry = this.registering.take(msg[1]);
    if (!entry) return this.ctx.violation(`REGISTERED for unknown request ${msg[1]}`);
    // An INVOCATION may follow REGISTERED before the promise's continuation runs: record it now.
    const record: RegistrationRecord = { id: msg[2], procedure: entry.procedure, handler: entry.handler };
    this.registrations.set(record.id, record);
    entry.resolve(record);
  }

  onUnregistered(msg: UnregisteredMessage): void {
    if (msg[1] === 0) {
      const details: Dict = msg[2] ?? {};
      const regId = details.registration;
      if (typeof regId === 'number' && this.registrations.delete(regId))
        this.ctx.revoked('registration', regId, details);
      return;
    }
    if (!this.unregistering.resolve(msg[1], undefined))
      this.ctx.violation(`UNREGISTERED for unknown request ${msg[1]}`);
  }

  onError(msg: ErrorMessage): void {
    const map = msg[1] === MessageType.REGISTER ? this.registering : this.unregistering;
    if (!map.rejectWith(msg)) this.ctx.violation(`ERROR for unknown request ${msg[2]}`);
  }

  onInvocation(msg: InvocationMessage): void {
    const [, request, regId, details] = msg;
    const running = this.running.get(request);
    if (running) return this.onChunk(request, running, msg);
    if (this.endedStreams.late(request, details.progress !== true)) return;
    const record = this.registrations.get(regId);
    if (!record) {
      // An invocation racing our UNREGISTER: answer it rather than leave the caller waiting.
      this.ctx.send([MessageType.ERROR, MessageType.INVOCATION, request, {}, ErrorUri.NO_SUCH_REGISTRATION]);
      return;
    }
    const { args, kwargs } = payloadOf(msg, 4);
    const state: Running = { done: false };
    if (details.progress === true) state.chunks = new InvocationChunks();
    this.running.set(request, state);
    const inv: Invocation = {
      args: args ?? [],
      kwargs: kwargs ?? {},
      details,
      procedure: details.procedure ?? record.procedure,
      get signal() {
        return signalOf(state);
      },
      onAbort: (listener) => onAbortOf(state, listener),
      chunked: state.chunks !== undefined,
      onChunk: (listener) => state.chunks?.listen(listener) ?? (() => false),
      progress: (a, k) => {
        if (state.done || details.receive_progress !== true || !this.ctx.isOpen) return;
        this.ctx.send([MessageType.YIELD, request, { progress: true }, ...payload(a, k)]);
      },
    };
    void this.run(request, state, record.handler, inv);
  }

  private async run(
    request: number,
    state: Running,
    handler: InvocationHandler,
    inv: Invocation,
  ): Promise<void> {
    let reply: () => WampMessage;
    try {
      const value = await handler(inv);
      const [a, k, o] =
        value instanceof Result
          ? [value.args, value.kwargs, value.options]
          : value === undefined
            ? [[], {}, {}]
            : [[value], {}, {}];
      reply = () => [MessageType.YIELD, request, o, ...payload(a, k)];
    } catch (e) {
      const err = toWampError(e, ErrorUri.RUNTIME_ERROR);
      reply = () => [
        MessageType.ERROR,
        MessageType.INVOCATION,
        request,
        {},
        err.uri,
        ...payload(err.args, err.kwargs),
      ];
    }
    if (state.done) return;
    state.done = true;
    this.running.delete(request);
    this.streamEnded(request, state);
    if (!this.ctx.isOpen) return;
    const failed = trySend(this.ctx, reply());
    // A result that cannot be serialized still owes the caller an answer.
    if (failed)
      this.ctx.send([
        MessageType.ERROR,
        MessageType.INVOCATION,
        request,
        {},
        failed.uri,
        ...payload(failed.args),
      ]);
  }

  /** The next chunk of a progressive call invocation (same request ID as one running). */
  private onChunk(request: number, state: Running, msg: InvocationMessage): void {
    if (!state.chunks || state.chunks.final)
      return this.ctx.violation(`INVOCATION request ${request} reused while that invocation runs`);
    const { args, kwargs } = payloadOf(msg, 4);
    const details = msg[3];
    state.chunks.push({ args: args ?? [], kwargs: kwargs ?? {}, details, final: details.progress !== true });
  }

  /** A streamed invocation answered before its last chunk: the chunks still coming are dropped. */
  private streamEnded(request: number, state: Running): void {
    if (!state.chunks) return;
    if (!state.chunks.final) this.endedStreams.add(request);
    state.chunks.clear();
  }

  onInterrupt(msg: InterruptMessage): void {
    const state = this.running.get(msg[1]);
    // The invocation may have finished already: INTERRUPT and YIELD crossed.
    if (!state) return;
    const mode = msg[2].mode ?? 'kill';
    this.running.delete(msg[1]);
    this.streamEnded(msg[1], state);
    abortRunning(state, mode);
    // In killnowait mode the dealer has answered the caller already and expects nothing back.
    if (mode !== 'killnowait') {
      this.ctx.send([MessageType.ERROR, MessageType.INVOCATION, msg[1], {}, ErrorUri.CANCELED]);
    }
  }

  close(error: WampError): void {
    this.registering.rejectAll(error);
    this.unregistering.rejectAll(error);
    this.registrations.clear();
    for (const state of this.running.values()) abortRunning(state, 'session closed');
    this.running.clear();
  }
}
