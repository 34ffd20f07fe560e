// What the attack tests need beyond RawClient: hand-built frames no serializer of ours would
// write (a payload nested 20,000 deep), and a WebSocket client that joins from a chosen local
// address (127.0.0.2 is another "machine" on Linux's loopback).
import WebSocket from 'ws';
import type { SerializerId } from '../../src/serializers';
import { MessageType as M } from '../../src/wamp/messages';

/**
 * An acknowledged PUBLISH (or a CALL) to `uri` whose only argument nests `depth` lists deep,
 * encoded by hand: our own encoders (and JSON.stringify) would recurse and throw on it.
 */
export function deepMessage(
  serializer: SerializerId,
  type: 'publish' | 'call',
  uri: string,
  depth: number,
): Buffer {
  const code = type === 'publish' ? M.PUBLISH : M.CALL;
  const options: Record<string, boolean> = type === 'publish' ? { acknowledge: true, retain: true } : {};
  switch (serializer) {
    case 'json':
      return Buffer.from(
        `[${code},7,${JSON.stringify(options)},"${uri}",[${'['.repeat(depth)}${']'.repeat(depth)}]]`,
      );
    case 'msgpack': {
      // fixarray(5) code 7 {options} "uri" fixarray(1) + depth × fixarray(1) + fixarray(0)
      const opts = Object.keys(options);
      const head = [0x95, code, 7, 0x80 | opts.length];
      const parts: Buffer[] = [Buffer.from(head)];
      for (const k of opts) parts.push(Buffer.from([0xa0 | k.length]), Buffer.from(k), Buffer.from([0xc3]));
      parts.push(Buffer.from([0xa0 | uri.length]), Buffer.from(uri), Buffer.from([0x91]));
      parts.push(Buffer.alloc(depth - 1, 0x91), Buffer.from([0x90]));
      return Buffer.concat(parts);
    }
    case 'cbor': {
      const opts = Object.keys(options);
      // A CBOR unsigned integer of 24 or more takes a second byte.
      const parts: Buffer[] = [
        Buffer.from([0x85, ...(code < 24 ? [code] : [0x18, code]), 7, 0xa0 | opts.length]),
      ];
      for (const k of opts) parts.push(Buffer.from([0x60 | k.length]), Buffer.from(k), Buffer.from([0xf5]));
      parts.push(Buffer.from([0x60 | uri.length]), Buffer.from(uri), Buffer.from([0x81]));
      parts.push(Buffer.alloc(depth - 1, 0x81), Buffer.from([0x80]));
      return Buffer.concat(parts);
    }
  }
}

export interface JsonWs {
  ws: WebSocket;
  received: unknown[][];
  next(type: number, ms?: number): Promise<unknown[]>;
  /** The first received message that satisfies `pred` (taken from the queue). */
  nextWhere(pred: (m: unknown[]) => boolean, ms?: number): Promise<unknown[]>;
  send(m: unknown[]): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** A WAMP-over-WebSocket JSON client, opened from `localAddress`. */
export function openJsonWs(url: string, localAddress = '127.0.0.1'): Promise<JsonWs> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['wamp.2.json'], { localAddress, perMessageDeflate: false });
    const received: unknown[][] = [];
    const waiters: Array<() => void> = [];
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on('close', (code, reason) => {
        r({ code, reason: reason.toString() });
        for (const w of waiters.splice(0)) w();
      }),
    );
    ws.on('message', (data) => {
      received.push(JSON.parse(String(data)) as unknown[]);
      for (const w of waiters.splice(0)) w();
    });
    ws.on('error', reject);
    const nextWhere = async (pred: (m: unknown[]) => boolean, ms = 10_000): Promise<unknown[]> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = received.findIndex(pred);
        if (i >= 0) return received.splice(i, 1)[0];
        if (ws.readyState !== WebSocket.OPEN || Date.now() > deadline)
          throw new Error(`no such message; received ${JSON.stringify(received).slice(0, 300)}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.max(1, deadline - Date.now()));
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    };
    ws.on('open', () =>
      resolve({
        ws,
        received,
        closed,
        send: (m) => ws.send(JSON.stringify(m)),
        next: (type, ms) => nextWhere((m) => m[0] === type, ms),
        nextWhere,
      }),
    );
  });
}
