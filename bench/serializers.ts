// Serializer micro-benchmark: encode + decode of one CALL message per serializer, in this
// process, no sockets. Shows what each codec costs before any router work; the ws/* rows of the
// main table show what that cost becomes end to end.
import { performance } from 'node:perf_hooks';
import { serializers } from '../src/serializers';

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

/** Encode+decode round trips per second of `message` with each serializer, best of `rounds`. */
export function measureSerializers(
  durationMs: number,
  rounds: number,
  message: readonly unknown[] = CALL_MESSAGE,
): Map<string, number> {
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (const s of serializers) {
      // A fresh array each time defeats encodingOnce's same-message shortcut, as real traffic does.
      const fresh = (): unknown[] => [...message];
      const warmEnd = performance.now() + Math.min(200, durationMs / 4);
      while (performance.now() < warmEnd) s.decode(s.encode(fresh()));
      let n = 0;
      const start = performance.now();
      let now = start;
      while (now - start < durationMs) {
        for (let i = 0; i < 500; i++) {
          const d = s.decode(s.encode(fresh()));
          if (!d.ok) throw new Error(`${s.id}: ${d.error}`);
        }
        n += 500;
        now = performance.now();
      }
      const rate = (n * 1000) / (now - start);
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
    `Serializers in-process: encode + decode of one CALL (\`[48, id, {}, "com.example.add", [1, 2, {"a": <64 chars>}], {"k": true}]\`), best of ${rounds} × ${durationMs} ms:`,
    '',
    '| serializer | enc+dec/s | ÷ msgpack |',
    '|---|---|---|',
    ...[...rates].map(([id, r]) => `| ${id} | ${fmt(r)} | ${msgpack ? (r / msgpack).toFixed(2) : '—'}× |`),
    '',
  ];
}
