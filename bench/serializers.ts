// Serializer micro-benchmark: encode + decode of one CALL message per serializer, no sockets.
// Shows what each codec costs before any router work; the ws/* rows of the main table show what
// that cost becomes end to end. Each serializer is measured in a fresh child process, so that
// what the process ran before (other codecs, the rest of the benchmark) does not shape the JIT's
// view of it: measured in one process after the whole run, CBOR came out at half its rate.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { serializerById, serializers } from '../src/serializers';

/** The CALL of issue 19: `[48, id, {}, "com.example.add", [1, 2, {"a": <64 chars>}], {"k": true}]`. */
export const CALL_MESSAGE: readonly unknown[] = [
  48,
  1234567,
  {},
  'com.example.add',
  [1, 2, { a: 'x'.repeat(64) }],
  { k: true },
];

export const SECTION_NAME = 'serializers';

/**
 * Encode+decode round trips of `message` per CPU-second of this process (one thread does the
 * work), which other load on a shared machine disturbs far less than wall time.
 */
export function measureOne(
  id: string,
  durationMs: number,
  message: readonly unknown[] = CALL_MESSAGE,
): number {
  const s = serializerById(id);
  if (!s) throw new Error(`no serializer ${id}`);
  // A fresh array each time defeats encodingOnce's same-message shortcut, as real traffic does.
  const fresh = (): unknown[] => [...message];
  const warmEnd = performance.now() + Math.min(300, durationMs / 3);
  while (performance.now() < warmEnd) s.decode(s.encode(fresh()));
  let n = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < durationMs * 1000) {
    for (let i = 0; i < 500; i++) {
      const d = s.decode(s.encode(fresh()));
      if (!d.ok) throw new Error(`${s.id}: ${d.error}`);
    }
    n += 500;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return (n * 1e6) / used;
}

/** Best of `rounds` child-process measurements per serializer. */
export function measureSerializers(durationMs: number, rounds: number): Map<string, number> {
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (const s of serializers) {
      const r = spawnSync(process.execPath, [__filename, s.id, String(durationMs)], { encoding: 'utf8' });
      const rate = Number(r.stdout.trim());
      if (r.status !== 0 || !Number.isFinite(rate)) throw new Error(`serializer bench ${s.id}: ${r.stderr}`);
      best.set(s.id, Math.max(best.get(s.id) ?? 0, rate));
    }
  }
  return best;
}

export function serializerSection(
  match: (name: string) => boolean,
  durationMs: number,
  rounds: number,
): string[] {
  if (!match(SECTION_NAME)) return [];
  const rates = measureSerializers(durationMs, rounds);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const msgpack = rates.get('msgpack') ?? 0;
  console.error(`${SECTION_NAME.padEnd(28)} ${[...rates].map(([k, v]) => `${k} ${fmt(v)}/s`).join(', ')}`);
  return [
    `Serializers: encode + decode of one CALL (\`[48, id, {}, "com.example.add", [1, 2, {"a": <64 chars>}], {"k": true}]\`) per CPU-second, each serializer in a fresh process, best of ${rounds} × ${durationMs} ms of CPU:`,
    '',
    '| serializer | enc+dec/s | ÷ msgpack |',
    '|---|---|---|',
    ...[...rates].map(([id, r]) => `| ${id} | ${fmt(r)} | ${msgpack ? (r / msgpack).toFixed(2) : '—'}× |`),
    '',
  ];
}

// A child of measureSerializers: `node serializers.js <id> <durationMs>` prints one rate.
if (require.main === module) {
  const [id, ms] = process.argv.slice(2);
  console.log(measureOne(id, Number(ms)));
}
