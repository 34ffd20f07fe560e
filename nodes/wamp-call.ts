// wamp-call: calls a procedure for each message and adds the result to it; progressive results
// are emitted as they arrive; `msg.action = "cancel"` cancels this node's pending calls, and
// "connect" / "disconnect" open or close the shared session.
import { isConnectionAction, runConnectionAction } from './shared/connection-actions';
import { CallConfig, type WampCallConfig } from './shared/call-settings';
import { getConnectionNode, NO_CONNECTION, type WampUser } from './shared/connection-node';
import { failMsg } from './shared/errors';
import type { CallResult } from './shared/library';
import { argsFromMsg, payloadOf, putArgs } from './shared/payload';
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
    const node = this;
    const connNode = getConnectionNode(RED, def.connection);
    const config = new CallConfig(RED, def);
    const progressive = def.progressive === true || String(def.progressive) === 'true';
    const discloseMe = def.discloseMe === true || String(def.discloseMe) === 'true';
    /** Pending calls of this node by call id, to cancel them. */
    const pending = new Map<string, AbortController>();

    if (!connNode) {
      this.status(NO_CONNECTION);
      this.error(RED._('wamp-call.errors.no-connection'));
    } else {
      connNode.register(this);
    }

    /** The message with the result: in msg.payload, or in the configured property (msg, flow or global). */
    async function withResult(
      msg: NodeMessage,
      r: CallResult,
      progress: boolean | undefined,
    ): Promise<NodeMessage> {
      putArgs(msg, r.args, r.kwargs, config.resultInPayload);
      if (!config.resultInPayload) await assign(RED, config.result, node, msg, payloadOf(r.args, r.kwargs));
      msg.details = r.details;
      if (progress !== undefined) msg.progress = progress;
      return msg;
    }

    function cancel(msg: NodeMessage, done: NodeDone): void {
      const which = msg.callId === undefined ? undefined : String(msg.callId);
      for (const [id, controller] of pending) {
        if (which === undefined || which === id) controller.abort();
      }
      done();
    }

    this.on('input', (msg: NodeMessage, send: NodeSend, done: NodeDone) => {
      if (msg.action === 'cancel') return cancel(msg, done);
      if (isConnectionAction(msg))
        return runConnectionAction(
          connNode,
          msg,
          done,
          () => new Error(RED._('wamp-call.errors.no-connection')),
        );
      if (msg.action !== undefined && msg.action !== 'call') {
        return done(new Error(RED._('wamp-call.errors.invalid-action', { action: String(msg.action) })));
      }
      if (!connNode) return done(failMsg(msg, new Error(RED._('wamp-call.errors.no-connection'))));

      const callId = String(msg.callId ?? msg._msgid ?? pending.size);
      const controller = new AbortController();
      pending.set(callId, controller);
      msg.callId = callId;
      const { args, kwargs } = argsFromMsg(msg);
      const onProgress = progressive
        ? (r: CallResult): void =>
            void withResult(RED.util.cloneMessage(msg), r, true).then(send, (e: unknown) =>
              node.error(e, msg),
            )
        : undefined;
      config
        .settings(node, msg)
        .then(({ procedure, timeoutMs }) =>
          connNode.ready().then((conn) =>
            conn.call(procedure, args, kwargs, {
              timeout: timeoutMs,
              disclose_me: discloseMe || undefined,
              receive_progress: progressive || undefined,
              onProgress,
              signal: controller.signal,
            }),
          ),
        )
        .then((r) => withResult(msg, r, progressive ? false : undefined))
        .then(
          (m) => {
            pending.delete(callId);
            send(m);
            done();
          },
          (e: unknown) => {
            pending.delete(callId);
            done(failMsg(msg, e));
          },
        );
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      for (const controller of pending.values()) controller.abort();
      pending.clear();
      if (connNode) connNode.deregister(this, done);
      else done();
    });
  }

  RED.nodes.registerType('wamp-call', WampCall);
};
