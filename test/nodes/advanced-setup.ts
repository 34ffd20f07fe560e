// Shared by the advanced-profile node tests: a router of the library on a real port (anonymous
// may use the meta API), a JSON and a MessagePack wamp-connection to it, a Catch node, and an
// RPC flow across the two serializers.
import { Connection } from '../../src/client/connection';
import { Router } from '../../src/router';
import type { RoleConfig } from '../../src/router/config';
import { listen, type Listener } from '../../src/transports/listener';
import type { NodeMessage, NodeStatus } from '../../nodes/shared/red-types';
import { helper, isConnected, type TestNode, waitStatus } from './helpers';
import { modules } from './with-words';

/** Anonymous may do everything, the router's `wamp.` meta procedures included (they need a grant by name). */
const ROLES: RoleConfig[] = [
  {
    name: 'anonymous',
    permissions: [
      { uri: '', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
      { uri: 'wamp.', match: 'prefix', call: true, subscribe: true },
    ],
  },
];

let router: Router;
let listener: Listener;

/** The router's URL (ws://127.0.0.1:<port>) while a test runs. */
export function routerUrl(): string {
  return listener.url;
}

/** Starts the router and the Node-RED test server before each test, stops both after. */
export function withRouter(): void {
  beforeEach(async () => {
    router = new Router({ realms: [{ name: 'realm1', roles: ROLES }] });
    listener = await listen({ host: '127.0.0.1', port: 0 }, (t) => router.accept(t));
    await new Promise<void>((r) => helper.startServer(r));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((r) => helper.stopServer(r));
    await listener.close();
    await router.close();
  });
}

/** Two connections to the router: `connJson` (JSON) and `connMp` (MessagePack), nodes on each as asked. */
export function flow(nodes: object[]): object[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'connJson',
      type: 'wamp-connection',
      transport: 'url',
      url: listener.url,
      realm: 'realm1',
      serializer: 'json',
    },
    {
      id: 'connMp',
      type: 'wamp-connection',
      transport: 'url',
      url: listener.url,
      realm: 'realm1',
      serializer: 'msgpack',
    },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
    ...nodes,
  ];
}

/** wamp-call on JSON → out; wamp-register on MessagePack → callee; the test answers through resp. */
export function rpcFlow(register: object = {}, more: object[] = []): object[] {
  return flow([
    {
      id: 'call',
      z: 'f1',
      type: 'wamp-call',
      connection: 'connJson',
      procedure: 'com.test.upload',
      wires: [['out']],
    },
    { id: 'out', z: 'f1', type: 'helper' },
    {
      id: 'reg',
      z: 'f1',
      type: 'wamp-register',
      connection: 'connMp',
      procedure: 'com.test.upload',
      wires: [['callee']],
      ...register,
    },
    { id: 'callee', z: 'f1', type: 'helper' },
    { id: 'resp', z: 'f1', type: 'wamp-response' },
    ...more,
  ]);
}

export const isRegistered = (s: NodeStatus): boolean =>
  isConnected(s) && s.text === 'wamp-register.status.registered';

export const isSubscribed = (s: NodeStatus): boolean => s.text === 'wamp-subscribe.status.subscribed';

/** Loads flow() with one more node (on f1, wired nowhere unless it says) and waits until `ready` holds for it. */
export async function loadOne(
  node: { id: string } & Record<string, unknown>,
  ready: (s: NodeStatus) => boolean,
): Promise<TestNode> {
  await helper.load(modules, flow([{ z: 'f1', wires: [[]], ...node }]));
  const loaded = helper.getNode(node.id);
  await waitStatus(loaded, ready, 10000);
  return loaded;
}

/** Runs `use` with a client of the router (allowed the meta API), closed afterwards. */
export async function asAdmin<T>(use: (admin: Connection) => Promise<T>): Promise<T> {
  const admin = new Connection({ url: routerUrl(), realm: 'realm1', reconnect: { enabled: false } });
  admin.open();
  await admin.connected();
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

export async function startRpc(
  register?: object,
  more?: object[],
  extraNodes: unknown[] = [],
): Promise<void> {
  await helper.load([...modules, ...extraNodes], rpcFlow(register, more));
  await waitStatus(helper.getNode('reg'), isRegistered, 10000);
  await waitStatus(helper.getNode('call'), isConnected, 10000);
}

/** Collects every message a helper node gets from now on. */
export function collect(id: string): NodeMessage[] {
  const got: NodeMessage[] = [];
  helper.getNode(id).on('input', (m: NodeMessage) => got.push(m));
  return got;
}

export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
