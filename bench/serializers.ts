// Serializer micro-benchmark: encode + decode of one CALL message per serializer, no sockets.
// Shows what each codec costs before any router work; the ws/* rows of the main table show what
// that cost becomes end to end. Each serializer is measured in a fresh child process, so that
// what the process ran before (other codecs, the rest of the benchmark) does not shape the JIT's
// view of it: measured in one process after the whole run, CBOR came out at half its rate.
// The scanner rows compare what the router needs of a payload (its validity and depth:
// json-scan.ts, msgpack-scan.ts) with decoding it, on the payloads of the Node-RED rows.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { serializerById, serializers } from '../src/serializers';
import { jsonValueEnd } from '../src/serializers/json-scan';
import { msgpackValueEnd } from '../src/serializers/msgpack-scan';
import { benchPayload } from './nodered-drivers';

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

/** Payload sizes of the scanner rows: benchPayload's, as in the Node-RED rows. */
export const SCAN_SIZES = [64, 4096, 65536] as const;
/** What a scanner row measures, each over the args of a CALL: `[benchPayload(size)]`. */
export const SCAN_KINDS = ['JSON.parse', 'jsonValueEnd', 'msgpack decode', 'msgpackValueEnd'] as const;
type ScanKind = (typeof SCAN_KINDS)[number];

/** One operation of `kind` on the args `[benchPayload(size)]`, checked once before measuring. */
function scanOperation(kind: ScanKind, size: number): () => void {
  const args = [benchPayload(size)];
  const text = JSON.stringify(args);
  const msgpack = serializerById('msgpack');
  if (!msgpack) throw new Error('no msgpack serializer');
  const bytes = msgpack.encode(args) as Uint8Array;
  let op: () => unknown;
  switch (kind) {
    case 'JSON.parse':
      op = () => JSON.parse(text);
      break;
    case 'jsonValueEnd':
      op = () => jsonValueEnd(text, 0) === text.length || null;
      break;
    case 'msgpack decode':
      op = () => msgpack.decode(bytes).ok || null;
      break;
    case 'msgpackValueEnd':
      op = () => msgpackValueEnd(bytes, 0) === bytes.length || null;
      break;
  }
  if (op() === null) throw new Error(`${kind} refuses its ${size}-byte payload`);
  return op as () => void;
}

/** Operations of `kind` on `[benchPayload(size)]` per CPU-second of this process. */
export function measureScan(kind: ScanKind, size: number, durationMs: number): number {
  const op = scanOperation(kind, size);
  const warmEnd = performance.now() + Math.min(300, durationMs / 3);
  while (performance.now() < warmEnd) op();
  // Batches of about 2 ms, so that reading the CPU clock costs nothing next to them.
  const batch = Math.max(1, Math.round(2e6 / (size * 10)));
  let n = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (used < durationMs * 1000) {
    for (let i = 0; i < batch; i++) op();
    n += batch;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return (n * 1e6) / used;
}

/** Best of `rounds` child-process measurements per scanner row: rates by `${kind} ${size}`. */
export function measureScans(durationMs: number, rounds: number): Map<string, number> {
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (const size of SCAN_SIZES) {
      for (const kind of SCAN_KINDS) {
        const r = spawnSync(process.execPath, [__filename, 'scan', kind, String(size), String(durationMs)], {
          encoding: 'utf8',
        });
        const rate = Number(r.stdout.trim());
        if (r.status !== 0 || !Number.isFinite(rate))
          throw new Error(`scanner bench ${kind} ${size}: ${r.stderr}`);
        const key = `${kind} ${size}`;
        best.set(key, Math.max(best.get(key) ?? 0, rate));
      }
    }
  }
  return best;
}

function scanLines(durationMs: number, rounds: number): string[] {
  const rates = measureScans(durationMs, rounds);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const rate = (kind: ScanKind, size: number): number => rates.get(`${kind} ${size}`) ?? 0;
  const ratio = (a: number, b: number): string => (b ? `${(a / b).toFixed(2)}×` : '—');
  for (const size of SCAN_SIZES)
    console.error(
      `${`${SECTION_NAME} scan ${size}`.padEnd(28)} ${SCAN_KINDS.map((k) => `${k} ${fmt(rate(k, size))}/s`).join(', ')}`,
    );
  return [
    `Payload validation: the args of a CALL, \`[benchPayload(size)]\` (the Node-RED rows' payloads), decoded vs only validated (syntax and depth: json-scan.ts, msgpack-scan.ts), operations per CPU-second, each row in a fresh process, best of ${rounds} × ${durationMs} ms of CPU:`,
    '',
    '| payload | JSON.parse/s | jsonValueEnd/s | ÷ JSON.parse | msgpack decode/s | msgpackValueEnd/s | ÷ decode |',
    '|---|---|---|---|---|---|---|',
    ...SCAN_SIZES.map((size) => {
      const [jp, js, md, ms] = SCAN_KINDS.map((k) => rate(k, size));
      return `| ${size} B | ${fmt(jp)} | ${fmt(js)} | ${ratio(js, jp)} | ${fmt(md)} | ${fmt(ms)} | ${ratio(ms, md)} |`;
    }),
    '',
  ];
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
    ...scanLines(Math.min(durationMs, 1000), rounds),
  ];
}

// A child of measureSerializers: `node serializers.js <id> <durationMs>` prints one rate; of
// measureScans: `node serializers.js scan <kind> <size> <durationMs>`.
if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === 'scan') {
    const kind = SCAN_KINDS.find((k) => k === args[1]);
    if (!kind) throw new Error(`no scanner row ${args[1]}`);
    console.log(measureScan(kind, Number(args[2]), Number(args[3])));
  } else console.log(measureOne(args[0], Number(args[1])));
}
