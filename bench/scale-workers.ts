// Scaling out, measured: calls/s of a CPU-bound `function` node behind one and then two Node-RED
// worker runtimes (child processes) registered with invoke roundrobin on one router. The router
// and the caller run here; each call costs the worker a few ms of CPU, so the router's share is
// small and two workers on two cores should come close to twice the rate of one.
//   BENCH_WORKERS_FIB  n of the fib(n) each call computes (default 25)
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

/** Completed calls per second with `window` calls in flight, after a warm-up. */
async function drive(caller: Connection, n: number, window: number, timing: Timing): Promise<number> {
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
  const from = performance.now();
  await new Promise((r) => setTimeout(r, timing.durationMs));
  const elapsed = performance.now() - from;
  const rate = (done * 1000) / elapsed;
  stop = true;
  await Promise.all(loops);
  return rate;
}

export async function runWorkersSection(match: (name: string) => boolean, timing: Timing): Promise<string[]> {
  if (!match('workers')) return [];
  const n = Number(process.env.BENCH_WORKERS_FIB ?? 25);
  const router = new Router({ realms: [{ name: 'realm1' }] });
  const listener = await router.listen({ port: 0 });
  const caller = new Connection({ url: listener.url, realm: 'realm1' });
  const workers: NodeRedProcess[] = [];
  const rates: number[] = [];
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
      // A few calls in flight per worker keep each one busy while a result travels back.
      const rate = await drive(caller, n, 4 * count, timing);
      rates.push(rate);
      console.error(`${'workers'.padEnd(28)} ${String(count).padEnd(9)} ${fmtInt(rate)} calls/s`);
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
    `Scaling out: a \`function\` node computing fib(${n}) (CPU-bound) behind \`wamp-register\` (invoke roundrobin) in 1 and 2 Node-RED worker runtimes (child processes), one router and the caller in the bench process, 4 calls in flight per worker:`,
    '',
    `Load average during the run: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${os.cpus().length} cores (a busy machine gives a second worker no core of its own).`,
    '',
    '| worker runtimes | calls/s | vs 1 worker |',
    '|---|---|---|',
    `| 1 | ${fmtInt(rates[0]!)} | 1.00× |`,
    `| 2 | ${fmtInt(rates[1]!)} | ${(rates[1]! / rates[0]!).toFixed(2)}× |`,
    '',
  ];
}
