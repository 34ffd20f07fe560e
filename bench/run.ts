// `npm run bench`: every scenario against every target in one run, targets interleaved per
// scenario so that drift on a shared machine hits all of them alike. Prints a Markdown table
// with ratios and appends it to bench/RESULTS.md.
//   BENCH_DURATION_MS  measured window per scenario and target (default 3000)
//   BENCH_WARMUP_MS    warm-up before it (default 500)
//   BENCH_ROUNDS       measure each scenario and target this many times (interleaved), keep
//                      the best rate: other load on the machine only ever slows a run (default 1)
//   BENCH_ONLY         comma list: target names restrict targets, other items are substrings
//                      of scenario names (e.g. `ours,floor,rpc-seq`); a trailing `$` anchors
//                      the item at the end of the name (`nodered rpc-ws$`: that row alone)
//   BENCH_SESSIONS     idle sessions opened by the scale scenario `sessions` (default 1000)
//   BENCH_CLIENT_ROUTER  target the client-library comparison runs on (default floor, else any)
//   BENCH_NO_RESULTS   set to skip appending to RESULTS.md
//   BENCH_NODERED_WINDOW  messages in flight per flow in the Node-RED section (default 100)
//   BENCH_SCALE_SESSIONS, BENCH_CHURN_CYCLES, BENCH_CHURN_CONCURRENCY  the router-scale section
//                      (defaults 10000, 100000, 50; see scale-router.ts)
//   BENCH_WORKERS_FIB  the workers section's CPU-bound call (see scale-workers.ts)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScenario, scenarios, type Result, type Scenario, type Timing } from './loadgen';
import { CLIENTS, clientScenarios, runClientScenario, type ClientName } from './client';
import { runScale, type ScaleResult } from './scale';
import { launchTarget, TARGETS, type TargetHandle, type TargetName } from './target-process';
import { runNodeRedSection } from './nodered-section';
import { runMqttSection } from './mqtt';
import { serializerSection } from './serializers';
import { runRouterScaleSection } from './scale-router';
import { runWorkersSection } from './scale-workers';

interface Measured {
  result?: Result;
  /** Why there is no result: unsupported, unavailable, or an error. */
  note?: string;
  routerCpu?: number;
  loadgenCpu?: number;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtKiB = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

/** Above this CPU share the load generator, not the router, may be what limits the rate. */
const LOADGEN_SATURATED = 0.9;

function cell(s: Scenario, m: Measured | undefined): string {
  if (!m || !m.result) return m?.note ?? '—';
  const r = m.result;
  const err =
    (r.errors ? ` (${r.errors} errors)` : '') +
    (r.lost ? ` (${r.lost} lost)` : '') +
    ((m.loadgenCpu ?? 0) >= LOADGEN_SATURATED ? ' †' : '');
  if (s.kind === 'fanout') return `${fmtInt(r.rate)} ev/s${err}`;
  if (s.kind === 'rpc-sequential')
    return `p50 ${fmtInt(r.p50 ?? NaN)} µs, p99 ${fmtInt(r.p99 ?? NaN)} µs (${fmtInt(r.rate)}/s)${err}`;
  return `${fmtInt(r.rate)} calls/s (p50 ${fmtInt(r.p50 ?? NaN)} µs)${err}`;
}

function ratio(a: Measured | undefined, b: Measured | undefined): string {
  if (!a?.result || !b?.result || !b.result.rate) return '—';
  return `${(a.result.rate / b.result.rate).toFixed(2)}×`;
}

function parseOnly(): { targets: TargetName[]; match: (name: string) => boolean } {
  const items = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const targets = items.filter((i): i is TargetName => (TARGETS as readonly string[]).includes(i));
  const filters = items.filter((i) => !(TARGETS as readonly string[]).includes(i));
  return {
    targets: targets.length ? targets : [...TARGETS],
    match: (name) =>
      filters.length === 0 ||
      filters.some((f) => (f.endsWith('$') ? name.endsWith(f.slice(0, -1)) : name.includes(f))),
  };
}

async function measure(target: TargetHandle, s: Scenario, timing: Timing): Promise<Measured> {
  if (!target.codecs.includes(s.codec)) return { note: `n/a (no ${s.codec})` };
  if (s.wire === 'raw' && target.endpoint.rawPort === undefined) return { note: 'n/a (no RawSocket)' };
  if ((s.wire === 'lp' || s.wire === 'lpb') && target.endpoint.longPollUrl === undefined)
    return { note: 'n/a (no long-poll)' };
  // CPU use of both processes over exactly the measured window.
  let routerFrom = 0,
    routerTo = 0,
    wallFrom = 0n,
    wallTo = 0n;
  let loadFrom = process.cpuUsage(),
    loadgen = { user: 0, system: 0 };
  const mark = async (phase: 'start' | 'end'): Promise<void> => {
    const { cpuMicros } = await target.stats();
    if (phase === 'start') {
      routerFrom = cpuMicros;
      loadFrom = process.cpuUsage();
      wallFrom = process.hrtime.bigint();
    } else {
      routerTo = cpuMicros;
      loadgen = process.cpuUsage(loadFrom);
      wallTo = process.hrtime.bigint();
    }
  };
  try {
    const result = await runScenario(target.endpoint, s, { ...timing, mark });
    const wallMicros = Number(wallTo - wallFrom) / 1000;
    return {
      result,
      routerCpu: (routerTo - routerFrom) / wallMicros,
      loadgenCpu: (loadgen.user + loadgen.system) / wallMicros,
    };
  } catch (e) {
    return { note: `error: ${(e as Error).message}` };
  }
}

/** Rate per second of router CPU: less sensitive than the rate to other load on the machine. */
function efficiency(m: Measured | undefined): number | undefined {
  return m?.result && m.routerCpu ? m.result.rate / m.routerCpu : undefined;
}

function effRatio(a: Measured | undefined, b: Measured | undefined): string {
  const x = efficiency(a),
    y = efficiency(b);
  return x && y ? `${(x / y).toFixed(2)}×` : '—';
}

async function main(): Promise<void> {
  const timing: Timing = {
    durationMs: Number(process.env.BENCH_DURATION_MS ?? 3000),
    warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 500),
  };
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
  const only = parseOnly();
  const list = scenarios().filter((s) => only.match(s.name));
  const running = new Map<TargetName, TargetHandle>();
  const unavailable = new Map<TargetName, string>();
  const results = new Map<string, Map<TargetName, Measured>>();
  const sessions = Number(process.env.BENCH_SESSIONS ?? 1000);
  const scaleName = `sessions-${sessions} ws/json`;
  const scale = new Map<TargetName, ScaleResult | string>();
  const clientList = clientScenarios().filter((c) => only.match(c.name));
  const clientResults = new Map<string, Map<ClientName, number | string>>();
  let clientRouter: TargetName | undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.all([...running.values()].map((t) => t.stop()));
    running.clear();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  // Targets are needed by every section but the Node-RED one (BENCH_ONLY=nodered runs it alone).
  const needTargets = list.length > 0 || only.match(scaleName) || clientList.length > 0;
  try {
    for (const name of needTargets ? only.targets : []) {
      const t = await launchTarget(name);
      if (typeof t === 'string') {
        unavailable.set(name, t);
        console.error(`${name}: unavailable (${t})`);
      } else running.set(name, t);
    }
    for (const s of list) {
      const row = new Map<TargetName, Measured>();
      results.set(s.name, row);
      for (let round = 0; round < rounds; round++) {
        for (const name of only.targets) {
          const t = running.get(name);
          const m = t ? await measure(t, s, timing) : { note: 'unavailable' };
          const best = row.get(name);
          if (!best?.result || (m.result && m.result.rate > best.result.rate)) row.set(name, m);
          console.error(`${s.name.padEnd(28)} ${name.padEnd(9)} ${cell(s, m)}`);
        }
      }
    }
    if (needTargets && only.match(scaleName)) {
      for (const name of only.targets) {
        const t = running.get(name);
        if (!t) continue;
        const r = await runScale(t.endpoint, (gc) => t.stats(gc), {
          sessions,
          wire: 'ws',
          codec: 'json',
        }).catch((e: unknown) => `error: ${(e as Error).message}`);
        scale.set(name, r);
        console.error(
          `${scaleName.padEnd(28)} ${name.padEnd(9)} ${typeof r === 'string' ? r : `${fmtKiB(r.heapPerSession)} heap/session, ${Math.round(r.acceptMs)} ms`}`,
        );
      }
    }
    const preferred = (process.env.BENCH_CLIENT_ROUTER ?? 'floor') as TargetName;
    clientRouter = running.has(preferred) ? preferred : [...running.keys()][0];
    const router = clientRouter && running.get(clientRouter);
    for (const c of clientList) {
      if (!router) break;
      const row = new Map<ClientName, number | string>();
      clientResults.set(c.name, row);
      for (let round = 0; round < rounds; round++) {
        for (const client of CLIENTS) {
          if (typeof row.get(client) === 'string') continue;
          const r = await runClientScenario(client, router.endpoint.wsUrl, c, timing).catch(
            (e: unknown) => `error: ${(e as Error).message}`,
          );
          const best = row.get(client);
          if (typeof r === 'string' || best === undefined || (typeof best === 'number' && r > best))
            row.set(client, r);
          console.error(
            `${c.name.padEnd(28)} ${client.padEnd(9)} ${typeof r === 'string' ? r : `${fmtInt(r)}/s`}`,
          );
        }
      }
    }
  } finally {
    await stopAll();
  }
  const mqttLines = await runMqttSection(only.match, {
    durationMs: timing.durationMs,
    warmupMs: timing.warmupMs,
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  });
  const serializerLines = serializerSection(only.match, timing.durationMs, Math.max(rounds, 3));
  const nodeRedLines = await runNodeRedSection(only.match, {
    durationMs: timing.durationMs,
    warmupMs: timing.warmupMs,
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  });

  const routerScaleLines = await runRouterScaleSection(only.match);
  const workersLines = await runWorkersSection(only.match, timing);

  const cpus = os.cpus();
  const header = [
    `## ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores; ` +
      `${timing.durationMs} ms measured after ${timing.warmupMs} ms warm-up per scenario and target` +
      (list.length
        ? (rounds > 1 ? `, best of ${rounds} interleaved rounds; ` : '; ') +
          'router in a child process, load generator (raw WAMP frames) in the parent.'
        : '.') +
      (unavailable.size
        ? ` Unavailable: ${[...unavailable].map(([n, r]) => `${n} (${r})`).join(', ')}.`
        : ''),
    '',
  ];
  const main = [
    '| scenario | floor | fox-wamp | ours | ours/floor | ours/fox-wamp |',
    '|---|---|---|---|---|---|',
    ...list.map((s) => {
      const row = results.get(s.name);
      const get = (n: TargetName): Measured | undefined => row?.get(n);
      return `| ${s.name} | ${cell(s, get('floor'))} | ${cell(s, get('fox-wamp'))} | ${cell(s, get('ours'))} | ${ratio(get('ours'), get('floor'))} | ${ratio(get('ours'), get('fox-wamp'))} |`;
    }),
    '',
    'Ratios compare rates (calls/s, events/s): above 1 means ours is faster. Fan-out counts EVENTs ' +
      'received by the subscribers; publishes are acknowledged with 32 in flight. ' +
      `† = the load generator used ≥ ${LOADGEN_SATURATED * 100}% of a core: that rate may be its limit, not the router's.`,
    '',
  ];
  // HTTP long-poll next to WebSocket on our router, from the same run.
  const prefixes = [
    ...new Set(list.filter((s) => s.wire === 'lp' || s.wire === 'lpb').map((s) => s.name.split(' ')[0])),
  ];
  const longPollLines = prefixes.length
    ? [
        'HTTP long-poll next to WebSocket (ours, JSON, same run): rates, and ratios to WebSocket (rate; per router CPU-second in brackets).',
        '',
        '| scenario | websocket | longpoll | longpoll-batched | longpoll/websocket | batched/websocket |',
        '|---|---|---|---|---|---|',
        ...prefixes.map((prefix) => {
          const get = (label: string): Measured | undefined => results.get(`${prefix} ${label}`)?.get('ours');
          const s = list.find((x) => x.name.startsWith(`${prefix} `)) as Scenario;
          const ws = get('ws/json'),
            lp = get('longpoll/json'),
            lpb = get('longpoll-batched/json');
          return `| ${prefix} | ${cell(s, ws)} | ${cell(s, lp)} | ${cell(s, lpb)} | ${ratio(lp, ws)} (${effRatio(lp, ws)}) | ${ratio(lpb, ws)} (${effRatio(lpb, ws)}) |`;
        }),
        '',
      ]
    : [];
  const cpuLines = [
    'Per router CPU-second (rate ÷ router CPU use; steadier than raw rates when other processes compete for the cores):',
    '',
    '| scenario | floor | fox-wamp | ours | ours/floor | ours/fox-wamp |',
    '|---|---|---|---|---|---|',
    ...list.map((s) => {
      const row = results.get(s.name);
      const get = (n: TargetName): Measured | undefined => row?.get(n);
      const e = (n: TargetName): string => {
        const x = efficiency(get(n));
        return x === undefined ? '—' : fmtInt(x);
      };
      return `| ${s.name} | ${e('floor')} | ${e('fox-wamp')} | ${e('ours')} | ${effRatio(get('ours'), get('floor'))} | ${effRatio(get('ours'), get('fox-wamp'))} |`;
    }),
    '',
    '<details><summary>CPU use during each measured window (router process / load generator, 100% = one core)</summary>',
    '',
    `| scenario | ${only.targets.join(' | ')} |`,
    `|---|${only.targets.map(() => '---|').join('')}`,
    ...list.map((s) => {
      const row = results.get(s.name);
      const cells = only.targets.map((n) => {
        const m = row?.get(n);
        return m?.routerCpu === undefined
          ? '—'
          : `${Math.round(m.routerCpu * 100)}% / ${Math.round((m.loadgenCpu ?? 0) * 100)}%`;
      });
      return `| ${s.name} | ${cells.join(' | ')} |`;
    }),
    '',
    '</details>',
    '',
  ];
  const scaleLines: string[] = [];
  if (scale.size) {
    const row = (label: string, value: (r: ScaleResult) => number, fmt: (n: number) => string): string => {
      const v = (n: TargetName): number | undefined => {
        const r = scale.get(n);
        return r === undefined || typeof r === 'string' ? undefined : value(r);
      };
      const c = (n: TargetName): string => {
        const r = scale.get(n);
        return typeof r === 'string' ? r : r === undefined ? '—' : fmt(value(r));
      };
      // A ratio of a delta that came out negative (RSS) would mean nothing.
      const q = (a: number | undefined, b: number | undefined): string =>
        a !== undefined && a > 0 && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : '—';
      return `| ${label} | ${c('floor')} | ${c('fox-wamp')} | ${c('ours')} | ${q(v('ours'), v('floor'))} | ${q(v('ours'), v('fox-wamp'))} |`;
    };
    scaleLines.push(
      `Scale: ${sessions} idle joined sessions over WebSocket/JSON, opened 50 at a time; memory read in the router process after a forced GC. Ratios here: lower is better.`,
      '',
      '| scale | floor | fox-wamp | ours | ours/floor | ours/fox-wamp |',
      '|---|---|---|---|---|---|',
      row('heap per session', (r) => r.heapPerSession, fmtKiB),
      row(
        'RSS per session (noisy: pages return to the OS on their own schedule)',
        (r) => r.rssPerSession,
        fmtKiB,
      ),
      row(
        `time to accept ${sessions}`,
        (r) => r.acceptMs,
        (n) => `${fmtInt(n)} ms`,
      ),
      '',
    );
  }
  const clientLines: string[] = [];
  if (clientResults.size) {
    const fmt = (v: number | string | undefined): string =>
      v === undefined ? '—' : typeof v === 'string' ? v : `${fmtInt(v)}/s`;
    clientLines.push(
      `Client libraries on the same router (${clientRouter}), WebSocket/JSON, both ends in the load generator process; calls/s, or events/s counted in the subscribers' handlers:`,
      '',
      '| client scenario | autobahn | ours | ours/autobahn |',
      '|---|---|---|---|',
      ...[...clientResults].map(([name, row]) => {
        const a = row.get('autobahn'),
          o = row.get('ours');
        const q = typeof a === 'number' && typeof o === 'number' && a ? `${(o / a).toFixed(2)}×` : '—';
        return `| ${name} | ${fmt(a)} | ${fmt(o)} | ${q} |`;
      }),
      '',
    );
  }
  const text = [
    ...header,
    ...serializerLines,
    ...(list.length ? main : []),
    ...longPollLines,
    ...scaleLines,
    ...clientLines,
    ...(list.length ? cpuLines : []),
    ...mqttLines,
    ...nodeRedLines,
    ...routerScaleLines,
    ...workersLines,
  ].join('\n');
  console.log(text);
  if (!process.env.BENCH_NO_RESULTS) {
    const file = path.resolve(__dirname, '../../bench/RESULTS.md');
    if (!fs.existsSync(file))
      fs.writeFileSync(
        file,
        '# Benchmark results\n\nAppended by `npm run bench` (bench/run.ts); newest last.\n\n',
      );
    fs.appendFileSync(file, `${text}\n`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
