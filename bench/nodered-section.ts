// The Node-RED section of `npm run bench`: each flow of nodered.ts driven in turn, rounds
// interleaved, the median kept (on a shared machine one round can be far off either way).
// Returns the Markdown lines for RESULTS.md.
import { launchNodeRed, NODERED_SCENARIOS, type NodeRedScenario } from './nodered';
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
});

export async function runNodeRedSection(match: (name: string) => boolean, opts: Options): Promise<string[]> {
  const list = NODERED_SCENARIOS.filter((s) => match(`nodered ${s.id}`));
  if (list.length === 0) return [];
  const window = Number(process.env.BENCH_NODERED_WINDOW ?? 100);
  const rounds = Math.max(1, opts.rounds);
  const got = new Map<string, Round[] | string>();
  const profile = process.env.BENCH_NODERED_PROF;
  const runtime = await launchNodeRed(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []).catch(
    (e: Error) => e,
  );
  if (runtime instanceof Error) {
    console.error(`nodered: ${runtime.message}`);
    return [`Node-RED flows: could not start Node-RED: ${runtime.message.split('\n')[0]}`, ''];
  }
  try {
    for (let round = 0; round < rounds; round++) {
      for (const s of list) {
        const prev = got.get(s.id);
        if (typeof prev === 'string') continue;
        const r = await runtime
          .run(s.id, { durationMs: opts.durationMs, warmupMs: opts.warmupMs, window })
          .then(roundOf, (e: Error) => `error: ${e.message.split('\n')[0]}`);
        if (typeof r === 'string') got.set(s.id, r);
        else got.set(s.id, [...(prev ?? []), r]);
        console.error(
          `${`nodered ${s.id}`.padEnd(28)} ${typeof r === 'string' ? r : `${fmtInt(r.rate)} msg/s, CPU ${Math.round(r.cpu * 100)}%${r.lost ? `, ${r.lost} lost` : ''}`}`,
        );
      }
    }
  } finally {
    await runtime.stop();
  }

  const rate = (id: string): number | undefined => {
    const r = got.get(id);
    return Array.isArray(r) ? median(r.map((x) => x.rate)) : undefined;
  };
  const perCpu = (id: string): number | undefined => {
    const r = got.get(id);
    return Array.isArray(r) ? median(r.map((x) => (x.cpu > 0 ? x.rate / x.cpu : NaN))) : undefined;
  };
  const q = (a: number | undefined, b: number | undefined): string =>
    a !== undefined && b ? `${(a / b).toFixed(2)}×` : '—';
  const row = (s: NodeRedScenario): string => {
    const r = got.get(s.id);
    if (typeof r === 'string' || r === undefined)
      return `| ${s.id} | ${s.label} | ${r ?? '—'} | — | — | — | — |`;
    const lost = r.reduce((n, x) => n + x.lost, 0);
    return (
      `| ${s.id} | ${s.label} | ${fmtInt(rate(s.id)!)}${lost ? ` (${lost} lost)` : ''} | ${fmtInt(perCpu(s.id)!)} | ` +
      `${Math.round(median(r.map((x) => x.cpu)) * 100)}% | ${q(rate(s.id), rate('mqtt-qos0'))} | ${q(perCpu(s.id), perCpu('mqtt-qos0'))} |`
    );
  };
  return [
    `Node-RED flows: one Node-RED ${nodeRedVersion()} runtime in a child process (our nodes, Node-RED's core mqtt nodes, ` +
      `an aedes broker and the wamp-router node all in it); a driver node keeps ${window} messages in flight through each flow ` +
      `and counts those that come back (call results; events / MQTT messages delivered by the subscribing node). ` +
      `Median of ${rounds} interleaved round${rounds > 1 ? 's' : ''} of ${opts.durationMs} ms after ${opts.warmupMs} ms warm-up.`,
    '',
    '| flow | path | msgs/s | per CPU-second | CPU | ÷ mqtt-qos0 | ÷ mqtt-qos0 per CPU-s |',
    '|---|---|---|---|---|---|---|',
    ...list.map(row),
    '',
    `Target: rpc-inproc ≥ 2× mqtt-qos0. "per CPU-second" divides by the Node-RED process's CPU use (100% = one core): ` +
      'steadier than the raw rate when other work competes for the cores.',
    '',
  ];
}

function nodeRedVersion(): string {
  try {
    // require: version only
    return `v${(require('node-red/package.json') as { version: string }).version}`;
  } catch {
    return '';
  }
}
