// `npm run soak`: holds many sessions with subscriptions and a steady event rate for minutes,
// samples heap and RSS after GC, fits a line, and fails if memory grows or the rate or the
// send queues do not hold. Not part of `npm test`.
//   SOAK_MINUTES (default 3), SOAK_SESSIONS (1000), SOAK_RATE events/s (50; each goes to SESSIONS/10 subscribers),
//   SOAK_MAX_SLOPE_MB_PER_MIN (default 2: heap growth per minute allowed after warm-up).
import { Connection } from '../../src/client';
import { Router } from '../../src/router';
import { listen } from '../../src/transports';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 3);
const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 1000);
const RATE = Number(process.env.SOAK_RATE ?? 50);
const MAX_SLOPE = Number(process.env.SOAK_MAX_SLOPE_MB_PER_MIN ?? 2) * 1024 * 1024;
const SAMPLE_MS = 5000;
const TOPICS = 10;

const gc = (globalThis as { gc?: () => void }).gc;

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const mb = (b: number): string => (b / 1024 / 1024).toFixed(2);

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc (npm run soak does)');
  const router = new Router({ realms: [{ name: 'realm1' }] });
  const listener = await listen({ port: 0 }, (t) => router.accept(t));
  const serializers = ['json', 'msgpack', 'cbor'] as const;
  const clients: Connection[] = [];
  let received = 0;
  for (let i = 0; i < SESSIONS; i++) {
    const url = i % 2 === 0 ? listener.url : `rs://127.0.0.1:${listener.port}`;
    const c = new Connection({
      url,
      realm: 'realm1',
      serializer: serializers[i % 3],
      reconnect: { enabled: false },
    });
    clients.push(c);
    const up = new Promise<void>((resolve, reject) =>
      c.on('status', (s: { state: string; reason?: string }) =>
        s.state === 'connected' ? resolve() : s.state === 'failed' ? reject(new Error(s.reason)) : undefined,
      ),
    );
    c.open();
    await up;
    await c.subscribe(`soak.topic.${i % TOPICS}`, () => received++);
  }
  console.log(
    `soak: ${router.sessionCount} sessions, ${SESSIONS} subscriptions on ${TOPICS} topics; ${RATE} events/s for ${MINUTES} min`,
  );

  const publisher = clients[0];
  let published = 0;
  let publishFailures = 0;
  const started = Date.now();
  const end = started + MINUTES * 60_000;
  const tick = setInterval(() => {
    // Events due by now at RATE; catches up if a tick was late.
    const due = Math.floor(((Date.now() - started) / 1000) * RATE);
    for (; published < due; published++) {
      publisher
        .publish(`soak.topic.${published % TOPICS}`, [published, 'payload'], undefined, {
          acknowledge: true,
          exclude_me: false,
        })
        .catch(() => publishFailures++);
    }
  }, 20);

  const xs: number[] = [];
  const heap: number[] = [];
  const rss: number[] = [];
  const maxBuffered: number[] = [];
  let lastReceived = 0;
  let lastAt = Date.now();
  const rates: number[] = [];
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    gc();
    const m = process.memoryUsage();
    const minutes = (Date.now() - started) / 60_000;
    const now = Date.now();
    const rate = (received - lastReceived) / ((now - lastAt) / 1000) / (SESSIONS / TOPICS);
    rates.push(rate);
    lastReceived = received;
    lastAt = now;
    const buffered = Math.max(
      0,
      ...[
        ...(router as unknown as { connections: Set<{ transport: { bufferedAmount: number } }> }).connections,
      ].map((s) => s.transport.bufferedAmount),
    );
    xs.push(minutes);
    heap.push(m.heapUsed);
    rss.push(m.rss);
    maxBuffered.push(buffered);
    console.log(
      `  ${minutes.toFixed(2)} min: heapUsed ${mb(m.heapUsed)} MB, rss ${mb(m.rss)} MB, event rate (events/s) ${rate.toFixed(0)}, max bufferedAmount ${buffered} B, sessions ${router.sessionCount}`,
    );
  }
  clearInterval(tick);
  // Deliveries still under way when publishing stopped may finish; then all must have arrived.
  const expected = (): number => published * (SESSIONS / TOPICS);
  for (let i = 0; i < 100 && received < expected(); i++) await new Promise((r) => setTimeout(r, 50));

  // The first fifth is warm-up (JIT, pools); the slope is fitted over the rest.
  const skip = Math.max(1, Math.floor(xs.length / 5));
  const heapSlope = slope(xs.slice(skip), heap.slice(skip));
  const rssSlope = slope(xs.slice(skip), rss.slice(skip));
  const steadyRates = rates.slice(skip);
  const minRate = Math.min(...steadyRates);
  const bufferedSlope = slope(xs.slice(skip), maxBuffered.slice(skip));
  console.log(
    `soak result: ${SESSIONS} sessions held ${MINUTES} min; ${published} events published (${publishFailures} failed), ` +
      `heap slope ${mb(heapSlope)} MB/min, rss slope ${mb(rssSlope)} MB/min; lowest 5 s window ${minRate.toFixed(0)}/${RATE} ev/s, ${received}/${expected()} deliveries; ` +
      `max bufferedAmount ${Math.max(...maxBuffered)} B (slope ${bufferedSlope.toFixed(0)} B/min)`,
  );
  const failures: string[] = [];
  if (heapSlope > MAX_SLOPE) failures.push(`heap grows ${mb(heapSlope)} MB/min (limit ${mb(MAX_SLOPE)})`);
  // A single 5 s window may dip on a shared machine (the next one catches up); what must hold is
  // that every event published at RATE was delivered to every subscriber by the end.
  if (received < expected())
    failures.push(`${expected() - received} of ${expected()} deliveries missing: the rate was not held`);
  if (publishFailures > 0) failures.push(`${publishFailures} publishes failed`);
  if (router.sessionCount !== SESSIONS) failures.push(`${router.sessionCount} of ${SESSIONS} sessions left`);
  if (bufferedSlope > 1024 * 1024) failures.push(`send queues grow ${bufferedSlope.toFixed(0)} B/min`);

  await Promise.all(clients.map((c) => c.close()));
  await listener.close();
  await router.close();
  if (failures.length) {
    console.error(`SOAK FAILED: ${failures.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log('soak passed');
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
