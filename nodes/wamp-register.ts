// wamp-register: registers a procedure and emits one message per invocation; a wamp-response
// node answers it (the http in / http response pattern), found by `msg._wamp.invocationId`.
// Its input takes only `msg.action` "connect" / "disconnect" (the shared session).
import type { WampUser } from './shared/connection-node';
import { ConnectionUser } from './shared/connection-user';
import {
  addInvocation,
  rejectAllOwnedBy,
  removeInvocation,
  type PendingInvocation,
} from './shared/invocations';
import {
  ANSWER_LATER,
  ErrorUri,
  INVOKE_POLICIES,
  TimeoutQueues,
  type TimeoutHandle,
  MATCH_POLICIES,
  WampError,
  type Connection,
  type Invocation,
  type RegisterOptions,
  type Registration,
} from './shared/library';
import { reasonOf } from './shared/errors';
import { newMessageId } from './shared/message-id';
import { choice, secondsAsMs } from './shared/options';
import { pptOf } from './shared/passthru';
import { revocationReason, revokedStatus } from './shared/revocation';
import { putArgs } from './shared/payload';
import { sendChunks } from './shared/streamed-invocations';
import { within } from './shared/within';
import type { NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend, NodeStatus } from './shared/red-types';
import { describe, evaluate, typedProperty } from './shared/typed-property';

interface WampRegisterDef extends NodeDef {
  connection?: string;
  procedure?: string;
  /** typedInput type of `procedure` (str, env, flow, global: read once, at start); absent before: str. */
  procedureType?: string;
  match?: string;
  invoke?: string;
  /** Seconds the caller waits for a wamp-response before `wamp.error.timeout`; 0 = no limit. */
  timeout?: number | string;
}

export = function (RED: NodeAPI): void {
  function WampRegister(this: WampUser, def: WampRegisterDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const user = new ConnectionUser(RED, node, def.connection);
    const connNode = user.node;
    /** Known once the typedInput is evaluated (at once, except from an asynchronous context store). */
    let procedure = '';
    const match = choice(def.match, MATCH_POLICIES, 'exact');
    const invoke = choice(def.invoke, INVOKE_POLICIES, 'single');
    const timeoutMs = secondsAsMs(def.timeout, 0);
    let registration: Registration | null = null;
    let closing = false;
    /** What the router made of the registration on the current session (undefined: not asked yet). */
    let own: NodeStatus | undefined;
    /** The refusal in full while `own` shows it. */
    let refusal: string | undefined;

    const timedOut = (): WampError =>
      new WampError(ErrorUri.TIMEOUT, [RED._('wamp-register.errors.timeout', { seconds: timeoutMs / 1000 })]);

    /**
     * Emits the invocation; a wamp-response answers it later through the entry (`ANSWER_LATER`:
     * no promise per invocation).
     */
    function handle(inv: Invocation): unknown {
      const entry = new WaitingInvocation(node.id, inv);
      const id = addInvocation(entry);
      entry.watch(id, timeoutMs, timedOut);
      const msg: NodeMessage = {
        _msgid: newMessageId(),
        topic: inv.procedure,
        procedure: inv.procedure,
        details: inv.details,
        _wamp: { invocationId: id },
        // Set by putArgs; named here so that the message is made with room for them.
        payload: undefined,
        args: undefined,
        kwargs: undefined,
      };
      putArgs(msg, inv.args, inv.kwargs);
      const ppt = pptOf(inv.details);
      if (ppt) msg.ppt = ppt;
      if (inv.chunked) sendChunks(inv, msg, (m) => node.send(m));
      node.send(msg);
      return ANSWER_LATER;
    }

    /** Shows the router's answer: on every session, first or after a reconnect, on every connection kind. */
    function setOwn(next: NodeStatus | undefined, refused?: string): void {
      own = next;
      refusal = refused;
      connNode?.refresh(node);
    }

    function refused(e: WampError, reconnect: boolean): void {
      const reason = reasonOf(e);
      setOwn(
        { fill: 'red', shape: 'dot', text: RED._('wamp-register.status.failed', { error: reason }) },
        `${procedure}: ${e.message}`,
      );
      const key = reconnect
        ? 'wamp-register.errors.reregister-failed'
        : 'wamp-register.errors.register-failed';
      node.error(RED._(key, { procedure, error: e.message }));
    }

    function start(conn: Connection): void {
      const options: RegisterOptions = {};
      if (match !== 'exact') options.match = match;
      if (invoke !== 'single') options.invoke = invoke;
      // Persistent and watched: the connection registers it again on every new session, and a
      // refusal leaves it wanted (the procedure may be free on the next session).
      conn
        .register(procedure, handle, options, {
          accepted: () => setOwn({ fill: 'green', shape: 'dot', text: 'wamp-register.status.registered' }),
          refused,
          revoked: (details) => {
            setOwn(revokedStatus(RED, 'wamp-register', details));
            node.warn(
              RED._('wamp-register.errors.revoked', { procedure, reason: revocationReason(details) }),
            );
          },
        })
        .then((r) => {
          if (closing) return void r.unregister().catch(() => undefined);
          registration = r;
        });
    }

    node.ownStatus = (): NodeStatus | undefined => own;
    node.refusals = (): string[] => (refusal ? [refusal] : []);

    node.wampLost = (): void => {
      own = undefined; // the next session answers again
      refusal = undefined;
      rejectAllOwnedBy(
        node.id,
        () => new WampError(ErrorUri.CANCELED, [RED._('wamp-register.errors.session-lost')]),
      );
    };

    const procedureProperty = typedProperty(def.procedure, def.procedureType, 'str');
    evaluate(RED, procedureProperty, node, undefined, (err, value) => {
      if (closing) return;
      procedure = typeof value === 'string' ? value.trim() : '';
      if (err || !procedure) {
        node.status({ fill: 'red', shape: 'dot', text: 'wamp-register.status.no-procedure' });
        node.error(
          err
            ? err.message
            : procedureProperty.type === 'str'
              ? RED._('wamp-register.errors.no-procedure')
              : RED._('wamp-register.errors.procedure-empty', { property: describe(procedureProperty) }),
        );
      } else {
        const c = user.join();
        try {
          if (c) start(c.connection());
        } catch {
          // Misconfigured connection: its status and log already say why.
        }
      }
    });

    node.on('input', (msg: NodeMessage, _send: NodeSend, done: NodeDone) => {
      if (user.action(msg, done)) return;
      done(new Error(RED._('wamp-register.errors.invalid-action', { action: String(msg.action) })));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      rejectAllOwnedBy(
        node.id,
        () => new WampError(ErrorUri.CANCELED, [RED._('wamp-register.errors.redeployed')]),
      );
      const r = registration;
      registration = null;
      const unregistered = r ? within(r.unregister(), 2000) : Promise.resolve();
      unregistered.then(() => user.leave(done));
    });
  }

  RED.nodes.registerType('wamp-register', WampRegister);
};

/**
 * An invocation waiting for its wamp-response: settles the handler's promise, and gives up on
 * the caller's cancel or the node's timeout. A class: it lives for the whole round trip through
 * the flow, and at full call rates each object that outlives a minor GC is copied (and promoted).
 */
class WaitingInvocation implements PendingInvocation {
  private timer: TimeoutHandle | undefined = undefined;
  private id = '';
  private timedOut: (() => WampError) | undefined = undefined;

  constructor(
    readonly owner: string,
    private readonly inv: Invocation,
  ) {}

  get procedure(): string {
    return this.inv.procedure;
  }

  /**
   * Once registered under `id`: the caller's cancel, and the node's timeout (0: none). The
   * listener is not removed on answer: an answered invocation is never aborted.
   */
  watch(id: string, timeoutMs: number, timedOut: () => WampError): void {
    this.id = id;
    this.inv.onAbort(() => {
      removeInvocation(id)?.reject(new WampError(ErrorUri.CANCELED, ['the caller canceled the call']));
    });
    if (timeoutMs > 0) {
      this.timedOut = timedOut;
      this.timer = timeouts.start(timeoutMs, expire, this);
    }
  }

  /** The node's timeout is up: the caller gets its error, the entry goes. */
  expire(): void {
    this.timer = undefined;
    removeInvocation(this.id)?.reject(this.timedOut!());
  }

  resolve(v: unknown): void {
    this.finish();
    this.inv.answer(v);
  }

  reject(e: Error): void {
    this.finish();
    this.inv.fail(e);
  }

  progress(args: unknown[], kwargs: Record<string, unknown>): boolean {
    // A chunk of a streamed call answered on its way to wamp-response: nothing to warn about.
    if (this.inv.details.receive_progress !== true) return this.inv.chunked;
    this.inv.progress(args, kwargs);
    return true;
  }

  private finish(): void {
    timeouts.cancel(this.timer);
    this.timer = undefined;
  }
}

/** The invocations' timeouts: one timer per length, not one per invocation. */
const timeouts = new TimeoutQueues();
const expire = (entry: WaitingInvocation): void => entry.expire();
