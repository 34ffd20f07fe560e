// The load source of the Node-RED benchmark: a node that keeps a window of messages in flight
// through the flow under test (wired out of its output and back into its input), sending the
// next one as each comes back. Free of the inject node's timer, so the flow runs at full rate.
// The harness (nodered.ts) finds each instance by node id in `drivers` (nodered-drivers.ts).
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../nodes/shared/red-types';
import { benchPayload, drivers, type DriveResult } from './nodered-drivers';
import { registerTcpHops } from './nodered-tcp-hops';

/**
 * A slot with no message back for this long is counted lost and refilled (a QoS 0 drop). Long
 * enough that a slow round trip on a starved machine is not taken for a loss: a refill adds a
 * whole window to what is still in flight.
 */
const STALL_MS = 3000;

export = function (RED: NodeAPI): void {
  function BenchDriver(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    let running = false;
    let inFlight = 0;
    let completed = 0;
    let lost = 0;
    let lastBack = 0;
    let onBack: (() => void) | null = null;
    let payload: unknown = 0;
    /** With one message in flight: when it left, and the round trips measured (µs). */
    let sentAt = 0;
    let samples: number[] | null = null;

    const sendOne = (): void => {
      inFlight++;
      sentAt = performance.now();
      this.send({ payload });
    };

    this.on('input', (_msg: NodeMessage, _send, done) => {
      inFlight = Math.max(0, inFlight - 1);
      completed++;
      lastBack = performance.now();
      samples?.push((lastBack - sentAt) * 1000);
      if (running) sendOne();
      onBack?.();
      done();
    });

    drivers.set(this.id, {
      probe: (timeoutMs) =>
        new Promise<boolean>((resolve) => {
          const deadline = performance.now() + timeoutMs;
          const before = completed;
          const tick = (): void => {
            if (completed > before) {
              onBack = null;
              inFlight = 0;
              resolve(true);
            } else if (performance.now() > deadline) {
              onBack = null;
              resolve(false);
            } else {
              sendOne();
              timer = setTimeout(tick, 200);
            }
          };
          let timer = setTimeout(tick, 0);
          onBack = () => {
            clearTimeout(timer);
            timer = setTimeout(tick, 0);
          };
        }),

      drive: async ({ window, warmupMs, durationMs, size }) => {
        payload = benchPayload(size);
        running = true;
        inFlight = 0;
        lastBack = performance.now();
        for (let i = 0; i < window; i++) sendOne();
        const stall = setInterval(() => {
          if (inFlight > 0 && performance.now() - lastBack > STALL_MS) {
            lost += inFlight;
            inFlight = 0;
            lastBack = performance.now();
            for (let i = 0; i < window; i++) sendOne();
          }
        }, STALL_MS);
        await new Promise((r) => setTimeout(r, warmupMs));
        const c0 = completed,
          l0 = lost,
          t0 = performance.now(),
          cpu0 = process.cpuUsage();
        const measured: number[] | null = window === 1 ? [] : null;
        samples = measured;
        await new Promise((r) => setTimeout(r, durationMs));
        const cpu = process.cpuUsage(cpu0);
        samples = null;
        const result: DriveResult = {
          completed: completed - c0,
          elapsedMs: performance.now() - t0,
          cpuMicros: cpu.user + cpu.system,
          lost: lost - l0,
        };
        if (measured && measured.length > 0) {
          measured.sort((a, b) => a - b);
          const at = (q: number): number =>
            measured[Math.min(measured.length - 1, Math.floor(q * measured.length))];
          result.p50Us = at(0.5);
          result.p99Us = at(0.99);
        }
        running = false;
        clearInterval(stall);
        // Let what is still in flight come back before the next scenario starts.
        const drainBy = performance.now() + 2000;
        while (inFlight > 0 && performance.now() < drainBy) await new Promise((r) => setTimeout(r, 20));
        inFlight = 0;
        return result;
      },
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      running = false;
      drivers.delete(this.id);
      done();
    });
  }
  RED.nodes.registerType('bench-driver', BenchDriver);
  registerTcpHops(RED);
};
