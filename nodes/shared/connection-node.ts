// What the wamp-connection config node offers the nodes that use it (the MQTT broker node's
// register/deregister contract), so that user nodes import a type rather than the node file.
import type { Connection } from './library';
import type { Node, NodeAPI, NodeStatus } from './red-types';

/** A node that uses a wamp-connection. */
export interface WampUser extends Node {
  /** The session is gone (it may come back; registrations and subscriptions are restored then). */
  wampLost?(): void;
  /**
   * What the node shows while the session is up, when it has a state of its own ("registered",
   * "not registered: ..."); undefined shows the connection's "connected".
   */
  ownStatus?(): NodeStatus | undefined;
  /** What the router refused this node on the current session, in full (for the editor). */
  refusals?(): string[];
}

export interface WampConnectionNode extends Node {
  /** Adds a user; the first one opens the connection (when auto-connect is on). */
  register(user: WampUser): void;
  /** Removes a user; after the last one the connection is closed, then `done` is called. */
  deregister(user: WampUser, done: () => void): void;
  /** Shows the user's status anew: its own state while connected, else the connection's. */
  refresh(user: WampUser): void;
  /**
   * The connection for a request, opened if need be (auto-connect off). While a first connection
   * attempt is under way it waits for it (bounded); when disconnected it does not wait, so that
   * requests fail fast instead of piling up. Rejects when misconfigured.
   */
  ready(): Promise<Connection>;
  /** The connection without opening it, to register or subscribe (persistent across sessions). */
  connection(): Connection;
  /** `msg.action = "connect"`: opens the session (again); resolves once it is established. */
  connect(): Promise<void>;
  /**
   * `msg.action = "disconnect"`: closes the session for every user and keeps it closed (no retry,
   * no auto-connect, requests fail fast) until `connect()`. Registrations and subscriptions are
   * kept and come back with the next session.
   */
  disconnect(): Promise<void>;
  readonly connected: boolean;
  readonly realm: string;
  /** The detail behind the short status, for the editor (GET wamp-connection/:id/state). */
  detail(): ConnectionDetail;
}

/** Where the connection stands, in full: what the status text leaves out. */
export interface ConnectionDetail {
  state: 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed' | 'config-error';
  /** The URL, or the in-process router. */
  endpoint: string;
  realm: string;
  /** When this state began (ISO time). */
  since: string;
  sessionId?: number;
  authid?: string;
  authrole?: string;
  /** Why it is not connected (a WAMP URI or the transport's words). */
  reason?: string;
  /** When the next attempt is due (ISO time). */
  nextRetry?: string;
  /** Publications held for the next session, and dropped since the last connect. */
  queued: number;
  dropped: number;
  /** Nodes using the connection. */
  users: number;
  /** What the router refused on this session, by node: the WAMP error in full. */
  refused: Array<{ node: string; name: string; type: string; error: string }>;
}

/** The connection node referenced by `id`, or undefined (not configured, or not a wamp-connection). */
export function getConnectionNode(RED: NodeAPI, id: string | undefined): WampConnectionNode | undefined {
  if (!id) return undefined;
  const n = RED.nodes.getNode(id) as Partial<WampConnectionNode> | null;
  return n && typeof n.register === 'function' ? (n as WampConnectionNode) : undefined;
}
