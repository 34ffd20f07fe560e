import assert from 'node:assert/strict';
import { TimeoutQueues } from '../../src/timers/timeout-queues';

/** Resolves once `check` holds (polled), or fails after `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const by = Date.now() + ms;
  while (!check()) {
    if (Date.now() > by) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('TimeoutQueues (call timeouts, one timer per length)', () => {
  it('expires every started timeout with its argument, none of those canceled', async () => {
    const q = new TimeoutQueues();
    const fired: number[] = [];
    const handles = [];
    for (let i = 0; i < 200; i++) handles.push(q.start(20, (n: number) => fired.push(n), i));
    // Cancel every other one, from the head and from the middle, as calls settle out of order.
    for (let i = 0; i < 200; i += 2) q.cancel(handles[i]);
    await until(() => fired.length === 100);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(
      fired,
      Array.from({ length: 100 }, (_, i) => 2 * i + 1),
      'the odd ones, in the order started',
    );
    q.cancel(handles[1]); // canceling an expired handle is harmless
  });

  it('timeouts of different lengths each expire after their own length', async () => {
    const q = new TimeoutQueues();
    const fired: string[] = [];
    const t0 = performance.now();
    const at = new Map<string, number>();
    const note = (name: string): void => {
      fired.push(name);
      at.set(name, performance.now() - t0);
    };
    q.start(120, note, 'long');
    q.start(10, note, 'short');
    q.start(40, note, 'middle');
    await until(() => fired.length === 3);
    assert.deepEqual(fired, ['short', 'middle', 'long']);
    // Never early (a timer may be late on a loaded machine, not early).
    assert.ok(at.get('long')! >= 119, `long expired after ${at.get('long')} ms`);
    assert.ok(at.get('middle')! >= 39, `middle expired after ${at.get('middle')} ms`);
  });

  it('an expiry may start and cancel others, of its own length too', async () => {
    const q = new TimeoutQueues();
    const fired: string[] = [];
    let victim: ReturnType<TimeoutQueues['start']> | undefined;
    q.start(
      30,
      () => {
        fired.push('first');
        // Due in the same round as this one: canceled now, it must not fire.
        q.cancel(victim);
        q.start(30, (n: string) => fired.push(n), 'restarted');
      },
      undefined,
    );
    victim = q.start(30, (n: string) => fired.push(n), 'victim');
    await until(() => fired.includes('restarted'));
    assert.deepEqual(fired, ['first', 'restarted']);
  });

  it('a timeout started after all others settled still expires (the idle timer is reused)', async () => {
    const q = new TimeoutQueues();
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) q.cancel(q.start(50, (n: number) => fired.push(n), i));
    await new Promise((r) => setTimeout(r, 20));
    q.start(50, (n: number) => fired.push(n), 99);
    await until(() => fired.length === 1);
    assert.deepEqual(fired, [99]);
  });

  it('lengths taken from messages do not pile up: idle lanes are dropped', () => {
    const q = new TimeoutQueues();
    for (let ms = 1000; ms < 1100; ms++) q.cancel(q.start(ms, () => assert.fail('canceled'), ms));
    assert.ok(q.lengths <= 17, `${q.lengths} lanes kept`);
    const live = q.start(5000, () => undefined, 0);
    for (let ms = 2000; ms < 2100; ms++) q.cancel(q.start(ms, () => assert.fail('canceled'), ms));
    q.cancel(live);
  });

  it('many settled calls behind one that hangs are compacted away, the hanging one still expires', async () => {
    const q = new TimeoutQueues();
    let expired = 0;
    q.start(80, () => expired++, undefined);
    for (let i = 0; i < 10000; i++) q.cancel(q.start(80, () => assert.fail('canceled'), i));
    const lane = (q as unknown as { lanes: Map<number, { items: unknown[]; head: number }> }).lanes.get(80)!;
    assert.ok(lane.items.length - lane.head < 200, `${lane.items.length - lane.head} handles kept`);
    await until(() => expired === 1);
  });
});
