// wamp-response: answers the invocation a wamp-register node emitted: a result, a progressive
// result (`msg.progress = true`), or an ERROR (`msg.wampError`).
import { getInvocation, removeInvocation } from './shared/invocations';
import { ErrorUri, Result, WampError } from './shared/library';
import { passthruOf, type PassthruTexts, type Passthru } from './shared/passthru';
import { argsFromMsg, flowSetArgs, isPlainObject } from './shared/payload';
import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage } from './shared/red-types';

const URI = /^[^\s#]+(\.[^\s#]+)+$/;

/**
 * `msg.wampError` as a WAMP error: a URI string, or `{uri?, message?, args?, kwargs?}`. Its
 * arguments are the ones given there, else what the flow itself set on the message (a new
 * `msg.payload`, `msg.args` or `msg.kwargs`), never the invocation's own arguments.
 */
function toWampError(error: unknown, msg: NodeMessage): WampError {
  if (typeof error === 'string') {
    if (!URI.test(error)) return new WampError(ErrorUri.RUNTIME_ERROR, [error]);
    const { args, kwargs } = flowSetArgs(msg);
    return new WampError(error, args, kwargs);
  }
  if (isPlainObject(error)) {
    const uri = typeof error.uri === 'string' && URI.test(error.uri) ? error.uri : ErrorUri.RUNTIME_ERROR;
    const set = flowSetArgs(msg);
    const args = Array.isArray(error.args)
      ? error.args
      : typeof error.message === 'string'
        ? [error.message]
        : set.args;
    const kwargs = isPlainObject(error.kwargs) ? error.kwargs : set.kwargs;
    return new WampError(uri, args, kwargs);
  }
  return new WampError(ErrorUri.RUNTIME_ERROR, error instanceof Error ? [error.message] : []);
}

/**
 * Only `msg.wampError` asks for an ERROR: `msg.error` is left alone, because a message that went
 * through a Catch node (or any node that reports errors that way) carries one, and a flow that
 * recovered from it means to answer normally.
 */
const wantsError = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '';

export = function (RED: NodeAPI): void {
  function WampResponse(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const pptText: PassthruTexts = (problem) =>
      problem === 'invalid'
        ? RED._('wamp-response.errors.ppt-invalid')
        : RED._('wamp-response.errors.ppt-not-binary');

    this.on('input', (msg: NodeMessage, _send, done: NodeDone) => {
      const wamp = msg._wamp as { invocationId?: unknown } | undefined;
      const id = typeof wamp?.invocationId === 'string' ? wamp.invocationId : undefined;
      if (!id) return done(new Error(RED._('wamp-response.errors.no-invocation')));
      const entry = getInvocation(id);
      if (!entry) return done(new Error(RED._('wamp-response.errors.gone', { id })));

      if (wantsError(msg.wampError)) {
        removeInvocation(id);
        entry.reject(toWampError(msg.wampError, msg));
        return done();
      }
      let ppt: Passthru | undefined;
      try {
        ppt = passthruOf(msg, pptText);
      } catch (e) {
        return done(e as Error);
      }
      const { args, kwargs } = ppt ? { args: ppt.args, kwargs: {} } : argsFromMsg(msg);
      if (msg.progress === true) {
        if (!entry.progress(args, kwargs)) this.warn(RED._('wamp-response.errors.no-progress'));
        return done();
      }
      removeInvocation(id);
      entry.resolve(new Result(args, kwargs, ppt?.options));
      done();
    });
  }

  RED.nodes.registerType('wamp-response', WampResponse);
};
