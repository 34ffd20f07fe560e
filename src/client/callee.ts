// The callee role: REGISTER/UNREGISTER, running handlers on INVOCATION, YIELD or ERROR back,
// progressive YIELDs, and INTERRUPT (aborts the handler's signal).
import { ErrorUri, toWampError, type WampError } from '../wamp/errors';
import {
  MessageType,
  withPayload,
  type Dict,
  type ErrorMessage,
  type InterruptMessage,
  type InvocationMessage,
  type RegisteredMessage,
  type UnregisteredMessage,
  type WampMessage,
  type YieldMessage,
} from '../wamp/messages';
import { EndedStreams, type ChunkListener, InvocationChunks } from './invocation-chunks';
import { PendingMap, type PendingEntry } from './pending';
import { cleanDict, trySend, type RoleContext } from './role';
import {
  ANSWER_LATER,
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

/**
 * An invocation being handled: what the handler sees (`Invocation`) and its state, in one object
 * with its methods on the prototype. It lives for the handler's whole run, and at full call
 * rates every object that outlives a minor GC is copied (and promoted): one instead of five.
 */
class Running implements Invocation {
  /**
   * Made only when the handler looks at `inv.signal`: most handlers never do, and an
   * AbortController per invocation was a visible cost at full call rates.
   */
  private controller: AbortController | undefined = undefined;
  /** Why the invocation was aborted, for a signal asked for afterwards. */
  private abortedWith: string | undefined = undefined;
  /** One listener (the usual case) or a set of them. */
  private listeners: ((reason: string) => void) | Set<(reason: string) => void> | undefined = undefined;
  /** Set once YIELD or ERROR went out (or INTERRUPT settled it), so nothing is sent twice. */
  done = false;
  /** A progressive call invocation's later chunks. */
  readonly chunks: InvocationChunks | undefined;

  constructor(
    private readonly ctx: RoleContext,
    private readonly callee: Callee,
    readonly request: number,
    readonly args: unknown[],
    readonly kwargs: Record<string, unknown>,
    readonly details: Dict,
    readonly procedure: string,
  ) {
    this.chunks = details.progress === true ? new InvocationChunks() : undefined;
  }

  get chunked(): boolean {
    return this.chunks !== undefined;
  }

  onChunk(listener: ChunkListener): () => void {
    return this.chunks?.listen(listener) ?? (() => undefined);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith !== undefined) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  onAbort(listener: (reason: string) => void): () => void {
    if (this.abortedWith !== undefined) {
      listener(this.abortedWith);
      return () => undefined;
    }
    const current = this.listeners;
    if (current === undefined) this.listeners = listener;
    else if (typeof current === 'function') this.listeners = new Set([current, listener]);
    else current.add(listener);
    return () => this.removeListener(listener);
  }

  private removeListener(listener: (reason: string) => void): void {
    const current = this.listeners;
    if (current === listener) this.listeners = undefined;
    else if (current instanceof Set) current.delete(listener);
  }

  progress(args?: unknown[], kwargs?: Record<string, unknown>): void {
    if (this.done || this.details.receive_progress !== true || !this.ctx.isOpen) return;
    this.ctx.send(
      withPayload([MessageType.YIELD, this.request, { progress: true }] as YieldMessage, args, kwargs),
    );
  }

  answer(value: unknown): void {
    this.callee.answer(this, value);
  }

  fail(error: unknown): void {
    this.callee.fail(this, error);
  }

  abort(reason: string): void {
    this.done = true;
    this.abortedWith = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (typeof listeners === 'function') listeners(reason);
    else for (const listener of listeners ?? []) listener(reason);
  }
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
    const request = msg[1];
    const details = msg[3];
    const running = this.running.get(request);
    if (running) return this.onChunk(request, running, msg);
    if (this.endedStreams.late(request, details.progress !== true)) return;
    const record = this.registrations.get(msg[2]);
    if (!record) {
      // An invocation racing our UNREGISTER: answer it rather than leave the caller waiting.
      this.ctx.send([MessageType.ERROR, MessageType.INVOCATION, request, {}, ErrorUri.NO_SUCH_REGISTRATION]);
      return;
    }
    const inv = new Running(
      this.ctx,
      this,
      request,
      msg.length > 4 ? msg[4]! : [],
      msg.length > 5 ? msg[5]! : {},
      details,
      details.procedure ?? record.procedure,
    );
    this.running.set(request, inv);
    let value: unknown;
    try {
      value = record.handler(inv);
    } catch (e) {
      return this.fail(inv, e);
    }
    // Answered through inv.answer()/fail(), when the handler says so: nothing to wait for here.
    if (value === ANSWER_LATER) return;
    // Settled through then() directly: no async function's own promise and await per
    // invocation (Promise.resolve hands a native promise back as it is).
    Promise.resolve(value).then(
      (v) => this.answer(inv, v),
      (e: unknown) => this.fail(inv, e),
    );
  }

  /** YIELD with the handler's value (once: see reply). */
  answer(inv: Running, value: unknown): void {
    if (value instanceof Result)
      this.reply(inv, [MessageType.YIELD, inv.request, value.options], value.args, value.kwargs);
    else this.reply(inv, [MessageType.YIELD, inv.request, {}], value === undefined ? [] : [value]);
  }

  /** ERROR for the handler's failure (once: see reply). */
  fail(inv: Running, e: unknown): void {
    if (inv.done) return;
    const err = toWampError(e, ErrorUri.RUNTIME_ERROR);
    this.reply(
      inv,
      [MessageType.ERROR, MessageType.INVOCATION, inv.request, {}, err.uri],
      err.args,
      err.kwargs,
    );
  }

  private reply(inv: Running, head: unknown[], args?: unknown[], kwargs?: Record<string, unknown>): void {
    if (inv.done) return;
    inv.done = true;
    this.running.delete(inv.request);
    this.streamEnded(inv);
    if (!this.ctx.isOpen) return;
    const failed = trySend(this.ctx, withPayload(head, args, kwargs) as WampMessage);
    // A result that cannot be serialized still owes the caller an answer.
    if (failed)
      this.ctx.send(
        withPayload(
          [MessageType.ERROR, MessageType.INVOCATION, inv.request, {}, failed.uri] as ErrorMessage,
          failed.args,
        ),
      );
  }

  /** The next chunk of a progressive call invocation (same request ID as one running). */
  private onChunk(request: number, inv: Running, msg: InvocationMessage): void {
    if (!inv.chunks || inv.chunks.final)
      return this.ctx.violation(`INVOCATION request ${request} reused while that invocation runs`);
    const details = msg[3];
    inv.chunks.push({
      args: msg.length > 4 ? msg[4]! : [],
      kwargs: msg.length > 5 ? msg[5]! : {},
      details,
      final: details.progress !== true,
    });
  }

  /** A streamed invocation answered before its last chunk: the chunks still coming are dropped. */
  private streamEnded(inv: Running): void {
    if (!inv.chunks) return;
    if (!inv.chunks.final) this.endedStreams.add(inv.request);
    inv.chunks.clear();
  }

  onInterrupt(msg: InterruptMessage): void {
    const state = this.running.get(msg[1]);
    // The invocation may have finished already: INTERRUPT and YIELD crossed.
    if (!state) return;
    const mode = msg[2].mode ?? 'kill';
    this.running.delete(msg[1]);
    this.streamEnded(state);
    state.abort(mode);
    // In killnowait mode the dealer has answered the caller already and expects nothing back.
    if (mode !== 'killnowait') {
      this.ctx.send([MessageType.ERROR, MessageType.INVOCATION, msg[1], {}, ErrorUri.CANCELED]);
    }
  }

  close(error: WampError): void {
    this.registering.rejectAll(error);
    this.unregistering.rejectAll(error);
    this.registrations.clear();
    for (const state of this.running.values()) state.abort('session closed');
    this.running.clear();
  }
}
