// wamp-response: answers the invocation a wamp-register node emitted: a result, a progressive
// result (`msg.progress = true`), or an ERROR (`msg.error`).
import { getInvocation, removeInvocation } from './shared/invocations';
import { Result, WampError } from './shared/library';
import { argsFromMsg, isPlainObject } from './shared/payload';
import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage } from './shared/red-types';

const RUNTIME_ERROR = 'wamp.error.runtime_error';

/** `msg.error` as a URI string, or `{uri?, message?, args?, kwargs?}`. */
function toWampError(error: unknown, msg: NodeMessage): WampError {
  if (typeof error === 'string') {
    const isUri = /^[^\s#]+(\.[^\s#]+)+$/.test(error);
    return isUri ? new WampError(error, argsFromMsgIfGiven(msg)) : new WampError(RUNTIME_ERROR, [error]);
  }
  if (isPlainObject(error)) {
    const uri = typeof error.uri === 'string' && error.uri ? error.uri : RUNTIME_ERROR;
    const args = Array.isArray(error.args)
      ? error.args
      : typeof error.message === 'string'
        ? [error.message]
        : [];
    const kwargs = isPlainObject(error.kwargs) ? error.kwargs : {};
    return new WampError(uri, args, kwargs);
  }
  return new WampError(RUNTIME_ERROR, error instanceof Error ? [error.message] : []);
}

function argsFromMsgIfGiven(msg: NodeMessage): unknown[] {
  return Array.isArray(msg.args) ? msg.args : [];
}

export = function (RED: NodeAPI): void {
  function WampResponse(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);

    this.on('input', (msg: NodeMessage, _send, done: NodeDone) => {
      const wamp = msg._wamp as { invocationId?: unknown } | undefined;
      const id = typeof wamp?.invocationId === 'string' ? wamp.invocationId : undefined;
      if (!id) return done(new Error(RED._('wamp-response.errors.no-invocation')));
      const entry = getInvocation(id);
      if (!entry) return done(new Error(RED._('wamp-response.errors.gone', { id })));

      if (msg.error !== undefined && msg.error !== null && msg.error !== false) {
        removeInvocation(id);
        entry.reject(toWampError(msg.error, msg));
        return done();
      }
      const { args, kwargs } = argsFromMsg(msg);
      if (msg.progress === true) {
        if (!entry.progress(args, kwargs)) this.warn(RED._('wamp-response.errors.no-progress'));
        return done();
      }
      removeInvocation(id);
      entry.resolve(new Result(args, kwargs));
      done();
    });
  }

  RED.nodes.registerType('wamp-response', WampResponse);
};
