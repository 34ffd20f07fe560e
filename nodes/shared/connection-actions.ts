// `msg.action = "connect"` / `"disconnect"` on any node that uses a wamp-connection, as on the
// core MQTT nodes: the action applies to the shared session, so every user of the connection
// follows (status, registrations, subscriptions).
import type { WampConnectionNode } from './connection-node';
import type { NodeDone, NodeMessage } from './red-types';

export function isConnectionAction(msg: NodeMessage): boolean {
  return msg.action === 'connect' || msg.action === 'disconnect';
}

/** Runs the action and calls `done` once the session is open (connect) or closed (disconnect). */
export function runConnectionAction(
  connNode: WampConnectionNode | undefined,
  msg: NodeMessage,
  done: NodeDone,
  noConnection: () => Error,
): void {
  if (!connNode) return done(noConnection());
  const work = msg.action === 'connect' ? connNode.connect() : connNode.disconnect();
  work.then(
    () => done(),
    (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
  );
}
