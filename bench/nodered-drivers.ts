// Running bench-driver nodes by node id: the harness (nodered.ts) runs Node-RED in its own
// process and reaches the drivers through this module, which both sides require by one path.

export interface DriveResult {
  /** Messages that came back within the measured window. */
  completed: number;
  elapsedMs: number;
  /** CPU time (user + system) of the whole process over the window, µs. */
  cpuMicros: number;
  /** Window slots given up as lost (no message back for a while: a QoS 0 drop). */
  lost: number;
  /** One message at a time only: round-trip percentiles over the window, µs. */
  p50Us?: number;
  p99Us?: number;
}

export interface DriveOptions {
  /** Messages in flight; 1 measures round-trip latency. */
  window: number;
  warmupMs: number;
  durationMs: number;
  /** JSON size of each payload (`benchPayload`). */
  size: number;
}

export interface Driver {
  /** Resolves true once one message makes the round trip (the flow's sessions are up). */
  probe(timeoutMs: number): Promise<boolean>;
  drive(opts: DriveOptions): Promise<DriveResult>;
}

export const drivers = new Map<string, Driver>();

type BenchPayload = { items: Array<{ id: number; name: string; value: number }> };
const payloads = new Map<number, BenchPayload>();

/**
 * A payload such as flows carry: an object of records whose JSON is about `size` bytes (at
 * least 64). One object per size, shared by every message: nothing on a path may change it.
 */
export function benchPayload(size: number): BenchPayload {
  const known = payloads.get(size);
  if (known) return known;
  const items: BenchPayload['items'] = [];
  const payload = { items };
  let length = JSON.stringify(payload).length;
  for (let i = 0; length < size; i++) {
    const item = { id: i, name: `item-${i}`, value: i * 0.5 };
    items.push(item);
    length += JSON.stringify(item).length + (i > 0 ? 1 : 0);
  }
  payloads.set(size, payload);
  return payload;
}
