// Each router under test runs in its own child process so that it and the load generator get
// a core each. Run as a script, this file is the child: it starts the target named in argv,
// prints its URL and reports it over IPC. Imported, it is the parent's launcher.
import { fork, type ChildProcess } from 'node:child_process';
import type { Codec, Endpoint } from './wire';
import type { RunningTarget, StartTarget } from './targets/target';

export const TARGETS = ['floor', 'fox-wamp', 'ours'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Memory in bytes and CPU time (user + system) in µs of the target process. */
export interface Stats {
  rss: number;
  heapUsed: number;
  cpuMicros: number;
}

type ToChild = { type: 'stats'; id: number; gc: boolean } | { type: 'stop' };
type ToParent =
  | { type: 'ready'; wsUrl: string; rawPort?: number; longPollUrl?: string; codecs: Codec[] }
  | { type: 'unavailable'; reason: string }
  | { type: 'failed'; reason: string }
  | ({ type: 'stats'; id: number } & Stats);

export interface TargetHandle {
  readonly name: TargetName;
  readonly endpoint: Endpoint;
  readonly codecs: Codec[];
  /** Memory and CPU time of the target process; with `gc`, memory after a forced GC. */
  stats(gc?: boolean): Promise<Stats>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
/** Last resort: no child outlives the parent, whatever way it exits. */
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts a target in a child process; resolves with a reason string when it is unavailable. */
export function launchTarget(name: TargetName): Promise<TargetHandle | string> {
  const verbose = !!process.env.BENCH_VERBOSE;
  const child = fork(__filename, [name], {
    // fox-wamp and friends may print; only shown with BENCH_VERBOSE.
    stdio: verbose ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const waiting = new Map<number, { resolve(m: Stats): void; reject(e: Error): void }>();
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      // A target that died mid-run fails the measurement instead of hanging it.
      for (const w of waiting.values()) w.reject(new Error(`target ${name} exited (${code})`));
      waiting.clear();
      resolve();
    }),
  );
  let nextId = 0;

  return new Promise((resolve, reject) => {
    child.on('message', (m: ToParent) => {
      if (m.type === 'stats') {
        waiting.get(m.id)?.resolve({ rss: m.rss, heapUsed: m.heapUsed, cpuMicros: m.cpuMicros });
        waiting.delete(m.id);
      } else if (m.type === 'unavailable') {
        child.kill();
        resolve(m.reason);
      } else if (m.type === 'failed') {
        child.kill();
        reject(new Error(`target ${name} failed: ${m.reason}`));
      } else if (m.type === 'ready') {
        resolve({
          name,
          endpoint: { wsUrl: m.wsUrl, rawPort: m.rawPort, longPollUrl: m.longPollUrl },
          codecs: m.codecs,
          stats: (gc = false) =>
            new Promise<Stats>((res, rej) => {
              if (!child.connected) return rej(new Error(`target ${name} is gone`));
              const id = ++nextId;
              waiting.set(id, { resolve: res, reject: rej });
              child.send({ type: 'stats', id, gc } satisfies ToChild);
            }),
          stop: async () => {
            if (child.connected) child.send({ type: 'stop' } satisfies ToChild);
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`target ${name} exited (${code}) before ready: ${stderr}`)),
    );
  });
}

async function childMain(name: string): Promise<void> {
  const send = (m: ToParent): void => void process.send?.(m);
  let target: RunningTarget;
  try {
    // require: the target is chosen at run time
    const mod = require(`./targets/${name}`) as { start: StartTarget };
    target = await mod.start();
  } catch (e) {
    // A target whose package is not installed is skipped, not a failure of the run.
    const code = (e as NodeJS.ErrnoException).code;
    send(
      code === 'MODULE_NOT_FOUND'
        ? { type: 'unavailable', reason: (e as Error).message.split('\n')[0] }
        : { type: 'failed', reason: String((e as Error).stack ?? e) },
    );
    process.disconnect?.();
    return;
  }
  const stop = async (): Promise<void> => {
    await Promise.race([target.close(), new Promise((r) => setTimeout(r, 2000))]);
    process.exit(0);
  };
  process.on('message', (m: ToChild) => {
    if (m.type === 'stop') void stop();
    else if (m.type === 'stats') {
      if (m.gc) (globalThis as { gc?: () => void }).gc?.();
      const mu = process.memoryUsage();
      const cpu = process.cpuUsage();
      send({ type: 'stats', id: m.id, rss: mu.rss, heapUsed: mu.heapUsed, cpuMicros: cpu.user + cpu.system });
    }
  });
  // The parent is gone: nothing left to serve.
  process.once('disconnect', () => void stop());
  process.stdout.write(
    `${name} ready at ${target.wsUrl}${target.rawPort ? ` rawsocket port ${target.rawPort}` : ''}\n`,
  );
  send({
    type: 'ready',
    wsUrl: target.wsUrl,
    rawPort: target.rawPort,
    longPollUrl: target.longPollUrl,
    codecs: target.codecs,
  });
}

if (require.main === module) void childMain(process.argv[2]);
