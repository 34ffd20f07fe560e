// Shared test plumbing: a recorder that attaches to a transport and lets a test await what
// arrives, and the fixed TLS material.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloseInfo, Transport } from '../../src/transports/transport';

export interface Recorder {
  /** The next message received (in order), waiting for it if needed. */
  next(): Promise<unknown>;
  nextDecodeError(): Promise<string>;
  readonly closed: Promise<CloseInfo>;
  closeCount(): number;
}

function queue<T>(): { push(v: T): void; take(): Promise<T> } {
  const items: T[] = [];
  const waiters: ((v: T) => void)[] = [];
  return {
    push(v) {
      const w = waiters.shift();
      if (w) w(v);
      else items.push(v);
    },
    take() {
      if (items.length > 0) return Promise.resolve(items.shift() as T);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

export function record(t: Transport): Recorder {
  const messages = queue<unknown>();
  const errors = queue<string>();
  let closes = 0;
  let resolveClosed!: (info: CloseInfo) => void;
  const closed = new Promise<CloseInfo>((resolve) => (resolveClosed = resolve));
  t.attach({
    onMessage: (v) => messages.push(v),
    onDecodeError: (e) => errors.push(e),
    onClose: (info) => {
      closes++;
      resolveClosed(info);
    },
  });
  return { next: messages.take, nextDecodeError: errors.take, closed, closeCount: () => closes };
}

/** Resolves with the first transport handed to the returned callback. */
export function transportSink(): {
  onTransport: (t: Transport) => void;
  next(): Promise<Transport>;
  all: Transport[];
} {
  const q = queue<Transport>();
  const all: Transport[] = [];
  return {
    onTransport: (t) => {
      all.push(t);
      q.push(t);
    },
    next: q.take,
    all,
  };
}

/** Replaces byte arrays by a tagged hex string, so that Buffer and Uint8Array compare equal. */
export function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array)
    return { bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, normalize(x)]),
    );
  }
  return v;
}

/** A message exercising what the serializers must carry intact. */
export function sampleMessage(): unknown[] {
  return [
    16,
    2 ** 53,
    { acknowledge: true },
    'com.example.topic',
    [
      Buffer.from([0, 1, 2, 127, 128, 255]),
      'héllo wörld ✓ 😀 日本',
      2 ** 53,
      -(2 ** 53),
      1.5,
      -7,
      true,
      false,
      null,
    ],
    { nested: { bin: new Uint8Array([9, 8, 7]), list: [1, 'two', { three: 3 }] }, ünï: 'côdé' },
  ];
}

const fixtures = path.resolve(__dirname, '../../../test/fixtures/tls');
export const testKey = readFileSync(path.join(fixtures, 'key.pem'));
export const testCert = readFileSync(path.join(fixtures, 'cert.pem'));

/** Resolves once the event fires. */
export function once<T = void>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (v: T) => resolve(v)));
}
