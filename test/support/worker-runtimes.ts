// Node-RED worker runtimes for scaling out: each a real Node-RED in its own process (a fresh
// user directory with this package linked in), whose flow registers one procedure with a shared
// invoke policy and answers it from a `function` node. What a user runs on each machine.
import fs from 'node:fs';
import path from 'node:path';
import { startNodeRed, type NodeRedProcess } from './node-red-process';
import { linkPackage } from './package-in-node-red';

export interface WorkerFlow {
  routerUrl: string;
  procedure: string;
  invoke?: 'roundrobin' | 'random' | 'first' | 'last';
  /** The function node's body; `env.get('WORKER_NAME')` names the runtime. */
  func: string;
}

/** The flow one worker runs: wamp-register → function → wamp-response. */
export function workerFlow(w: WorkerFlow): object[] {
  const z = 'workers';
  return [
    { id: z, type: 'tab', label: 'worker' },
    {
      id: 'conn',
      type: 'wamp-connection',
      url: w.routerUrl,
      realm: 'realm1',
      reconnectDelay: 0.2,
      reconnectMaxDelay: 2,
    },
    {
      id: 'reg',
      z,
      type: 'wamp-register',
      connection: 'conn',
      procedure: w.procedure,
      invoke: w.invoke ?? 'roundrobin',
      wires: [['worker-fn']],
    },
    {
      id: 'worker-fn',
      z,
      type: 'function',
      name: 'the work',
      func: w.func,
      outputs: 1,
      wires: [['worker-resp']],
    },
    { id: 'worker-resp', z, type: 'wamp-response', wires: [] },
  ];
}

/** Starts one worker runtime named `name` (WORKER_NAME in its environment). */
export function startWorker(name: string, flow: WorkerFlow): Promise<NodeRedProcess> {
  return startNodeRed(
    (userDir) => {
      linkPackage(userDir);
      fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(workerFlow(flow)));
    },
    { WORKER_NAME: name },
  );
}
