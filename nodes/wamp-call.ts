// wamp-call: calls a procedure for each message and adds the result to it: one message on the
// first output per call. Progressive results go to the second output as a sequence that the join
// node understands; `msg.action = "cancel"` cancels this node's pending calls, and "connect" /
// "disconnect" open or close the shared session.
import { CallStreams, streamIdOf, type Opened } from './shared/call-streams';
import { CallConfig, type CallSettings, type WampCallConfig } from './shared/call-settings';
import type { WampUser } from './shared/connection-node';
import { ConnectionUser } from './shared/connection-user';
import { describeError, failMsg } from './shared/errors';
import {
  type CallHandle,
  type CallOptions,
  type CallReceiver,
  type CallResult,
  type CallStream,
  type Connection,
  ErrorUri,
  WampError,
} from './shared/library';
import { passthruOf, type PassthruTexts, putPpt, type Passthru } from './shared/passthru';
import { argsFromMsg, payloadOf, putArgs } from './shared/payload';
import { flag } from './shared/options';
import type { NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend } from './shared/red-types';
import { assign } from './shared/typed-property';

/** Procedure, timeout and result property: see `CallConfig`. */
interface WampCallDef extends NodeDef, WampCallConfig {
  connection?: string;
  discloseMe?: boolean;
  progressive?: boolean;
}

export = function (RED: NodeAPI): void {
  function WampCall(this: WampUser, def: WampCallDef): void {
    RED.nodes.createNode(this, def);
    const pptText: PassthruTexts = (problem) =>
      problem === 'invalid'
        ? RED._('wamp-call.errors.ppt-invalid')
        : RED._('wamp-call.errors.ppt-not-binary');
    const node = this;
    const user = new ConnectionUser(RED, this, def.connection);
    const connNode = user.join();
    const config = new CallConfig(RED, def);
    const progressive = flag(def.progressive);
    const discloseMe = flag(def.discloseMe);
    /**
     * Pending calls of this node, each under its own key: clones of one message share `_msgid`
     * (and the user's `msg.callId`), and cancel and close must reach every one of them.
     */
    const pending = new Map<number, PendingCall>();
    let lastKey = 0;
    /** Calls sent in chunks (`msg.progress`), by `msg.callId`; each keeps its progress sequence. */
    const streams = new CallStreams<ProgressSequence | undefined>(
      (e, opening) => node.error(failMsg(opening, e), opening),
      (callId, e) => {
        const { uri, message } = describeError(e);
        return new WampError(uri, [RED._('wamp-call.errors.stream-ended', { callId, error: message })]);
      },
    );

    /** The message with the result: in msg.payload, or in the configured property (msg, flow or global). */
    /** The result on the message; a promise only when it goes to flow or global context. */
    function withResult(
      msg: NodeMessage,
      r: CallResult,
      progress: boolean | undefined,
    ): NodeMessage | Promise<NodeMessage> {
      putArgs(msg, r.args, r.kwargs, config.resultInPayload);
      msg.details = r.details;
      putPpt(msg, r.details);
      if (progress !== undefined) msg.progress = progress;
      if (config.resultInPayload) return msg;
      return assign(RED, config.result, node, msg, payloadOf(r.args, r.kwargs)).then(() => msg);
    }

    /** Sends the call; its outcome goes to `call` (a receiver: no promise per call). */
    function startOn(
      s: CallSettings,
      conn: Connection,
      call: PendingCall,
      args: unknown[],
      kwargs: Record<string, unknown>,
      onProgress: ((r: CallResult) => void) | undefined,
      ppt: CallOptions | undefined,
    ): void {
      if (call.canceled) {
        call.error(new WampError(ErrorUri.CANCELED, ['call canceled before it was sent']));
        return;
      }
      const options: CallOptions =
        s === config.fixed && !onProgress && !ppt
          ? fixedOptions
          : {
              timeout: s.timeoutMs,
              disclose_me: discloseMe || undefined,
              receive_progress: progressive || undefined,
              onProgress,
              ...ppt,
            };
      call.started(conn.start(s.procedure, args, kwargs, options, call));
    }

    /** The options of every call made with the node's own settings: one frozen object. */
    const fixedOptions: CallOptions = Object.freeze({
      timeout: config.fixed?.timeoutMs,
      disclose_me: discloseMe || undefined,
      receive_progress: progressive || undefined,
    });

    /** Cancels every pending call, or those whose handle (`msg.callId`) is given. */
    function cancel(msg: NodeMessage, done: NodeDone): void {
      const which = msg.callId === undefined ? undefined : String(msg.callId);
      for (const call of pending.values()) {
        if (which === undefined || which === call.handle) call.cancel();
      }
      streams.cancel(which);
      done();
    }

    /** Progress of a call to the second output, as parts of `sequence`. */
    function progressTo(msg: NodeMessage, sequence: ProgressSequence, send: NodeSend) {
      return (r: CallResult): void => {
        const part = (m: NodeMessage): void => send([null, sequence.part(m, false)]);
        const m = withResult(RED.util.cloneMessage(msg), r, true);
        if (m instanceof Promise) m.then(part, (e: unknown) => node.error(e, msg));
        else part(m);
      };
    }

    /** The first chunk of a streamed call (see shared/call-streams.ts). */
    function openStream(
      msg: NodeMessage,
      args: unknown[],
      kwargs: Record<string, unknown>,
      send: NodeSend,
      hooks: CallOptions,
    ): Opened<ProgressSequence | undefined> {
      const id = `${streamIdOf(msg)}.${node.id}.${++lastKey}`;
      const sequence = progressive ? new ProgressSequence(id) : undefined;
      const onProgress = sequence ? progressTo(msg, sequence, send) : undefined;
      const start = (s: CallSettings, conn: Connection): CallStream =>
        conn.callProgressive(s.procedure, args, kwargs, {
          timeout: s.timeoutMs,
          disclose_me: discloseMe || undefined,
          receive_progress: progressive || undefined,
          onProgress,
          ...hooks,
        });
      const on = (s: CallSettings): CallStream | Promise<CallStream> =>
        connNode!.connected ? start(s, connNode!.connection()) : connNode!.ready().then((c) => start(s, c));
      const now = config.settingsNow(msg);
      const stream = now ? Promise.resolve(on(now)) : config.settings(node, msg).then(on);
      return { stream, state: sequence };
    }

    this.on('input', (msg: NodeMessage, send: NodeSend, done: NodeDone) => {
      if (msg.action === 'cancel') return cancel(msg, done);
      if (user.action(msg, done)) return;
      if (msg.action !== undefined && msg.action !== 'call') {
        return done(new Error(RED._('wamp-call.errors.invalid-action', { action: String(msg.action) })));
      }
      if (!connNode) return done(failMsg(msg, user.noConnection()));
      let ppt: Passthru | undefined;
      try {
        ppt = passthruOf(msg, pptText);
      } catch (e) {
        return done(failMsg(msg, e));
      }
      const { args, kwargs } = ppt ? { args: ppt.args, kwargs: {} } : argsFromMsg(msg);
      if (msg.progress === true)
        return streams.chunk(
          msg,
          args,
          kwargs,
          (e) => done(e && failMsg(msg, e)),
          (hooks) => openStream(msg, args, kwargs, send, { ...hooks, ...ppt?.options }),
          () => new Error(RED._('wamp-call.errors.no-call-id')),
        );
      const closing = streams.close(msg, args, kwargs);

      const key = ++lastKey;
      const handle = String(msg.callId ?? msg._msgid ?? key);
      msg.callId = handle;
      const sequence = closing
        ? closing.state
        : progressive
          ? new ProgressSequence(`${handle}.${this.id}.${key}`)
          : undefined;
      const call = new PendingCall(handle, key, msg, send, done, sequence);
      pending.set(key, call);
      const onProgress = sequence ? progressTo(msg, sequence, send) : undefined;
      const opts = ppt?.options;
      if (closing) {
        call.started({ cancel: closing.cancel });
        closing.result.then(
          (r) => call.result(r),
          (e: WampError) => call.error(e),
        );
        return;
      }
      try {
        const now = config.settingsNow(msg);
        // Connected and nothing to evaluate: straight to the session, no promise on the way.
        if (now && connNode.connected)
          return startOn(now, connNode.connection(), call, args, kwargs, onProgress, opts);
        (now ? Promise.resolve(now) : config.settings(node, msg))
          .then((s) =>
            connNode.connected
              ? startOn(s, connNode.connection(), call, args, kwargs, onProgress, opts)
              : connNode.ready().then((conn) => startOn(s, conn, call, args, kwargs, onProgress, opts)),
          )
          .catch((e: unknown) => call.error(e));
      } catch (e) {
        call.error(e);
      }
    });

    /**
     * A call in flight: its user-visible handle, how to cancel it (also before it was sent), and
     * where its outcome goes. Declared here, inside the node, for the node's state it settles
     * (`pending`, the result property); one object per call holds all of it.
     */
    class PendingCall implements CallReceiver {
      canceled = false;
      private handleOf: CallHandle | undefined = undefined;
      /** The library tells the outcome once; a failure on the way there (see input) must not tell it again. */
      private settled = false;

      constructor(
        readonly handle: string,
        private readonly key: number,
        private readonly msg: NodeMessage,
        private readonly send: NodeSend,
        private readonly done: NodeDone,
        private readonly sequence: ProgressSequence | undefined,
      ) {}

      /** Takes the library's handle, once the call is out. */
      started(h: CallHandle): void {
        this.handleOf = h;
        if (this.canceled) h.cancel();
      }

      cancel(): void {
        this.canceled = true;
        this.handleOf?.cancel();
      }

      result(r: CallResult): void {
        if (this.settled) return;
        this.settled = true;
        pending.delete(this.key);
        const m = withResult(this.msg, r, this.sequence ? false : undefined);
        if (m instanceof Promise)
          m.then(
            (m) => this.finish(m),
            (e: unknown) => this.done(failMsg(this.msg, e)),
          );
        else this.finish(m);
      }

      /** The final result: once on the first output, and as the last part of the sequence. */
      private finish(m: NodeMessage): void {
        const sequence = this.sequence;
        this.send(sequence ? [m, sequence.part(RED.util.cloneMessage(m), true)] : m);
        this.done();
      }

      error(e: unknown): void {
        if (this.settled) return;
        this.settled = true;
        pending.delete(this.key);
        this.done(failMsg(this.msg, e));
      }
    }

    this.on('close', (_removed: boolean, done: () => void) => {
      for (const call of pending.values()) call.cancel();
      pending.clear();
      streams.closeAll();
      user.leave(done);
    });
  }

  RED.nodes.registerType('wamp-call', WampCall);
};

/**
 * Progress messages marked as the split node marks its parts, so that a join node in automatic
 * mode assembles `[progress..., final]`: `msg.parts` with an id of its own, the index, and on the
 * last part (the final result) the count and `msg.complete`.
 */
class ProgressSequence {
  private index = 0;

  constructor(private readonly id: string) {}

  part(msg: NodeMessage, last: boolean): NodeMessage {
    const index = this.index++;
    msg.parts = last
      ? { id: this.id, index, count: index + 1, type: 'array' }
      : { id: this.id, index, type: 'array' };
    if (last) msg.complete = true;
    else delete msg.complete; // one the input carried would end the sequence early
    return msg;
  }
}
