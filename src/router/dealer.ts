// The dealer: registrations (exact, prefix, wildcard; shared with an invoke policy), calls
// routed to one callee by the spec's precedence, progressive results, canceling, timeouts,
// caller identification. A call never waits forever: it ends with RESULT or ERROR when its
// callee answers, leaves, times out, or the caller cancels. Options arrive checked by the parser
// (src/wamp/options.ts): their types are trusted here.
import { disclosure } from './broker';
import { type Invocation, Invocations } from './invocations';
import { Matcher } from './matcher';
import { PASSTHRU_FEATURE, passthruOf, passthruProblem, passthruUnsupported } from './passthru';
import type { Realm } from './realm';
import { pick, type Registration, sharingConflict } from './registration';
import type { RouterSession } from './session';
import { ErrorUri, WampError } from '../wamp/errors';
import { randomId } from '../wamp/ids';
import {
  MessageType as M,
  type CallMessage,
  type CancelMessage,
  type ErrorMessage,
  type Payload,
  type RegisterMessage,
  type UnregisterMessage,
  type WampMessage,
  type YieldMessage,
} from '../wamp/messages';
import type { CancelMode, InvocationDetails, MatchPolicy, ResultDetails } from '../wamp/options';

export type { Registration } from './registration';

export const DEALER_FEATURES = [
  'pattern_based_registration',
  'shared_registration',
  'caller_identification',
  'progressive_call_results',
  'call_canceling',
  'call_timeout',
  'progressive_call_invocations',
  'registration_revocation',
  PASSTHRU_FEATURE,
];

export class Dealer {
  private readonly registrations = new Matcher<Registration>();
  private readonly byId = new Map<number, Registration>();
  private readonly bySession = new Map<RouterSession, Set<Registration>>();
  private readonly invocations = new Invocations((inv) => this.timedOut(inv));

  constructor(
    private readonly realm: Realm,
    private readonly callTimeoutMs: number,
  ) {}

  register(session: RouterSession, msg: RegisterMessage): void {
    const [, request, options, procedure] = msg;
    const match = options.match ?? 'exact';
    const invoke = options.invoke ?? 'single';
    const grant = this.realm.permitPattern(session, 'register', procedure, match);
    if (grant instanceof WampError) return session.sendError(M.REGISTER, request, grant);
    const max = this.realm.limits.maxRegistrationsPerSession;
    if (!session.trusted && (this.bySession.get(session)?.size ?? 0) >= max) {
      this.realm.logger.warn(
        `session ${session.id}: refused REGISTER ${procedure}: ${max} registrations held`,
      );
      return session.sendError(
        M.REGISTER,
        request,
        new WampError(ErrorUri.LIMIT_EXCEEDED, [`a session may hold at most ${max} registrations`]),
      );
    }

    let reg = this.registrations.get(procedure, match);
    if (reg) {
      const conflict = sharingConflict(reg, invoke, session);
      if (conflict)
        return session.sendError(
          M.REGISTER,
          request,
          new WampError(ErrorUri.PROCEDURE_ALREADY_EXISTS, [conflict]),
        );
    }
    const created = !reg;
    if (!reg) {
      reg = {
        id: randomId(),
        uri: procedure,
        match,
        invoke,
        created: new Date(),
        callees: [],
        checked: new Set(),
        turn: 0,
        calls: 0,
      };
      this.registrations.set(procedure, match, reg);
      this.byId.set(reg.id, reg);
    }
    reg.callees.push(session);
    if (grant === 'some') reg.checked.add(session);
    let mine = this.bySession.get(session);
    if (!mine) this.bySession.set(session, (mine = new Set()));
    mine.add(reg);
    session.send([M.REGISTERED, request, reg.id]);
    if (created) this.realm.emit('registration-create', session, reg);
    this.realm.emit('registration-register', session, reg);
  }

  unregister(session: RouterSession, msg: UnregisterMessage): void {
    const [, request, id] = msg;
    const reg = this.byId.get(id);
    if (!reg || !reg.callees.includes(session)) {
      return session.sendError(
        M.UNREGISTER,
        request,
        new WampError(ErrorUri.NO_SUCH_REGISTRATION, [`no registration ${id}`]),
      );
    }
    this.bySession.get(session)?.delete(reg);
    this.detach(session, reg);
    session.send([M.UNREGISTERED, request]);
  }

  call(caller: RouterSession, msg: CallMessage): void {
    const request = msg[1];
    const options = msg[2];
    const procedure = msg[3];
    const inFlight = this.invocations.ofCaller(caller, request);
    if (inFlight) return this.continueCall(caller, inFlight, msg);
    const progressive = caller.has('caller', 'progressive_call_invocations');
    if (progressive) {
      // Continuation candidates (spec: progressive call invocations): an ID at or below the
      // highest seen that matches no call in flight continues a call that has ended; dropped.
      if (this.invocations.isLateChunk(caller, request)) return;
    } else if (options.progress === true) {
      return caller.protocolViolation(
        'CALL with progress from a caller that did not announce progressive_call_invocations',
      );
    }
    const ppt = passthruOf(options);
    if (ppt) {
      const problem = passthruProblem(caller, 'caller', ppt, payloadFrom(msg, 4));
      if (typeof problem === 'string') return caller.protocolViolation(problem);
      if (problem) return caller.sendError(M.CALL, request, problem);
    }
    const refused = this.realm.permit(caller, 'call', procedure);
    if (refused) return caller.sendError(M.CALL, request, refused);
    const timeout = options.timeout ?? 0;
    const reg = this.registrations.best(procedure);
    const callee = reg && this.calleeFor(reg, procedure);
    if (!reg || !callee)
      return caller.sendError(
        M.CALL,
        request,
        new WampError(ErrorUri.NO_SUCH_PROCEDURE, [`no callee for procedure ${procedure}`]),
      );
    if (ppt && !callee.has('callee', PASSTHRU_FEATURE))
      return caller.sendError(M.CALL, request, passthruUnsupported(`the callee of ${procedure}`));
    const streaming = options.progress === true;
    if (streaming && !(callee.has('callee', 'progressive_call_invocations') && canInterrupt(callee))) {
      return caller.sendError(
        M.CALL,
        request,
        new WampError(ErrorUri.FEATURE_NOT_SUPPORTED, [
          `the callee of ${procedure} does not take progressive call invocations`,
        ]),
      );
    }

    const details: InvocationDetails = {};
    if (reg.match !== 'exact') details.procedure = procedure;
    const receiveProgress =
      options.receive_progress === true && callee.has('callee', 'progressive_call_results');
    if (receiveProgress) details.receive_progress = true;
    if (options.disclose_me === true) Object.assign(details, disclosure(caller, 'caller'));
    if (timeout > 0) details.timeout = timeout;
    if (streaming) details.progress = true;
    if (ppt) Object.assign(details, ppt);

    const inv: Invocation = {
      id: callee.nextInvocationId(),
      callee,
      caller,
      request,
      receiveProgress,
      timer: null,
      interrupted: false,
      streaming,
      registration: reg.id,
    };
    this.invocations.add(inv, Math.min(timeout || Infinity, this.callTimeoutMs || Infinity));
    reg.calls++;
    const failed = callee.trySend(withPayloadOf([M.INVOCATION, inv.id, reg.id, details], msg, 4));
    // The callee could not be sent this call (e.g. longer than it accepts): the caller hears why.
    if (failed && this.invocations.holds(inv)) {
      this.invocations.finish(inv);
      caller.sendError(M.CALL, request, failed);
    }
  }

  /**
   * The callee a call to `procedure` goes to: by the registration's policy, among the callees
   * whose role allows this procedure when their grant of the pattern is partial.
   */
  private calleeFor(reg: Registration, procedure: string): RouterSession | undefined {
    if (reg.checked.size === 0) return pick(reg);
    const chosen = pick(reg);
    if (!reg.checked.has(chosen) || this.realm.mayReceive(chosen, 'register', procedure)) return chosen;
    return reg.callees.find((c) => !reg.checked.has(c) || this.realm.mayReceive(c, 'register', procedure));
  }

  /**
   * A CALL whose request ID is a call in flight: the next chunk of a progressive call invocation
   * (to the same callee, with the same invocation ID), else a reused ID, which is a violation.
   */
  private continueCall(caller: RouterSession, inv: Invocation, msg: CallMessage): void {
    const [, request, options] = msg;
    if (!inv.streaming)
      return caller.protocolViolation(`CALL request ${request} reused while that call is in flight`);
    // Authorization and routing were settled by the first chunk; the procedure must not change.
    inv.streaming = options.progress === true;
    // Each chunk carries its own passthru options (a key may change per chunk); forwarded as is.
    const details: InvocationDetails = passthruOf(options) ?? {};
    if (inv.streaming) details.progress = true;
    inv.callee.send(withPayloadOf([M.INVOCATION, inv.id, inv.registration, details], msg, 4));
  }

  cancel(caller: RouterSession, msg: CancelMessage): void {
    const [, request, options] = msg;
    const inv = this.invocations.ofCaller(caller, request);
    // The call may have ended already: a CANCEL racing its RESULT is not an error.
    if (!inv) return;
    const effective: CancelMode = canInterrupt(inv.callee) ? (options.mode ?? 'kill') : 'skip';
    if (effective === 'kill') {
      if (inv.interrupted) return;
      inv.interrupted = true;
      inv.callee.send([M.INTERRUPT, inv.id, { mode: 'kill' }]);
      return;
    }
    this.invocations.finish(inv);
    if (effective === 'killnowait') inv.callee.send([M.INTERRUPT, inv.id, { mode: 'killnowait' }]);
    caller.sendError(M.CALL, request, new WampError(ErrorUri.CANCELED, ['call canceled']));
  }

  yield(callee: RouterSession, msg: YieldMessage): void {
    const id = msg[1];
    const options = msg[2];
    const inv = this.answered(callee, id, 'YIELD');
    if (!inv) return;
    const ppt = passthruOf(options);
    if (ppt) {
      const problem = passthruProblem(callee, 'callee', ppt, payloadFrom(msg, 3));
      if (typeof problem === 'string') return callee.protocolViolation(problem);
      const refused =
        problem ??
        (inv.caller.has('caller', PASSTHRU_FEATURE) ? undefined : passthruUnsupported('the caller'));
      if (refused) {
        // The spec answers the callee; the call ends too, so that the caller is not left waiting.
        callee.sendError(M.YIELD, id, refused);
        this.invocations.finish(inv);
        return inv.caller.sendError(M.CALL, inv.request, refused);
      }
    }
    const details: ResultDetails = ppt ? { ...ppt } : {};
    if (options.progress === true) {
      // Progress the caller did not ask for has nowhere to go.
      if (inv.receiveProgress)
        inv.caller.send(withPayloadOf([M.RESULT, inv.request, { ...details, progress: true }], msg, 3));
      return;
    }
    this.invocations.finish(inv);
    const failed = inv.caller.trySend(withPayloadOf([M.RESULT, inv.request, details], msg, 3));
    if (failed) inv.caller.sendError(M.CALL, inv.request, failed);
  }

  invocationError(callee: RouterSession, msg: ErrorMessage): void {
    const [, , id, details, uri] = msg;
    const inv = this.answered(callee, id, 'ERROR');
    if (!inv) return;
    this.invocations.finish(inv);
    const failed = inv.caller.trySend(withPayloadOf([M.ERROR, M.CALL, inv.request, details, uri], msg, 5));
    if (failed) inv.caller.sendError(M.CALL, inv.request, failed);
  }

  removeSession(session: RouterSession): void {
    for (const inv of this.invocations.toCallee(session)) {
      this.invocations.finish(inv);
      inv.caller.sendError(M.CALL, inv.request, new WampError(ErrorUri.CANCELED, ['the callee left']));
    }
    for (const inv of this.invocations.fromCaller(session)) {
      this.invocations.finish(inv);
      if (canInterrupt(inv.callee))
        inv.callee.send([M.INTERRUPT, inv.id, { mode: 'killnowait', reason: ErrorUri.CANCELED }]);
    }
    this.invocations.forget(session);
    const regs = this.bySession.get(session);
    if (!regs) return;
    this.bySession.delete(session);
    for (const reg of regs) this.detach(session, reg);
  }

  /**
   * Removes `callee` from a registration by the router's decision (the meta API's remove):
   * a callee that announced registration_revocation is told with UNREGISTERED request 0.
   */
  revoke(reg: Registration, callee: RouterSession, reason: string): void {
    if (!reg.callees.includes(callee)) return;
    this.bySession.get(callee)?.delete(reg);
    this.detach(callee, reg);
    if (callee.has('callee', 'registration_revocation'))
      callee.send([M.UNREGISTERED, 0, { registration: reg.id, reason }]);
  }

  // Queries for the meta API.

  get(id: number): Registration | undefined {
    return this.byId.get(id);
  }

  lookup(uri: string, match: MatchPolicy = 'exact'): Registration | undefined {
    return this.registrations.get(uri, match);
  }

  /** The registration a call to `procedure` would be routed to. */
  match(procedure: string): Registration | undefined {
    return this.registrations.best(procedure);
  }

  list(): Registration[] {
    return [...this.byId.values()];
  }

  /**
   * The caller of an invocation still pending at `callee`. The router's own meta API peer asks
   * this to know who calls it, since INVOCATION names the caller only when it disclosed itself.
   */
  callerOf(callee: RouterSession, invocationId: number): RouterSession | undefined {
    return this.invocations.ofCallee(callee, invocationId)?.caller;
  }

  /**
   * The pending invocation a callee's YIELD or ERROR answers. IDs are issued in sequence, so an
   * ID at or below the last one issued to this callee is a late answer (after a cancel or
   * timeout) and is dropped; any other ID was never this callee's to answer.
   */
  private answered(callee: RouterSession, id: number, what: string): Invocation | undefined {
    const inv = this.invocations.ofCallee(callee, id);
    if (!inv && !callee.wasIssued(id))
      callee.protocolViolation(`${what} for invocation ${id}, which was never sent to this session`);
    return inv;
  }

  private timedOut(inv: Invocation): void {
    this.invocations.finish(inv);
    if (canInterrupt(inv.callee))
      inv.callee.send([M.INTERRUPT, inv.id, { mode: 'killnowait', reason: ErrorUri.TIMEOUT }]);
    inv.caller.sendError(M.CALL, inv.request, new WampError(ErrorUri.TIMEOUT, ['call timed out']));
  }

  private detach(session: RouterSession, reg: Registration): void {
    const i = reg.callees.indexOf(session);
    if (i < 0) return;
    reg.callees.splice(i, 1);
    reg.checked.delete(session);
    this.realm.emit('registration-unregister', session, reg);
    if (reg.callees.length > 0) return;
    this.registrations.delete(reg.uri, reg.match);
    this.byId.delete(reg.id);
    this.realm.emit('registration-delete', session, reg);
  }
}

/** The payload (Arguments, ArgumentsKw) of `msg` from index `at`, as a list of its own. */
function payloadFrom(msg: readonly unknown[], at: number): Payload {
  return withPayloadOf([], msg, at) as unknown as Payload;
}

/**
 * `head` followed by the payload of `msg` from index `at`: the message forwarded, built without
 * a slice and a spread (two arrays) per call.
 */
function withPayloadOf(head: unknown[], msg: readonly unknown[], at: number): WampMessage {
  for (let i = at; i < msg.length; i++) head.push(msg[i]);
  return head as WampMessage;
}

function canInterrupt(callee: RouterSession): boolean {
  return callee.has('callee', 'call_canceling');
}
