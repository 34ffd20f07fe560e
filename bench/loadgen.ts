// Load generator: drives a router with raw WAMP frames (see wire.ts) and measures throughput
// and latency over a fixed window after a warm-up. Runs in the parent process; the router under
// test runs in a child, so each has a core.
import { performance } from 'node:perf_hooks';
import { BenchPeer, decode, Template, type Codec, type Endpoint, type Wire } from './wire';

export const REALM = 'bench';
const PROCEDURE = 'bench.echo';
const TOPIC = 'bench.topic';
const ARGS = ['hello', 42];

export type ScenarioKind = 'rpc-pipelined' | 'rpc-sequential' | 'fanout';

export interface Scenario {
  /** Short name used in tables and in BENCH_ONLY filters. */
  name: string;
  kind: ScenarioKind;
  wire: Wire;
  codec: Codec;
  /** Calls or acknowledged publishes kept in flight. */
  window: number;
  subscribers?: number;
}

export interface Timing {
  warmupMs: number;
  durationMs: number;
  /** Awaited just before and just after the measured window (to sample CPU use). */
  mark?: (phase: 'start' | 'end') => Promise<void>;
}

export interface Result {
  /** Calls/s (RPC) or events delivered/s counted at the subscribers (fan-out). */
  rate: number;
  /** Round-trip latency percentiles in µs (RPC only). */
  p50?: number;
  p99?: number;
  errors: number;
  /** Fan-out: EVENTs missing at the end, against acknowledged publishes × subscribers. */
  lost?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function connectJoined(endpoint: Endpoint, s: Scenario): Promise<BenchPeer> {
  const peer = await BenchPeer.connect(endpoint, s.wire, s.codec);
  try {
    await peer.join(REALM);
  } catch (e) {
    await peer.close();
    throw e;
  }
  return peer;
}

/** Waits until `done()` or `ms` elapse, polling: used only to drain in-flight requests at the end. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!done() && performance.now() < end) await sleep(5);
}

async function rpc(endpoint: Endpoint, s: Scenario, t: Timing, peers: BenchPeer[]): Promise<Result> {
  const callee = await connectJoined(endpoint, s);
  peers.push(callee);
  await callee.request([64, 1, {}, PROCEDURE], (m) => m[0] === 65);
  // The echo callee answers with constant arguments: no need to decode the INVOCATION's.
  const yieldMsg = new Template(s.codec, 70, [{}, ARGS]);
  callee.onHead = (type, id) => {
    if (type === 68) callee.sendEncoded(yieldMsg.encode(id));
  };
  const callMsg = new Template(s.codec, 48, [{}, PROCEDURE, ARGS]);
  const caller = await connectJoined(endpoint, s);
  peers.push(caller);

  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let nextRequest = 0;
  let errors = 0;
  let completed = 0;
  let measuring = false;
  let running = true;
  const call = (): void => {
    const id = ++nextRequest;
    sentAt.set(id, performance.now());
    caller.sendEncoded(callMsg.encode(id));
  };
  caller.onHead = (type, head, data) => {
    const now = performance.now();
    // ERROR's second element is the request type; its request ID comes third.
    const id = type === 50 ? head : type === 8 ? (decode(s.codec, data)[2] as number) : -1;
    const started = sentAt.get(id);
    if (started === undefined) return;
    sentAt.delete(id);
    if (type === 8) errors++;
    else if (measuring) {
      completed++;
      latencies.push((now - started) * 1000);
    }
    if (running) call();
  };
  for (let i = 0; i < s.window; i++) call();
  await sleep(t.warmupMs);
  await t.mark?.('start');
  measuring = true;
  const from = performance.now();
  await sleep(t.durationMs);
  measuring = false;
  const elapsed = performance.now() - from;
  await t.mark?.('end');
  running = false;
  await until(() => sentAt.size === 0, 2000);
  const sorted = Float64Array.from(latencies).sort();
  return {
    rate: (completed * 1000) / elapsed,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
  };
}

async function fanout(endpoint: Endpoint, s: Scenario, t: Timing, peers: BenchPeer[]): Promise<Result> {
  const n = s.subscribers ?? 1;
  const subscribers: BenchPeer[] = [];
  // Connect in batches: a hundred handshakes at once would only measure accept queues.
  for (let i = 0; i < n; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, async () => {
        const p = await connectJoined(endpoint, s);
        peers.push(p);
        await p.request([32, 1, {}, TOPIC], (m) => m[0] === 33);
        p.countOnly = true;
        return p;
      }),
    );
    subscribers.push(...batch);
  }
  const publisher = await connectJoined(endpoint, s);
  peers.push(publisher);

  let nextRequest = 0;
  let inFlight = 0;
  let errors = 0;
  let running = true;
  const publishMsg = new Template(s.codec, 16, [{ acknowledge: true }, TOPIC, ARGS]);
  const publish = (): void => {
    inFlight++;
    publisher.sendEncoded(publishMsg.encode(++nextRequest));
  };
  let acked = 0;
  publisher.onHead = (type) => {
    if (type !== 17 && type !== 8) return;
    if (type === 8) errors++;
    else acked++;
    inFlight--;
    if (running) publish();
  };
  const delivered = (): number => subscribers.reduce((sum, p) => sum + p.received, 0);
  const base = delivered();
  for (let i = 0; i < s.window; i++) publish();
  await sleep(t.warmupMs);
  await t.mark?.('start');
  const before = delivered();
  const from = performance.now();
  await sleep(t.durationMs);
  const after = delivered();
  const elapsed = performance.now() - from;
  await t.mark?.('end');
  running = false;
  await until(() => inFlight === 0, 2000);
  // Every acknowledged publish must reach every subscriber, eventually.
  const expected = acked * n;
  await until(() => delivered() - base >= expected, 2000);
  return {
    rate: ((after - before) * 1000) / elapsed,
    errors,
    lost: Math.max(0, expected - (delivered() - base)),
  };
}

/** Runs one scenario against one endpoint; every connection it opens is closed before it returns. */
export async function runScenario(endpoint: Endpoint, s: Scenario, t: Timing): Promise<Result> {
  const peers: BenchPeer[] = [];
  try {
    return s.kind === 'fanout' ? await fanout(endpoint, s, t, peers) : await rpc(endpoint, s, t, peers);
  } finally {
    await Promise.all(peers.map((p) => Promise.race([p.close(), sleep(2000)])));
  }
}

/**
 * The scenario matrix: each kind over WebSocket/JSON, WebSocket/MessagePack, RawSocket/JSON and
 * HTTP long-poll/JSON (unbatched and batched).
 */
export function scenarios(): Scenario[] {
  const wires: { wire: Wire; codec: Codec; label: string }[] = [
    { wire: 'ws', codec: 'json', label: 'ws/json' },
    { wire: 'ws', codec: 'msgpack', label: 'ws/msgpack' },
    { wire: 'ws', codec: 'cbor', label: 'ws/cbor' },
    { wire: 'raw', codec: 'json', label: 'raw/json' },
    { wire: 'lp', codec: 'json', label: 'longpoll/json' },
    { wire: 'lpb', codec: 'json', label: 'longpoll-batched/json' },
  ];
  const list: Scenario[] = [];
  for (const w of wires) {
    list.push({
      name: `rpc-pipelined-64 ${w.label}`,
      kind: 'rpc-pipelined',
      wire: w.wire,
      codec: w.codec,
      window: 64,
    });
    list.push({
      name: `rpc-sequential ${w.label}`,
      kind: 'rpc-sequential',
      wire: w.wire,
      codec: w.codec,
      window: 1,
    });
    for (const subscribers of [10, 100]) {
      list.push({
        name: `fanout-${subscribers} ${w.label}`,
        kind: 'fanout',
        wire: w.wire,
        codec: w.codec,
        window: 32,
        subscribers,
      });
    }
  }
  return list;
}
