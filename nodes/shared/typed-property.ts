// Node properties set with a typedInput, as core nodes' are: a value and its type (str, num, msg,
// flow, global, env), read with Node-RED's own evaluator so that they mean what they mean in a
// change or switch node. A node saved before a field became a typedInput has no type property:
// it reads as the type the field always had, so old flows behave as they did.
import type { Node, NodeAPI, NodeMessage } from './red-types';

export interface TypedProperty {
  value: string;
  type: string;
}

/** The property from a node's saved configuration; `legacyType` when the type was never saved. */
export function typedProperty(value: unknown, type: unknown, legacyType: string): TypedProperty {
  return {
    value: value === undefined || value === null ? '' : String(value),
    type: typeof type === 'string' && type !== '' ? type : legacyType,
  };
}

/** How a property reads in messages: `msg.topic`, `flow.x`, `global.x (store)`, `env.X`, or the string. */
export function describe(p: TypedProperty): string {
  if (p.type === 'str' || p.type === 'num') return p.value;
  // A context key in a named store, as the typedInput writes it: #:(store)::key.
  const inStore = /^#:\((\S+?)\)::(.*)$/.exec(p.value);
  return inStore ? `${p.type}.${inStore[2]} (${inStore[1]})` : `${p.type}.${p.value}`;
}

/**
 * Evaluates the property. The callback form, because a flow or global context store may be
 * asynchronous; for the other types (and memory stores) the callback runs before this returns,
 * so a node evaluating at start does not change when it registers or subscribes.
 */
export function evaluate(
  RED: NodeAPI,
  p: TypedProperty,
  node: Node,
  msg: NodeMessage | undefined,
  cb: (err: Error | null, value?: unknown) => void,
): void {
  try {
    RED.util.evaluateNodeProperty(p.value, p.type, node, msg, cb);
  } catch (e) {
    cb(e instanceof Error ? e : new Error(String(e)));
  }
}

/** `evaluate` as a promise, for input handlers that are asynchronous anyway. */
export function evaluated(RED: NodeAPI, p: TypedProperty, node: Node, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) =>
    evaluate(RED, p, node, msg, (err, value) => (err ? reject(err) : resolve(value))),
  );
}

/** Stores `value` where an output property points: a message property, or flow/global context. */
export function assign(
  RED: NodeAPI,
  p: TypedProperty,
  node: Node,
  msg: NodeMessage,
  value: unknown,
): Promise<void> {
  if (p.type === 'flow' || p.type === 'global') {
    const { key, store } = RED.util.parseContextStore(p.value);
    return new Promise((resolve, reject) =>
      node
        .context()
        [p.type as 'flow' | 'global'].set(key, value, store, (err) => (err ? reject(err) : resolve())),
    );
  }
  RED.util.setMessageProperty(msg, p.value, value, true);
  return Promise.resolve();
}
