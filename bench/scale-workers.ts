// Scaling out, measured: calls/s of a CPU-bound `function` node behind one and then two Node-RED
// worker runtimes (child processes) registered with invoke roundrobin on one router. The router
// and the caller run here; each call costs the worker a few ms of CPU, so the router's share is
// small and two workers on two cores should come close to twice the rate of one.
//   BENCH_WORKERS_FIB  n of the fib(n) each call computes (default 25)
import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Connection } from '../src/client';
import { Router } from '../src/router';
import type { NodeRedProcess } from '../test/support/node-red-process';
import { startWorker } from '../test/support/worker-runtimes';

const PROCEDURE = 'bench.fib';
const FUNC = `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
msg.payload = fib(msg.payload);
return msg;`;

interface Timing {
  durationMs: number;
  warmupMs: number;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function calleesOf(caller: Connection): Promise<number> {
  const [id] = (await caller.call('wamp.registration.lookup', [PROCEDURE])).args as [number | null];
  return id === null ? 0 : ((await caller.call('wamp.registration.count_callees', [id])).args[0] as number);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Rate {
  rate: number;
  /** Calls per CPU-second of the workers: what the workers deliver for the CPU they got. */
  perCpu: number;
}

/** Completed calls per second with `window` calls in flight, after a warm-up. */
async function drive(
  caller: Connection,
  n: number,
  window: number,
  timing: Timing,
  pids: number[],
): Promise<Rate> {
  let counting = false;
  let done = 0;
  let stop = false;
  const loop = async (): Promise<void> => {
    while (!stop) {
      await caller.call(PROCEDURE, [n]);
      if (counting) done++;
    }
  };
  const loops = Array.from({ length: window }, loop);
  await new Promise((r) => setTimeout(r, timing.warmupMs));
  counting = true;
  const cpuFrom = pids.reduce((a, p) => a + cpuSeconds(p), 0);
  const from = performance.now();
  await new Promise((r) => setTimeout(r, timing.durationMs));
  const elapsed = performance.now() - from;
  const cpu = pids.reduce((a, p) => a + cpuSeconds(p), 0) - cpuFrom;
  const completed = done;
  stop = true;
  await Promise.all(loops);
  return { rate: (completed * 1000) / elapsed, perCpu: completed / cpu };
}

export async function runWorkersSection(match: (name: string) => boolean, timing: Timing): Promise<string[]> {
  if (!match('workers')) return [];
  const n = Number(process.env.BENCH_WORKERS_FIB ?? 25);
  const router = new Router({ realms: [{ name: 'realm1' }] });
  const listener = await router.listen({ port: 0 });
  const caller = new Connection({ url: listener.url, realm: 'realm1' });
  const workers: NodeRedProcess[] = [];
  const rates: Rate[] = [];
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  // Node-RED's function node needs its JIT warm; a busy machine needs a longer look.
  const t = { warmupMs: Math.max(timing.warmupMs, 2000), durationMs: Math.max(timing.durationMs, 5000) };
  const flow = { routerUrl: listener.url, procedure: PROCEDURE, invoke: 'roundrobin' as const, func: FUNC };
  try {
    caller.open();
    await caller.connected();
    for (const count of [1, 2]) {
      workers.push(await startWorker(`w${count}`, flow));
      const deadline = Date.now() + 60000;
      while ((await calleesOf(caller)) !== count) {
        if (Date.now() > deadline) throw new Error(`${count} workers did not register within 60 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // A few calls in flight per worker keep each one busy while a result travels back. Other
      // load only ever slows a round: the best of the rounds is kept.
      let best: Rate | null = null;
      for (let round = 0; round < rounds; round++) {
        const r = await drive(
          caller,
          n,
          4 * count,
          t,
          workers.map((w) => w.pid),
        );
        console.error(
          `${'workers'.padEnd(28)} ${String(count).padEnd(9)} ${fmtInt(r.rate)} calls/s, ${fmtInt(r.perCpu)} per worker CPU-second`,
        );
        if (!best || r.rate > best.rate) best = r;
      }
      rates.push(best!);
    }
  } catch (e) {
    console.error(`workers: ${(e as Error).message}`);
    return [`Scaling out with worker runtimes: not measured (${(e as Error).message}).`, ''];
  } finally {
    await caller.close();
    await Promise.all(workers.map((w) => w.stop()));
    await router.close();
  }
  return [
    `Scaling out: a \`function\` node computing fib(${n}) (CPU-bound) behind \`wamp-register\` (invoke roundrobin) in 1 and 2 Node-RED worker runtimes (child processes), one router and the caller in the bench process, 4 calls in flight per worker; ${t.durationMs} ms after ${t.warmupMs} ms warm-up, best of ${rounds} rounds:`,
    '',
    `Load average during the run: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${os.cpus().length} cores (a busy machine gives a second worker no core of its own).`,
    '',
    '| worker runtimes | calls/s | vs 1 worker | calls per worker CPU-second |',
    '|---|---|---|---|',
    `| 1 | ${fmtInt(rates[0]!.rate)} | 1.00× | ${fmtInt(rates[0]!.perCpu)} |`,
    `| 2 | ${fmtInt(rates[1]!.rate)} | ${(rates[1]!.rate / rates[0]!.rate).toFixed(2)}× | ${fmtInt(rates[1]!.perCpu)} |`,
    '',
  ];
}
