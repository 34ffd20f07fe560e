// Through Node-RED: our nodes' RPC and pub/sub paths against Node-RED's own MQTT nodes with an
// aedes broker, in one Node-RED runtime (embedding API, temp userDir, this package linked into
// it) in a child process. A bench-driver node (nodered-driver.ts) keeps a window of messages in
// flight through each flow; a round trip is a message back at the driver: the call result, or
// the event / MQTT message delivered to the subscribing node. Run as a script, this file is the
// child; imported, it is the parent's side.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { drivers, type DriveResult } from './nodered-drivers';
import { benchFlow } from './nodered-flow';
import { startWindowSampling } from './nodered-sampling';

export interface NodeRedScenario {
  /** Short id for the table and the log. */
  id: string;
  /** The driver node (one per flow) that runs it. */
  flow: string;
  /** The path measured, for the table. */
  label: string;
  /** JSON size of the payload object each message carries (see `benchPayload`). */
  size: number;
  /** One message at a time (round-trip latency) instead of a window in flight. */
  sequential?: boolean;
}

/** Each flow once: the driver's node id and what it measures. */
export const NODERED_FLOWS: ReadonlyArray<{ flow: string; label: string }> = [
  { flow: 'rpc-inproc', label: 'wamp-call → wamp-router (in-process) → wamp-register → wamp-response' },
  {
    flow: 'rpc-ws',
    label: 'wamp-call → wamp-router (WebSocket/JSON, own port) → wamp-register → wamp-response',
  },
  {
    flow: 'rpc-ws-msgpack',
    label: 'the same as rpc-ws, the wamp-connection set to MessagePack (wamp.2.msgpack)',
  },
  { flow: 'pubsub-inproc', label: 'wamp-publish → wamp-router (in-process) → wamp-subscribe' },
  { flow: 'pubsub-ws', label: 'wamp-publish → wamp-router (WebSocket/JSON) → wamp-subscribe' },
  {
    flow: 'pubsub-ws-msgpack',
    label: 'the same as pubsub-ws, the wamp-connection set to MessagePack (wamp.2.msgpack)',
  },
  { flow: 'mqtt-qos0', label: 'mqtt out → aedes (TCP) → mqtt in, QoS 0' },
  { flow: 'mqtt-qos1', label: 'mqtt out → aedes (TCP) → mqtt in, QoS 1' },
  {
    flow: 'mqtt-rpc',
    label: 'mqtt out (request) → aedes → mqtt in → mqtt out (reply topic) → aedes → mqtt in, QoS 0',
  },
  { flow: 'mqtt-wamp', label: 'mqtt out → wamp-router (MQTT on its own port) → wamp-subscribe, QoS 0' },
  { flow: 'mqtt-router', label: 'mqtt out → wamp-router (MQTT, in place of aedes) → mqtt in, QoS 0' },
  { flow: 'mqtt-router-qos1', label: 'mqtt out → wamp-router (MQTT, in place of aedes) → mqtt in, QoS 1' },
  {
    flow: 'hop',
    label: "driver → driver: one Node-RED message hop, no network, no broker (the runtime's floor)",
  },
  {
    flow: 'tcp4',
    label:
      'driver → 4 loopback TCP hops (A → relay → B → relay → A, a JSON encode and decode at each, in this process) → driver: the floor of any routed round trip over TCP',
  },
];

export const SIZES: readonly number[] = [64, 4096, 65536];
export const sizeLabel = (n: number): string => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

/** Throughput rows at every size (MQTT QoS 1, through aedes and ours, only at 64 B), then one-at-a-time latency rows. */
export const NODERED_SCENARIOS: readonly NodeRedScenario[] = [
  ...SIZES.flatMap((size) =>
    NODERED_FLOWS.filter((f) => f.flow !== 'tcp4' && (size === 64 || !f.flow.includes('qos1'))).map((f) => ({
      id: size === 64 ? f.flow : `${f.flow}-${size / 1024}k`,
      flow: f.flow,
      label: f.label,
      size,
    })),
  ),
  ...['rpc-inproc', 'rpc-ws', 'rpc-ws-msgpack', 'mqtt-rpc', 'tcp4'].map((flow) => ({
    id: `${flow}-seq`,
    flow,
    label: NODERED_FLOWS.find((f) => f.flow === flow)!.label,
    size: 64,
    sequential: true,
  })),
];

export interface NodeRedTiming {
  durationMs: number;
  warmupMs: number;
  /** Messages in flight per driver (1: one at a time, with latency percentiles). */
  window: number;
  /** JSON size of each message's payload. */
  size: number;
}

type ToChild = { type: 'run'; id: number; scenario: string; timing: NodeRedTiming } | { type: 'stop' };
type ToParent =
  | { type: 'ready' }
  | { type: 'failed'; reason: string }
  | { type: 'result'; id: number; result?: DriveResult; error?: string };

export interface NodeRedRuntime {
  run(scenario: string, timing: NodeRedTiming): Promise<DriveResult>;
  stop(): Promise<void>;
}

/**
 * Starts Node-RED with every scenario's flow deployed (idle until driven) in a child process.
 * `execArgv` e.g. `['--cpu-prof']` to profile it.
 */
export function launchNodeRed(execArgv: string[] = [], packageRoot?: string): Promise<NodeRedRuntime> {
  const verbose = !!process.env.BENCH_VERBOSE;
  const child = fork(__filename, ['child', ...(packageRoot ? [packageRoot] : [])], {
    stdio: verbose ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const waiting = new Map<number, { resolve(r: DriveResult): void; reject(e: Error): void }>();
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      for (const w of waiting.values()) w.reject(new Error(`Node-RED process exited (${code}): ${stderr}`));
      waiting.clear();
      resolve();
    }),
  );
  process.once('exit', () => child.kill('SIGKILL'));
  let nextId = 0;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`Node-RED process exited (${code}) before ready: ${stderr}`)),
    );
    child.on('message', (m: ToParent) => {
      if (m.type === 'failed') {
        child.kill();
        reject(new Error(`Node-RED failed to start: ${m.reason}`));
      } else if (m.type === 'result') {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (m.result) w?.resolve(m.result);
        else w?.reject(new Error(m.error ?? 'no result'));
      } else if (m.type === 'ready') {
        resolve({
          run: (scenario, timing) =>
            new Promise((res, rej) => {
              if (!child.connected) return rej(new Error('Node-RED process is gone'));
              const id = ++nextId;
              waiting.set(id, { resolve: res, reject: rej });
              child.send({ type: 'run', id, scenario, timing } satisfies ToChild);
            }),
          stop: async () => {
            if (child.connected) child.send({ type: 'stop' } satisfies ToChild);
            const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    });
  });
}

// ---- child side ----

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface RuntimeEvent {
  id?: string;
  payload?: { error?: string; types?: string[]; modules?: unknown[] };
}

interface Aedes {
  handle: (socket: net.Socket) => void;
  close(cb?: () => void): void;
}

async function childMain(): Promise<void> {
  const send = (m: ToParent): void => void process.send?.(m);
  // The package under test: this build, or another one (BENCH_NODERED_PACKAGE, e.g. a copy of the
  // previous build, to compare before and after in the same conditions).
  const root = path.resolve(process.argv[3] ?? path.resolve(__dirname, '../..'));
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-bench-nodered-'));
  let aedes: Aedes | undefined;
  let mqttServer: net.Server | undefined;
  // require: untyped JavaScript package
  const RED = require('node-red') as {
    init(server: http.Server, settings: object): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    events: {
      on(e: string, f: (ev: RuntimeEvent) => void): void;
      off(e: string, f: (ev: RuntimeEvent) => void): void;
    };
  };
  const stop = async (): Promise<void> => {
    await Promise.race([RED.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    await new Promise<void>((r) => (aedes ? aedes.close(() => r()) : r()));
    await new Promise<void>((r) => (mqttServer ? mqttServer.close(() => r()) : r()));
    fs.rmSync(userDir, { recursive: true, force: true });
    process.exit(0);
  };
  try {
    // The broker lives in the Node-RED process, as an embedded one would.
    // require: ESM package loaded by require(esm)
    const { Aedes } = require('aedes') as { Aedes: { createBroker(): Promise<Aedes> } };
    const broker = await Aedes.createBroker();
    aedes = broker;
    // No Nagle on the broker's side: QoS 1's small PUBLISH/PUBACK exchanges otherwise wait on
    // delayed ACKs (seen: ~1,000 msgs/s at 18% CPU). The fairest setting for MQTT.
    const mqttSrv = net.createServer({ noDelay: true }, broker.handle);
    mqttServer = mqttSrv;
    await new Promise<void>((r) => mqttSrv.listen(0, '127.0.0.1', r));
    const mqttPort = (mqttSrv.address() as net.AddressInfo).port;
    const wampPort = await freePort();

    // This package as an installed module of the userDir, and the driver as a local node file.
    const scope = path.join(userDir, 'node_modules', '@wamp-nodes');
    fs.mkdirSync(scope, { recursive: true });
    fs.symlinkSync(root, path.join(scope, 'node-red-contrib-wamp'), 'dir');
    fs.mkdirSync(path.join(userDir, 'nodes'));
    fs.writeFileSync(
      path.join(userDir, 'nodes', 'bench-driver.js'),
      `module.exports = require(${JSON.stringify(path.join(__dirname, 'nodered-driver.js'))});\n`,
    );
    fs.writeFileSync(
      path.join(userDir, 'nodes', 'bench-driver.html'),
      '<script type="text/html" data-template-name="bench-driver"></script>\n' +
        '<script type="text/html" data-template-name="bench-tcp-hops"></script>\n',
    );
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(benchFlow(wampPort, mqttPort)));

    RED.init(http.createServer(), {
      userDir,
      flowFile: 'flows.json',
      credentialSecret: false,
      httpAdminRoot: false,
      httpNodeRoot: false,
      disableEditor: true,
      logging: {
        console: { level: process.env.BENCH_VERBOSE ? 'info' : 'warn', metrics: false, audit: false },
      },
    });
    // start() resolves before the flows run; they start, or stop for want of node types.
    await new Promise<void>((resolve, reject) => {
      const onStarted = (): void => {
        RED.events.off('flows:started', onStarted);
        RED.events.off('runtime-event', onState);
        resolve();
      };
      const onState = (ev: RuntimeEvent): void => {
        if (ev.id !== 'runtime-state' || !ev.payload?.error) return;
        RED.events.off('flows:started', onStarted);
        RED.events.off('runtime-event', onState);
        reject(
          new Error(
            `flows not started: ${ev.payload.error} ${JSON.stringify(ev.payload.types ?? ev.payload.modules ?? '')}`,
          ),
        );
      };
      RED.events.on('flows:started', onStarted);
      RED.events.on('runtime-event', onState);
      RED.start().catch(reject);
    });
  } catch (e) {
    send({ type: 'failed', reason: String((e as Error).stack ?? e) });
    await stop();
    return;
  }
  process.on('message', (m: ToChild) => {
    if (m.type === 'stop') return void stop();
    const d = drivers.get(m.scenario);
    if (!d)
      return send({ type: 'result', id: m.id, error: `no driver ${m.scenario} (its nodes did not load?)` });
    void (async () => {
      if (!(await d.probe(15000)))
        return send({ type: 'result', id: m.id, error: 'no round trip within 15 s (not connected?)' });
      const sampling = await startWindowSampling();
      const result = await d.drive(m.timing);
      await sampling?.(m.scenario);
      send({ type: 'result', id: m.id, result });
    })().catch((e: unknown) => send({ type: 'result', id: m.id, error: String(e) }));
  });
  process.once('disconnect', () => void stop());
  send({ type: 'ready' });
}

if (require.main === module && process.argv[2] === 'child') void childMain();
