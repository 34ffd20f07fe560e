// The slice of Node-RED's runtime API these nodes use. There is no @types/node-red here, and
// the nodes need only a little of it, so it is described by hand.
import type { Server } from 'http';

export interface NodeMessage {
  [key: string]: unknown;
  _msgid?: string;
  payload?: unknown;
  topic?: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type NodeSend = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type NodeDone = (err?: Error) => void;

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
}

/** A running node; `credentials` is present when the type declares some. */
export interface Node<Creds = Record<string, string | undefined>> {
  readonly id: string;
  readonly type: string;
  name?: string;
  credentials: Creds;
  on(event: 'input', handler: (msg: NodeMessage, send: NodeSend, done: NodeDone) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | Array<NodeMessage | null>): void;
  status(status: NodeStatus | string): void;
  log(msg: unknown): void;
  warn(msg: unknown): void;
  error(err: unknown, msg?: NodeMessage): void;
}

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    getNode(id: string): unknown;
    registerType(type: string, ctor: Function, opts?: { credentials?: Record<string, { type: 'text' | 'password' }> }): void;
  };
  settings: { httpNodeRoot?: string | false; [key: string]: unknown };
  server?: Server;
  util: { cloneMessage<T>(msg: T): T };
  /** Message catalogue lookup in this node file's namespace. */
  _(key: string, substitutions?: Record<string, unknown>): string;
}

/** What the core `tls-config` node offers its users. */
export interface TlsConfigNode {
  addTLSOptions(opts: Record<string, unknown>): void;
}
