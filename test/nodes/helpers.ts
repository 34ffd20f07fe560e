// Shared set-up for the node tests: the Node-RED test helper (untyped, so described here), the
// compiled node modules, and waiting for a node's status without fixed sleeps.
import assert from 'node:assert/strict';
import net from 'node:net';
import { findRouter } from '../../nodes/shared/router-registry';
import type { NodeMessage, NodeStatus } from '../../nodes/shared/red-types';
import { nodeRedVersion, resolveNodeRed } from '../support/node-red-under-test';
import { nodeTypes } from '../support/package-in-node-red';

export interface TestNode {
  id: string;
  receive(msg: NodeMessage): void;
  on(event: 'input', fn: (msg: NodeMessage) => void): void;
  on(event: string, fn: (arg: unknown) => void): void;
  removeAllListeners(event?: string): void;
  removeListener(event: string, fn: (arg: unknown) => void): void;
}

interface SpyCall {
  thisValue: unknown;
  args: unknown[];
}

export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  /** Runtime settings for the next `load`, merged with the defaults (`{}`: the defaults again). */
  settings(settings: Record<string, unknown>): Record<string, unknown>;
  load(nodes: unknown[], flow: object[], creds?: Record<string, object>): Promise<void>;
  setFlows(flow: object[], type: 'full' | 'nodes' | 'flows', creds?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(done: () => void): void;
  stopServer(done: () => void): void;
  url(): string;
  _RED: unknown;
}

export const helper: TestHelper = require(resolveNodeRed('node-red-node-test-helper'));
helper.init(resolveNodeRed('node-red'));

/** A core node module of the Node-RED under test, e.g. `coreNode('common/20-inject.js')`. */
export function coreNode(file: string): unknown {
  return require(resolveNodeRed(`@node-red/nodes/core/${file}`));
}

/**
 * Declares, in the calling `describe`, a Node-RED test server started before each test and, after
 * it, the flows unloaded, then `afterUnload` (the test's own router closed, settings reset), then
 * the server stopped.
 */
export function nodeRedPerTest(afterUnload?: () => unknown): void {
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async function () {
    await helper.unload();
    await afterUnload?.();
    await new Promise<void>((r) => helper.stopServer(r));
  });
}

// Said once, so a run's output shows which runtime the node tests exercised.
before(() => console.log(`      (node tests on Node-RED ${nodeRedVersion()}, Node.js ${process.version})`));

/** Every node type the package declares, as Node-RED loads them. */
export const nodeModules: unknown[] = nodeTypes.map((name) => require(`../../nodes/${name}`));

function statusCalls(node: TestNode): NodeStatus[] {
  const spy = (node as unknown as { status: { getCalls(): SpyCall[] } }).status;
  return spy
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => c.args[0] as NodeStatus);
}

/** Resolves with the first status (already set or to come) that satisfies `pred`. */
export function waitStatus(node: TestNode, pred: (s: NodeStatus) => boolean, ms = 3000): Promise<NodeStatus> {
  const seen = statusCalls(node).find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.removeAllListeners('call:status');
      reject(new Error(`no matching status on ${node.id}; saw ${JSON.stringify(statusCalls(node))}`));
    }, ms);
    node.on('call:status', (call: unknown) => {
      const s = (call as SpyCall).args[0] as NodeStatus;
      if (pred(s)) {
        clearTimeout(timer);
        node.removeAllListeners('call:status');
        resolve(s);
      }
    });
  });
}

/** Resolves with the next status set from now on that satisfies `pred` (earlier ones do not count). */
export function nextStatus(node: TestNode, pred: (s: NodeStatus) => boolean, ms = 3000): Promise<NodeStatus> {
  const before = statusCalls(node).length;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.removeListener('call:status', onCall);
      reject(
        new Error(
          `no new matching status on ${node.id}; saw ${JSON.stringify(statusCalls(node).slice(before))}`,
        ),
      );
    }, ms);
    function onCall(call: unknown): void {
      const s = (call as SpyCall).args[0] as NodeStatus;
      if (!pred(s)) return;
      clearTimeout(timer);
      node.removeListener('call:status', onCall);
      resolve(s);
    }
    node.on('call:status', onCall);
  });
}

export const isDisconnected = (s: NodeStatus): boolean =>
  s.fill === 'red' && s.shape === 'ring' && s.text === 'wamp-connection.status.disconnected';

/** Resolves with the message a Catch node receives for the error reported by `id` (Catch wired to helper `caught`). */
export function caughtError(ms = 3000): Promise<{ message: string; code?: string; source?: { id: string } }> {
  return nextMessages(helperNode('caught'), 1, ms).then(
    ([m]) => m.error as { message: string; code?: string },
  );
}

function helperNode(id: string): TestNode {
  return helper.getNode(id);
}

export const isConnected = (s: NodeStatus): boolean => s.fill === 'green' && s.shape === 'dot';

/** The next `n` messages arriving at a helper node. */
export function nextMessages(node: TestNode, n = 1, ms = 3000): Promise<NodeMessage[]> {
  return new Promise((resolve, reject) => {
    const got: NodeMessage[] = [];
    const timer = setTimeout(() => reject(new Error(`${node.id} got ${got.length} of ${n} messages`)), ms);
    node.on('input', (msg: NodeMessage) => {
      got.push(msg);
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

/** The tab the test flows' nodes are on (`z: 'f1'`). */
export const tab = { id: 'f1', type: 'tab', label: 'test' };

/** A wamp-call node on connection `conn`, wired nowhere: a user that opens the connection. */
export function callNode(conn = 'conn'): object {
  return { id: 'call', z: 'f1', type: 'wamp-call', connection: conn, procedure: 'com.test.p', wires: [[]] };
}

/** Sessions on the running wamp-router node `id`. */
export function sessionsLeft(id: string): number {
  const router = findRouter(id);
  assert.ok(router, `router ${id} is running`);
  return router.sessionCount;
}

/** An in-process router, a connection to it, and a tab: the start of most test flows. */
export function baseFlow(extra: object[]): object[] {
  return [
    tab,
    { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1', anonymous: true }] },
    { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
    ...extra,
  ];
}

/** A wamp-router for realm1 on Node-RED's own HTTP server, at /wamp (ws://…/wamp, long-poll at http://…/wamp). */
export function routerOnNodeRed(): Record<string, unknown> {
  return {
    id: 'router',
    z: 'f1',
    type: 'wamp-router',
    realms: [{ name: 'realm1' }],
    useHttp: true,
    httpPath: '/wamp',
  };
}

/** wamp-register 'reg' for `procedure` → helper 'callee'; the test answers through wamp-response 'resp'. */
export function calleeNodes(procedure: string, register: object = {}): object[] {
  return [
    {
      id: 'reg',
      z: 'f1',
      type: 'wamp-register',
      connection: 'conn',
      procedure,
      wires: [['callee']],
      ...register,
    },
    { id: 'callee', z: 'f1', type: 'helper' },
    { id: 'resp', z: 'f1', type: 'wamp-response' },
  ];
}

/**
 * One call meeting one registration: caller wamp-call → out (progress: a spare helper); callee
 * wamp-register → callee, the test answering through resp; a Catch for the whole tab → caught.
 */
export function rpcFlow(call: object = {}, register: object = {}, extra: object[] = []): object[] {
  return baseFlow([
    {
      id: 'call',
      z: 'f1',
      type: 'wamp-call',
      connection: 'conn',
      procedure: 'com.test.proc',
      wires: [['out']],
      ...call,
    },
    { id: 'out', z: 'f1', type: 'helper' },
    ...calleeNodes('com.test.proc', register),
    { id: 'progress', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
    ...extra,
  ]);
}

/** A port that refuses connections: bound on 127.0.0.1 port 0, then closed again (free to listen on). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Node-RED's core inject and function nodes, for flows that need them. */
export function coreNodes(): unknown[] {
  return [coreNode('common/20-inject.js'), coreNode('function/10-function.js')];
}
