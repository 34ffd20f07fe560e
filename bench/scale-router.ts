// Router scale in one process (the `ours` target in its own child process, the peers here):
// - N concurrent WebSocket sessions (default 10,000), each joined and subscribed to one topic:
//   heap per session after GC, the join rate, and one event fanned out to all of them;
// - session churn: M connect / HELLO / SUBSCRIBE / GOODBYE cycles (default 100,000), heap after
//   GC sampled along the way: a router that leaks per session grows here.
// Loopback only; every loop is bounded. Source addresses rotate over 127.0.0.2-9 so that
// closed connections waiting in TIME_WAIT never exhaust the ephemeral ports.
//   BENCH_SCALE_SESSIONS (10000), BENCH_CHURN_CYCLES (100000), BENCH_CHURN_CONCURRENCY (50)
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { REALM } from './loadgen';
import type { Stats } from './target-process';
import { decode, encode, PROTOCOL } from './wire';

export interface SessionsResult {
  sessions: number;
  joinMs: number;
  heapPerSession: number;
  rssPerSession: number;
  /** From PUBLISH to the last subscriber's EVENT. */
  fanoutMs: number;
  delivered: number;
}

export interface ChurnResult {
  cycles: number;
  ms: number;
  /** Heap after GC: after a warm-up, then the largest and the last sample over the run. */
  baseHeap: number;
  maxHeap: number;
  endHeap: number;
}

const TOPIC = 'scale.all';
let nextSource = 0;
const source = (): string => `127.0.0.${2 + (nextSource++ % 8)}`;

/** A minimal JSON WAMP peer on one WebSocket: request/answer by message type, EVENTs counted. */
class Peer {
  events = 0;
  private waiting: { type: number; resolve(m: unknown[]): void; reject(e: Error): void } | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      // EVENT [36, ...] is only counted: decoding ten thousand copies would time the peers.
      if (data[1] === 0x33 && data[2] === 0x36) {
        this.events++;
        return;
      }
      const m = decode('json', data);
      const w = this.waiting;
      if (!w) return;
      this.waiting = null;
      if (m[0] === w.type) w.resolve(m);
      else w.reject(new Error(`expected ${w.type}, got ${JSON.stringify(m).slice(0, 200)}`));
    });
    ws.on('error', () => {});
  }

  static open(url: string): Promise<Peer> {
    const ws = new WebSocket(url, [PROTOCOL.json], { perMessageDeflate: false, localAddress: source() });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Peer(ws)));
      ws.once('error', reject);
    });
  }

  request(msg: unknown[], answer: number): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.waiting = { type: answer, resolve, reject };
      this.ws.send(encode('json', msg));
    });
  }

  async join(): Promise<void> {
    await this.request([1, REALM, { roles: { subscriber: {}, publisher: {} } }], 2);
  }

  async subscribe(id: number): Promise<void> {
    await this.request([32, id, {}, TOPIC], 33);
  }

  async goodbye(): Promise<void> {
    await this.request([6, {}, 'wamp.close.close_realm'], 6);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Runs `n` jobs, `concurrency` at a time. */
async function pool(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function runSessions(
  wsUrl: string,
  stats: (gc: boolean) => Promise<Stats>,
  sessions: number,
): Promise<SessionsResult> {
  const peers: Peer[] = [];
  try {
    const before = await stats(true);
    const from = performance.now();
    await pool(sessions, 100, async () => {
      const p = await Peer.open(wsUrl);
      peers.push(p);
      await p.join();
    });
    const joinMs = performance.now() - from;
    await pool(peers.length, 100, (i) => peers[i]!.subscribe(i + 1));
    const after = await stats(true);
    const publisher = await Peer.open(wsUrl);
    await publisher.join();
    const sent = performance.now();
    await publisher.request([16, 1, { acknowledge: true }, TOPIC, ['to everyone']], 17);
    let delivered = 0;
    await until(
      () => {
        delivered = 0;
        for (const p of peers) delivered += p.events;
        return delivered >= sessions;
      },
      120000,
      `event to ${sessions} subscribers`,
    );
    const fanoutMs = performance.now() - sent;
    publisher.terminate();
    return {
      sessions,
      joinMs,
      heapPerSession: (after.heapUsed - before.heapUsed) / sessions,
      rssPerSession: (after.rss - before.rss) / sessions,
      fanoutMs,
      delivered,
    };
  } finally {
    await pool(peers.length, 500, async (i) => peers[i]!.terminate());
  }
}

export async function runChurn(
  wsUrl: string,
  stats: (gc: boolean) => Promise<Stats>,
  cycles: number,
  concurrency: number,
): Promise<ChurnResult> {
  const cycle = async (i: number): Promise<void> => {
    const p = await Peer.open(wsUrl);
    await p.join();
    await p.subscribe(i + 1);
    await p.goodbye();
    await p.close();
  };
  // Warm-up: code compiled, pools and caches at their working size.
  const warm = Math.min(2000, Math.floor(cycles / 10));
  await pool(warm, concurrency, cycle);
  const baseHeap = (await stats(true)).heapUsed;
  let maxHeap = baseHeap;
  let endHeap = baseHeap;
  const from = performance.now();
  const step = Math.ceil(cycles / 10);
  for (let done = 0; done < cycles; done += step) {
    await pool(Math.min(step, cycles - done), concurrency, (i) => cycle(done + i));
    endHeap = (await stats(true)).heapUsed;
    maxHeap = Math.max(maxHeap, endHeap);
  }
  return { cycles, ms: performance.now() - from, baseHeap, maxHeap, endHeap };
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MiB`;

/** The goals of issue 17: what `npm run scale` asserts. */
export const GOALS = { heapPerSession: 8 * 1024, churnGrowth: 0.05 };

export const churnGrowth = (r: ChurnResult): number => (r.endHeap - r.baseHeap) / r.baseHeap;

/** Both measurements on one fresh `ours` router process; the Markdown lines for RESULTS.md. */
export async function runRouterScaleSection(match: (name: string) => boolean): Promise<string[]> {
  if (!match('router-scale')) return [];
  const { launchTarget } = await import('./target-process');
  const sessions = Number(process.env.BENCH_SCALE_SESSIONS ?? 10_000);
  const cycles = Number(process.env.BENCH_CHURN_CYCLES ?? 100_000);
  const concurrency = Number(process.env.BENCH_CHURN_CONCURRENCY ?? 50);
  const t = await launchTarget('ours');
  if (typeof t === 'string') return [`Router scale: not measured (${t}).`, ''];
  try {
    const s = await runSessions(t.endpoint.wsUrl, (gc) => t.stats(gc), sessions);
    console.error(
      `${'router-scale sessions'.padEnd(28)} ${kib(s.heapPerSession)} heap/session, ${fmtInt((sessions * 1000) / s.joinMs)} joins/s, fan-out ${fmtInt(s.fanoutMs)} ms`,
    );
    const c = await runChurn(t.endpoint.wsUrl, (gc) => t.stats(gc), cycles, concurrency);
    console.error(
      `${'router-scale churn'.padEnd(28)} ${fmtInt((cycles * 1000) / c.ms)} cycles/s, heap ${mib(c.baseHeap)} → ${mib(c.endHeap)} (max ${mib(c.maxHeap)})`,
    );
    return [
      `Router scale (ours, one process; peers in the bench process, WebSocket/JSON over loopback):`,
      '',
      '| measure | result | goal |',
      '|---|---|---|',
      `| ${fmtInt(sessions)} concurrent sessions, each joined and subscribed: heap per session after GC | ${kib(s.heapPerSession)} (RSS ${kib(s.rssPerSession)}) | ≤ ${kib(GOALS.heapPerSession)} |`,
      `| join rate (connect + HELLO/WELCOME, 100 at a time) | ${fmtInt((sessions * 1000) / s.joinMs)} sessions/s | — |`,
      `| one event fanned out to all ${fmtInt(sessions)} (PUBLISH to the last EVENT) | ${fmtInt(s.fanoutMs)} ms (${fmtInt(s.delivered)} delivered) | — |`,
      `| churn: ${fmtInt(cycles)} connect/HELLO/SUBSCRIBE/GOODBYE cycles, ${concurrency} at a time | ${fmtInt((cycles * 1000) / c.ms)} cycles/s | — |`,
      `| churn: heap after GC, after warm-up → end (largest sample) | ${mib(c.baseHeap)} → ${mib(c.endHeap)} (${mib(c.maxHeap)}): ${(churnGrowth(c) * 100).toFixed(1)} % | ≤ ${GOALS.churnGrowth * 100} % |`,
      '',
    ];
  } finally {
    await t.stop();
  }
}
