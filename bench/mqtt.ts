// The MQTT section of `npm run bench`: MQTT.js publisher -> broker -> MQTT.js subscriber, with our
// router (MQTT on its port) and aedes (the broker Node-RED users embed today) as the broker, each
// in a child process of its own; and MQTT publisher -> our router -> WAMP subscriber. The
// publisher keeps a window of messages in flight, counted when the subscriber receives them.
// Run as a script, this file is the broker child: `node mqtt.js ours|aedes`.
import { fork, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { Connection } from '../src/client/connection';
import { Router } from '../src/router';

/** `before`: our router from the build at BENCH_MQTT_BASELINE (a copy of an earlier `dist/`). */
type Broker = 'ours' | 'aedes' | 'before';
const BASELINE = process.env.BENCH_MQTT_BASELINE;

interface Scenario {
  name: string;
  qos: 0 | 1;
  subscriber: 'mqtt' | 'wamp';
  brokers: Broker[];
  payload: string;
}

const WINDOW = 100;
const SMALL = JSON.stringify({ celsius: 21.5, sensor: 'kitchen' });

/** A JSON object of about `bytes` bytes: readings, as a device batching its samples sends. */
function jsonOf(bytes: number): string {
  const readings: Array<{ t: number; celsius: number }> = [];
  let length = JSON.stringify({ sensor: 'kitchen', readings }).length;
  for (let i = 0; length < bytes; i++) {
    const r = { t: 1_700_000_000 + i, celsius: 20 + (i % 50) / 10 };
    readings.push(r);
    length += JSON.stringify(r).length + (i > 0 ? 1 : 0);
  }
  return JSON.stringify({ sensor: 'kitchen', readings });
}

let sizes: Array<{ suffix: string; payload: string }> | undefined;
/** The payload sizes (built on first use: the broker children need none). */
function payloadSizes(): Array<{ suffix: string; payload: string }> {
  sizes ??= [
    { suffix: '', payload: SMALL },
    { suffix: ' 4k', payload: jsonOf(4096) },
    { suffix: ' 64k', payload: jsonOf(65536) },
  ];
  return sizes;
}

function scenarios(): Scenario[] {
  return payloadSizes().flatMap(({ suffix, payload }): Scenario[] => [
    { name: `mqtt qos0 -> mqtt${suffix}`, qos: 0, subscriber: 'mqtt', brokers: ['ours', 'aedes'], payload },
    { name: `mqtt qos1 -> mqtt${suffix}`, qos: 1, subscriber: 'mqtt', brokers: ['ours', 'aedes'], payload },
    { name: `mqtt qos0 -> wamp${suffix}`, qos: 0, subscriber: 'wamp', brokers: ['ours'], payload },
  ]);
}

interface Measured {
  rate: number;
  /** Share of one core the broker process used. */
  cpu: number;
}

// --- the broker child ---

async function serve(which: Broker): Promise<void> {
  let port: number;
  if (which === 'ours') {
    const router = new Router({ realms: [{ name: 'realm1' }] });
    port = (await router.listen({ port: 0, mqtt: true })).port;
  } else {
    const { Aedes } = require('aedes') as {
      Aedes: { createBroker(): Promise<{ handle: (s: net.Socket) => void }> };
    };
    const broker = await Aedes.createBroker();
    const server = net.createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  }
  process.send!({ type: 'ready', port });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ type: 'cpu', micros: u.user + u.system });
    }
    // A normal exit, so that --cpu-prof (BENCH_MQTT_PROF) writes its profile.
    if (m.type === 'stop') process.exit(0);
  });
}

// --- the parent ---

interface Child {
  port: number;
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

function launch(which: Broker): Promise<Child> {
  const prof = process.env.BENCH_MQTT_PROF;
  // The baseline's own copy of this file serves its own router.
  const script = which === 'before' ? path.join(BASELINE!, 'dist/bench/mqtt.js') : __filename;
  const child: ChildProcess = fork(script, [which === 'before' ? 'ours' : which], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: prof
      ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${which}-${Date.now()}.cpuprofile`]
      : [],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${which} exited ${code}`)));
    child.once('message', (m: { type: string; port: number }) =>
      resolve({
        port: m.port,
        cpu: () =>
          new Promise((res) => {
            child.once('message', (r: { micros: number }) => res(r.micros));
            child.send({ type: 'cpu' });
          }),
        stop: () =>
          new Promise<void>((res) => {
            child.removeAllListeners('exit');
            child.once('exit', () => res());
            child.send({ type: 'stop' });
            setTimeout(() => child.kill(), 10_000).unref();
          }),
      }),
    );
  });
}

async function drive(
  port: number,
  s: Scenario,
  durationMs: number,
  warmupMs: number,
  cpu: () => Promise<number>,
): Promise<Measured> {
  const url = `mqtt://127.0.0.1:${port}`;
  const pub: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  let received = 0;
  let wake: () => void = () => undefined;
  const got = (): void => {
    received++;
    wake();
  };
  let sub: MqttClient | undefined;
  let wamp: Connection | undefined;
  if (s.subscriber === 'mqtt') {
    sub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    sub.on('message', got);
    await sub.subscribeAsync('bench/t', { qos: s.qos });
  } else {
    wamp = new Connection({ url: `ws://127.0.0.1:${port}/ws`, realm: 'realm1' });
    wamp.open();
    await wamp.connected();
    await wamp.subscribe('bench.t', got);
  }
  let sent = 0;
  let stop = false;
  const pump = async (): Promise<void> => {
    while (!stop) {
      while (sent - received < WINDOW && !stop) {
        sent++;
        pub.publish('bench/t', s.payload, { qos: s.qos });
      }
      await new Promise<void>((r) => (wake = r));
    }
  };
  const pumping = pump();
  await new Promise((r) => setTimeout(r, warmupMs));
  const [r0, c0, t0] = [received, await cpu(), Date.now()];
  await new Promise((r) => setTimeout(r, durationMs));
  const [r1, c1, t1] = [received, await cpu(), Date.now()];
  stop = true;
  wake();
  await pumping;
  await pub.endAsync(true);
  await sub?.endAsync(true);
  await wamp?.close();
  return { rate: ((r1 - r0) * 1000) / (t1 - t0), cpu: (c1 - c0) / 1000 / (t1 - t0) };
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The Markdown lines of the MQTT section, or none when BENCH_ONLY leaves it out. */
export async function runMqttSection(
  match: (name: string) => boolean,
  opts: { durationMs: number; warmupMs: number; rounds: number },
): Promise<string[]> {
  const list = scenarios().filter((s) => match(s.name));
  if (list.length === 0) return [];
  const results = new Map<string, Map<Broker, Measured[]>>();
  for (let round = 0; round < opts.rounds; round++) {
    for (const s of list) {
      for (const b of BASELINE ? ['before' as const, ...s.brokers] : s.brokers) {
        const child = await launch(b);
        try {
          const m = await drive(child.port, s, opts.durationMs, opts.warmupMs, child.cpu);
          const row = results.get(s.name) ?? new Map<Broker, Measured[]>();
          results.set(s.name, row);
          row.set(b, [...(row.get(b) ?? []), m]);
          console.error(
            `${s.name.padEnd(28)} ${b.padEnd(9)} ${fmtInt(m.rate)} msg/s, CPU ${Math.round(m.cpu * 100)}%`,
          );
        } finally {
          await child.stop();
        }
      }
    }
  }
  const median = (xs: number[]): number => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const stat = (name: string, b: Broker, f: (m: Measured) => number): number | undefined => {
    const ms = results.get(name)?.get(b);
    return ms?.length ? median(ms.map(f)) : undefined;
  };
  const c = (x: number | undefined): string => (x === undefined ? '—' : fmtInt(x));
  const q = (a: number | undefined, b: number | undefined): string =>
    a && b ? `${(a / b).toFixed(2)}×` : '—';
  return [
    `MQTT: MQTT.js publisher (${WINDOW} in flight, JSON payloads of ${payloadSizes()
      .map((x) => `${x.payload.length} B`)
      .join(
        ', ',
      )} (rows 4k, 64k)) -> broker in its own process -> MQTT.js subscriber, or our client as a WAMP subscriber over WebSocket/JSON; median of ${opts.rounds} rounds. Per CPU-second divides by the broker process's CPU use.${BASELINE ? ' "before": our router from an earlier build, measured in the same rounds.' : ''}`,
    '',
    BASELINE
      ? '| scenario | before msg/s | ours msg/s | aedes msg/s | before/aedes | ours/aedes | before per CPU-s | ours per CPU-s | aedes per CPU-s | before/aedes per CPU-s | ours/aedes per CPU-s |'
      : '| scenario | ours msg/s | aedes msg/s | ours/aedes | ours per CPU-s | aedes per CPU-s | ours/aedes per CPU-s |',
    BASELINE ? '|---|---|---|---|---|---|---|---|---|---|---|' : '|---|---|---|---|---|---|---|',
    ...list.map((s) => {
      const rate = (b: Broker) => stat(s.name, b, (m) => m.rate);
      const perCpu = (b: Broker) => stat(s.name, b, (m) => (m.cpu > 0 ? m.rate / m.cpu : Number.NaN));
      const [o, a, oc, ac] = [rate('ours'), rate('aedes'), perCpu('ours'), perCpu('aedes')];
      if (!BASELINE)
        return `| ${s.name} | ${c(o)} | ${c(a)} | ${q(o, a)} | ${c(oc)} | ${c(ac)} | ${q(oc, ac)} |`;
      const [b, bc] = [rate('before'), perCpu('before')];
      return `| ${s.name} | ${c(b)} | ${c(o)} | ${c(a)} | ${q(b, a)} | ${q(o, a)} | ${c(bc)} | ${c(oc)} | ${c(ac)} | ${q(bc, ac)} | ${q(oc, ac)} |`;
    }),
    '',
  ];
}

if (require.main === module && (process.argv[2] === 'ours' || process.argv[2] === 'aedes')) {
  void serve(process.argv[2]);
}
