// Scale: memory the router spends per idle joined session, and how fast it accepts them. Memory
// is read inside the target process (after a forced GC) before and after opening the sessions.
import { performance } from 'node:perf_hooks';
import { REALM } from './loadgen';
import type { Stats } from './target-process';
import { BenchPeer, type Codec, type Endpoint, type Wire } from './wire';

export interface ScaleResult {
  sessions: number;
  /** Time to connect and join all sessions, in ms (batches of `batch` in parallel). */
  acceptMs: number;
  rssPerSession: number;
  heapPerSession: number;
}

export async function runScale(
  endpoint: Endpoint,
  stats: (gc: boolean) => Promise<Stats>,
  opts: { sessions: number; wire: Wire; codec: Codec; batch?: number },
): Promise<ScaleResult> {
  const batch = opts.batch ?? 50;
  const peers: BenchPeer[] = [];
  try {
    const before = await stats(true);
    const from = performance.now();
    for (let i = 0; i < opts.sessions; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, opts.sessions - i) }, async () => {
          const p = await BenchPeer.connect(endpoint, opts.wire, opts.codec);
          peers.push(p);
          await p.join(REALM);
        }),
      );
    }
    const acceptMs = performance.now() - from;
    const after = await stats(true);
    return {
      sessions: opts.sessions,
      acceptMs,
      rssPerSession: (after.rss - before.rss) / opts.sessions,
      heapPerSession: (after.heapUsed - before.heapUsed) / opts.sessions,
    };
  } finally {
    await Promise.all(peers.map((p) => Promise.race([p.close(), new Promise((r) => setTimeout(r, 2000))])));
  }
}
