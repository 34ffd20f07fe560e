// The Node-RED section of `npm run bench`: each scenario of nodered.ts driven in turn, rounds
// interleaved, the median kept (on a shared machine one round can be far off either way). With
// BENCH_NODERED_BASELINE=<package dir> a second Node-RED runs that build of the package (e.g. a
// copy of the previous dist/) and every scenario alternates between the two, so that "before"
// and "after" share the machine's conditions. Returns the Markdown lines for RESULTS.md.
import * as path from 'node:path';
import {
  launchNodeRed,
  NODERED_SCENARIOS,
  type NodeRedRuntime,
  type NodeRedScenario,
  sizeLabel,
} from './nodered';
import type { DriveResult } from './nodered-drivers';

interface Options {
  durationMs: number;
  warmupMs: number;
  rounds: number;
}

interface Round {
  rate: number;
  /** Share of one core the Node-RED process used over the window. */
  cpu: number;
  lost: number;
  p50Us?: number;
  p99Us?: number;
}

interface Build {
  name: string;
  runtime: NodeRedRuntime;
  got: Map<string, Round[] | string>;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const roundOf = (r: DriveResult): Round => ({
  rate: (r.completed * 1000) / r.elapsedMs,
  cpu: r.cpuMicros / 1000 / r.elapsedMs,
  lost: r.lost,
  p50Us: r.p50Us,
  p99Us: r.p99Us,
});

export async function runNodeRedSection(match: (name: string) => boolean, opts: Options): Promise<string[]> {
  const list = NODERED_SCENARIOS.filter((s) => match(`nodered ${s.id}`));
  if (list.length === 0) return [];
  const window = Number(process.env.BENCH_NODERED_WINDOW ?? 100);
  const rounds = Math.max(1, opts.rounds);
  const profile = process.env.BENCH_NODERED_PROF;
  const baseline = process.env.BENCH_NODERED_BASELINE;
  const wanted = baseline
    ? [
        { name: `before (${baseline})`, dir: path.resolve(baseline), prof: 'before' },
        { name: 'this build', dir: undefined, prof: 'after' },
      ]
    : [{ name: '', dir: undefined, prof: '' }];
  const builds: Build[] = [];
  try {
    for (const w of wanted) {
      const prof = profile ? ['--cpu-prof', '--cpu-prof-dir', path.join(profile, w.prof)] : [];
      // Any other flags for the Node-RED process, e.g. '--heap-prof' for allocation sites.
      prof.push(...(process.env.BENCH_NODERED_NODE_ARGS ?? '').split(' ').filter(Boolean));
      const runtime = await launchNodeRed(prof, w.dir).catch((e: Error) => e);
      if (runtime instanceof Error) {
        console.error(`nodered: ${runtime.message}`);
        return [`Node-RED flows: could not start Node-RED: ${runtime.message.split('\n')[0]}`, ''];
      }
      builds.push({ name: w.name, runtime, got: new Map() });
    }
    for (let round = 0; round < rounds; round++) {
      for (const s of list) {
        for (const b of builds) {
          const prev = b.got.get(s.id);
          if (typeof prev === 'string') continue;
          const timing = {
            durationMs: opts.durationMs,
            warmupMs: opts.warmupMs,
            // 64 KiB × 100 in flight is 6.4 MB queued per flow: a smaller window keeps the
            // large rows about rate, not about queueing.
            window: s.sequential ? 1 : s.size >= 65536 ? Math.min(window, 16) : window,
            size: s.size,
          };
          const r = await b.runtime
            .run(s.flow, timing)
            .then(roundOf, (e: Error) => `error: ${e.message.split('\n')[0]}`);
          if (typeof r === 'string') b.got.set(s.id, r);
          else b.got.set(s.id, [...(prev ?? []), r]);
          const latency = typeof r !== 'string' && r.p50Us !== undefined ? `, p50 ${fmtInt(r.p50Us)} µs` : '';
          console.error(
            `${`nodered ${s.id}`.padEnd(28)} ${b.name.slice(0, 10).padEnd(10)} ${typeof r === 'string' ? r : `${fmtInt(r.rate)} msg/s${latency}, CPU ${Math.round(r.cpu * 100)}%${r.lost ? `, ${r.lost} lost` : ''}`}`,
          );
        }
      }
    }
  } finally {
    for (const b of builds) await b.runtime.stop();
  }
  return [
    `Node-RED flows: one Node-RED ${nodeRedVersion()} runtime in a child process (our nodes, Node-RED's core mqtt nodes, ` +
      `an aedes broker and the wamp-router node all in it); a driver node keeps ${window} messages in flight through each flow ` +
      `and counts those that come back (call results; events / MQTT messages delivered by the subscribing node). ` +
      `Each message carries one shared payload object whose JSON is the size given (mqtt in parses it back: auto-detect). ` +
      `Median of ${rounds} interleaved round${rounds > 1 ? 's' : ''} of ${opts.durationMs} ms after ${opts.warmupMs} ms warm-up.` +
      (builds.length > 1
        ? ` Two Node-RED processes, ${builds.map((b) => b.name).join(' and ')}, each scenario alternating between them.`
        : ''),
    '',
    ...builds.flatMap((b) => tables(b, list)),
    ...flowsOf(list).map((s) => `- \`${s.flow}\`: ${s.label}`),
    '',
  ];
}

function tables(b: Build, list: readonly NodeRedScenario[]): string[] {
  const { got } = b;
  const rounds = (id: string): Round[] | undefined => {
    const r = got.get(id);
    return Array.isArray(r) ? r : undefined;
  };
  const med = (id: string, f: (r: Round) => number | undefined): number | undefined => {
    const r = rounds(id);
    const xs = r?.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs?.length ? median(xs) : undefined;
  };
  const rate = (id: string): number | undefined => med(id, (x) => x.rate);
  const perCpu = (id: string): number | undefined => med(id, (x) => (x.cpu > 0 ? x.rate / x.cpu : NaN));
  const q = (a: number | undefined, c: number | undefined): string =>
    a !== undefined && c ? `${(a / c).toFixed(2)}×` : '—';
  /** The MQTT row of the same size. */
  const peer = (s: NodeRedScenario, flow: string): string =>
    s.size === 64 ? flow : `${flow}-${s.size / 1024}k`;
  const throughput = list.filter((s) => !s.sequential);
  const sequential = list.filter((s) => s.sequential);
  const row = (s: NodeRedScenario): string => {
    const r = got.get(s.id);
    if (typeof r === 'string' || r === undefined)
      return `| ${s.id} | ${sizeLabel(s.size)} | ${r ?? '—'} | — | — | — | — | — | — |`;
    const lost = r.reduce((n, x) => n + x.lost, 0);
    // QoS 1 rows are set against aedes' QoS 1 row.
    const qos0 = s.flow.includes('qos1') ? 'mqtt-qos1' : peer(s, 'mqtt-qos0');
    const mrpc = peer(s, 'mqtt-rpc');
    return (
      `| ${s.id} | ${sizeLabel(s.size)} | ${fmtInt(rate(s.id)!)}${lost ? ` (${lost} lost)` : ''} | ${fmtInt(perCpu(s.id)!)} | ` +
      `${Math.round(median(r.map((x) => x.cpu)) * 100)}% | ${q(rate(s.id), rate(qos0))} | ${q(perCpu(s.id), perCpu(qos0))} | ` +
      `${q(rate(s.id), rate(mrpc))} | ${q(perCpu(s.id), perCpu(mrpc))} |`
    );
  };
  const latencyRow = (s: NodeRedScenario): string => {
    const r = got.get(s.id);
    if (typeof r === 'string' || r === undefined) return `| ${s.id} | ${r ?? '—'} | — | — | — |`;
    const p50 = med(s.id, (x) => x.p50Us);
    const p99 = med(s.id, (x) => x.p99Us);
    const mqttP50 = med('mqtt-rpc-seq', (x) => x.p50Us);
    return `| ${s.id} | ${p50 === undefined ? '—' : fmtInt(p50)} | ${p99 === undefined ? '—' : fmtInt(p99)} | ${fmtInt(rate(s.id)!)} | ${q(p50, mqttP50)} |`;
  };
  return [
    ...(b.name ? [`**${b.name}**`, ''] : []),
    '| flow | payload | msgs/s | per CPU-second | CPU | ÷ mqtt-qos0 | ÷ mqtt-qos0 per CPU-s | ÷ mqtt-rpc | ÷ mqtt-rpc per CPU-s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...throughput.map(row),
    '',
    ...(sequential.length
      ? [
          'One message at a time (no pipelining): round trip driver → flow → driver, µs.',
          '',
          '| flow | p50 µs | p99 µs | round trips/s | p50 ÷ mqtt-rpc p50 (lower is better) |',
          '|---|---|---|---|---|',
          ...sequential.map(latencyRow),
          '',
        ]
      : []),
    'Ratios are to the MQTT row of the same payload size (the ÷ mqtt-qos0 columns of QoS 1 rows: to mqtt-qos1). "per CPU-second" divides by the Node-RED process\'s CPU use ' +
      '(100% = one core): steadier than the raw rate when other work competes for the cores.',
    '',
  ];
}

function flowsOf(list: readonly NodeRedScenario[]): NodeRedScenario[] {
  const seen = new Set<string>();
  return list.filter((s) => !seen.has(s.flow) && seen.add(s.flow));
}

function nodeRedVersion(): string {
  try {
    // require: version only
    return `v${(require('node-red/package.json') as { version: string }).version}`;
  } catch {
    return '';
  }
}
