// Profiles of one measured window of the Node-RED benchmark, taken from inside the Node-RED
// process through the inspector (nodered.ts calls it around each scenario's drive).
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Profiles of the measured window alone (no start-up, no other scenario), from inside the
 * Node-RED process:
 * - BENCH_NODERED_ALLOC=<dir>: where it allocates (V8's sampling heap profiler, counting objects
 *   that minor and major GCs collected too: the garbage is the point), `<scenario>-<pid>.heapprofile`;
 * - BENCH_NODERED_WINDOW_PROF=<dir>: CPU, `<scenario>-<pid>.cpuprofile`.
 * `node dist/bench/profile-top.js <file>` reads either.
 */
export async function startWindowSampling(): Promise<((scenario: string) => Promise<void>) | undefined> {
  const allocDir = process.env.BENCH_NODERED_ALLOC;
  const cpuDir = process.env.BENCH_NODERED_WINDOW_PROF;
  if (!allocDir && !cpuDir) return undefined;
  const inspector = await import('node:inspector/promises');
  const session = new inspector.Session();
  session.connect();
  if (allocDir)
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      // BENCH_NODERED_ALLOC_LIVE=1: only what is still in the heap at the end (what outlived
      // minor GCs: promoted, whether or not a major GC would find it garbage).
      includeObjectsCollectedByMajorGC: !process.env.BENCH_NODERED_ALLOC_LIVE,
      includeObjectsCollectedByMinorGC: !process.env.BENCH_NODERED_ALLOC_LIVE,
    });
  if (cpuDir) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const write = (dir: string, file: string, data: unknown): void => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(data));
  };
  return async (scenario) => {
    if (allocDir) {
      const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: unknown };
      write(allocDir, `${scenario}-${process.pid}.heapprofile`, profile);
    }
    if (cpuDir) {
      const { profile } = (await session.post('Profiler.stop')) as { profile: unknown };
      write(cpuDir, `${scenario}-${process.pid}.cpuprofile`, profile);
    }
    session.disconnect();
  };
}
