// The side of a flow node that uses a wamp-connection (wamp-call, wamp-publish, wamp-register,
// wamp-subscribe), written once: find the config node, say so when there is none, join its users
// (the MQTT nodes' register/deregister), leave on close, and the `msg.action` "connect" /
// "disconnect" that, as on the core MQTT nodes, act on the shared session: every user of the
// connection follows (status, registrations, subscriptions).
import { getConnectionNode, type WampConnectionNode, type WampUser } from './connection-node';
import type { NodeAPI, NodeDone, NodeMessage, NodeStatus } from './red-types';

// Status texts without a parameter are catalogue keys, which the editor translates into the
// user's language (as core nodes' "node-red:common.status.connected"). The connection's keys are
// copied into every node's catalogue by the build (scripts/build.js), since the editor looks a
// status key up in the namespace of the node that shows it.
export const NO_CONNECTION: NodeStatus = {
  fill: 'red',
  shape: 'ring',
  text: 'wamp-connection.status.no-connection',
};

export function isConnectionAction(msg: NodeMessage): boolean {
  return msg.action === 'connect' || msg.action === 'disconnect';
}

/** One flow node's use of its wamp-connection (`def.connection`). */
export class ConnectionUser {
  /** The config node, or undefined when none is configured (or it is not a wamp-connection). */
  readonly node: WampConnectionNode | undefined;
  /** Whether the flow node is among the connection's users (to leave on close). */
  private joined = false;

  constructor(
    private readonly RED: NodeAPI,
    private readonly user: WampUser,
    connectionId: string | undefined,
  ) {
    this.node = getConnectionNode(RED, connectionId);
  }

  /** The error for a request without a connection, in the node's own words (its catalogue). */
  noConnection(): Error {
    return new Error(this.RED._(`${this.user.type}.errors.no-connection`));
  }

  /**
   * Joins the connection's users (the first one opens it, with auto-connect) and returns it; with
   * none, shows the red "no connection" status, logs why, and returns undefined.
   */
  join(): WampConnectionNode | undefined {
    if (!this.node) {
      this.user.status(NO_CONNECTION);
      this.user.error(this.noConnection().message);
      return undefined;
    }
    if (!this.joined) {
      this.joined = true;
      this.node.register(this.user);
    }
    return this.node;
  }

  /**
   * Runs `msg.action` "connect" / "disconnect" and returns true (`done` is called once the session
   * is open or closed, or with the error for Catch); false for any other message.
   */
  action(msg: NodeMessage, done: NodeDone): boolean {
    if (!isConnectionAction(msg)) return false;
    if (!this.node) {
      done(this.noConnection());
      return true;
    }
    const work = msg.action === 'connect' ? this.node.connect() : this.node.disconnect();
    work.then(
      () => done(),
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
    return true;
  }

  /** On close: leaves the connection's users (after the last, it closes), then `done`. */
  leave(done: () => void): void {
    if (this.node && this.joined) {
      this.joined = false;
      this.node.deregister(this.user, done);
    } else done();
  }
}
