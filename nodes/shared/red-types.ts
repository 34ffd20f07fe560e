// The slice of Node-RED's runtime API these nodes use. There is no @types/node-red here, and
// the nodes need only a little of it, so it is described by hand.
import type { Server } from 'node:http';

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
  context(): { flow: ContextStore; global: ContextStore };
}

/** A flow or global context; with a callback, also for stores that are asynchronous. */
export interface ContextStore {
  get(key: string, store: string | undefined, cb: (err: Error | null, value?: unknown) => void): void;
  set(key: string, value: unknown, store: string | undefined, cb: (err?: Error | null) => void): void;
}

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    getNode(id: string): unknown;
    registerType(
      type: string,
      // biome-ignore lint/complexity/noBannedTypes: Node-RED calls the constructor with `this` bound to a new node
      ctor: Function,
      opts?: { credentials?: Record<string, { type: 'text' | 'password' }> },
    ): void;
  };
  settings: { httpNodeRoot?: string | false; [key: string]: unknown };
  server?: Server;
  /** Node-RED's admin app and its permission check (absent in some test set-ups). */
  httpAdmin?: HttpApp;
  auth?: { needsPermission(permission: string): HttpHandler };
  util: {
    cloneMessage<T>(msg: T): T;
    /** A typedInput value; with a callback, flow/global context stores may be asynchronous. */
    evaluateNodeProperty(
      value: unknown,
      type: string,
      node: object,
      msg: NodeMessage | undefined,
      cb: (err: Error | null, value?: unknown) => void,
    ): void;
    setMessageProperty(msg: NodeMessage, path: string, value: unknown, createMissing?: boolean): boolean;
    parseContextStore(key: string): { key: string; store?: string };
  };
  /** Message catalogue lookup in this node file's namespace. */
  _(key: string, substitutions?: Record<string, unknown>): string;
}

/** What the core `tls-config` node offers its users. */
export interface TlsConfigNode {
  addTLSOptions(opts: Record<string, unknown>): void;
}

/** The slice of Express that the router view's admin routes use (Node-RED's admin app). */
export interface HttpRequest {
  params: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface HttpResponse {
  status(code: number): HttpResponse;
  json(body: unknown): void;
}

export type HttpHandler = (req: HttpRequest, res: HttpResponse, next: (err?: unknown) => void) => void;

export interface HttpApp {
  get(path: string, ...handlers: HttpHandler[]): void;
  post(path: string, ...handlers: HttpHandler[]): void;
}

/** What a plugin's runtime file is given: the node API plus admin routes, auth and comms. */
export interface PluginAPI {
  nodes: { getNode(id: string): unknown };
  plugins: { registerPlugin(id: string, definition: { type?: string; [key: string]: unknown }): void };
  httpAdmin: HttpApp;
  auth: { needsPermission(permission: string): HttpHandler };
  comms: { publish(topic: string, data: unknown, retain?: boolean): void };
  log: { warn(msg: unknown): void; error(msg: unknown): void };
  _(key: string, substitutions?: Record<string, unknown>): string;
}
