// `npm run scale`: the router-scale goals of issue 17, asserted (long; not part of `npm test`).
// One router process (the bench's `ours` target, in a child process with --expose-gc):
// - 10,000 concurrent WebSocket sessions, joined and subscribed: heap per session <= 8 KiB,
//   and one event reaches every one of them;
// - 100,000 connect/HELLO/SUBSCRIBE/GOODBYE cycles: heap after GC grows <= 5 % over the run.
// Loopback only, bounded loops. Sizes: SCALE_SESSIONS, SCALE_CYCLES (defaults 10000, 100000).
import { churnGrowth, GOALS, runChurn, runSessions } from '../../bench/scale-router';
import { launchTarget } from '../../bench/target-process';

const SESSIONS = Number(process.env.SCALE_SESSIONS ?? 10_000);
const CYCLES = Number(process.env.SCALE_CYCLES ?? 100_000);

async function main(): Promise<void> {
  const t = await launchTarget('ours');
  if (typeof t === 'string') throw new Error(`router unavailable: ${t}`);
  const failures: string[] = [];
  try {
    const s = await runSessions(t.endpoint.wsUrl, (gc) => t.stats(gc), SESSIONS);
    const perSession = s.heapPerSession / 1024;
    console.log(
      `${SESSIONS} sessions: ${perSession.toFixed(2)} KiB heap each, ${Math.round((SESSIONS * 1000) / s.joinMs)} joins/s, ` +
        `event to all in ${Math.round(s.fanoutMs)} ms (${s.delivered} delivered)`,
    );
    if (s.heapPerSession > GOALS.heapPerSession)
      failures.push(`heap per session ${perSession.toFixed(2)} KiB > ${GOALS.heapPerSession / 1024} KiB`);
    if (s.delivered !== SESSIONS) failures.push(`event delivered ${s.delivered} times, not ${SESSIONS}`);

    const c = await runChurn(t.endpoint.wsUrl, (gc) => t.stats(gc), CYCLES, 50);
    const growth = churnGrowth(c);
    console.log(
      `${CYCLES} churn cycles: ${Math.round((CYCLES * 1000) / c.ms)}/s, heap after GC ` +
        `${(c.baseHeap / 1048576).toFixed(2)} -> ${(c.endHeap / 1048576).toFixed(2)} MiB ` +
        `(largest ${(c.maxHeap / 1048576).toFixed(2)}): ${(growth * 100).toFixed(1)} %`,
    );
    if (growth > GOALS.churnGrowth)
      failures.push(
        `heap grew ${(growth * 100).toFixed(1)} % over the churn (> ${GOALS.churnGrowth * 100} %)`,
      );
  } finally {
    await t.stop();
  }
  if (failures.length) {
    console.error(`FAIL: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log('OK: router scale goals met');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
