// An option or detail whose value is null or undefined means "not given", on every serializer:
// hand-written frames (so that no encoder of ours drops the key first) over a real WebSocket.
// wampy 8 sends SUBSCRIBE `match: undefined`: msgpackr writes it as the extension fixext 1
// type 0 (d4 00 00), cbor-x as CBOR's undefined (f7), JSON leaves the key out. Values of a
// wrong real type are still a protocol violation.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Router } from '../../src/router';
import { serializerById, type SerializerId } from '../../src/serializers';
import { listen, type Listener } from '../../src/transports';
import { MessageType as M } from '../../src/wamp/messages';

/** Stands for JavaScript's undefined in a hand-written frame: MessagePack's and CBOR's own. */
const UNDEF = Symbol('undefined');
type Raw = null | typeof UNDEF | boolean | number | string | Raw[] | { [k: string]: Raw };

/** A minimal writer for the frames here: small non-negative integers, short strings. */
function header(major: number, n: number, fmt: 'msgpack' | 'cbor', fix: number, one: number): number[] {
  if (fmt === 'cbor') return n < 24 ? [(major << 5) | n] : [(major << 5) | 24, n];
  return n < 16 && fix >= 0 ? [fix | n] : [one, n];
}
function write(v: Raw, fmt: 'msgpack' | 'cbor'): number[] {
  const cbor = fmt === 'cbor';
  if (v === UNDEF) return cbor ? [0xf7] : [0xd4, 0x00, 0x00];
  if (v === null) return [cbor ? 0xf6 : 0xc0];
  if (v === true) return [cbor ? 0xf5 : 0xc3];
  if (v === false) return [cbor ? 0xf4 : 0xc2];
  if (typeof v === 'number') {
    assert.ok(Number.isInteger(v) && v >= 0 && v < 256);
    return cbor ? (v < 24 ? [v] : [0x18, v]) : v < 128 ? [v] : [0xcc, v];
  }
  if (typeof v === 'string') {
    const bytes = [...Buffer.from(v)];
    const h = cbor
      ? header(3, bytes.length, fmt, 0, 0)
      : bytes.length < 32
        ? [0xa0 | bytes.length]
        : [0xd9, bytes.length];
    return [...h, ...bytes];
  }
  if (Array.isArray(v)) return [...header(4, v.length, fmt, 0x90, 0xdc), ...v.flatMap((x) => write(x, fmt))];
  const entries = Object.entries(v);
  const h = cbor ? header(5, entries.length, fmt, 0, 0) : [0x80 | entries.length];
  return [...h, ...entries.flatMap(([k, x]) => [...write(k, fmt), ...write(x, fmt)])];
}
function frame(v: Raw, s: SerializerId): string | Buffer {
  if (s === 'json') return JSON.stringify(v, (_k, x) => (x === UNDEF ? undefined : x));
  return Buffer.from(write(v, s));
}

class RawPeer {
  private readonly queue: unknown[][] = [];
  private waiter: (() => void) | null = null;
  closed = false;
  private constructor(
    private readonly ws: WebSocket,
    private readonly serializer: SerializerId,
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const d = serializerById(serializer)!.decode(isBinary ? data : data.toString());
      assert.ok(d.ok);
      this.queue.push(d.value as unknown[]);
      this.waiter?.();
    });
    ws.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }
  static async open(url: string, serializer: SerializerId): Promise<RawPeer> {
    const ws = new WebSocket(url, [`wamp.2.${serializer}`]);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new RawPeer(ws, serializer);
  }
  send(v: Raw): void {
    this.ws.send(frame(v, this.serializer));
  }
  async next(type?: number): Promise<unknown[]> {
    for (;;) {
      const i = this.queue.findIndex((m) => type === undefined || m[0] === type);
      if (i >= 0) return this.queue.splice(i, 1)[0];
      if (this.closed)
        throw new Error(`closed while waiting for message ${type}; got ${JSON.stringify(this.queue)}`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = null;
    }
  }
  close(): void {
    this.ws.close();
  }
}

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

describe('options and details set to null or undefined mean "not given" (raw frames)', () => {
  let router: Router;
  let listener: Listener;
  const peers: RawPeer[] = [];
  before(async () => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    listener = await listen({ host: '127.0.0.1', port: 0 }, (t) => router.accept(t));
  });
  afterEach(() => {
    for (const p of peers.splice(0)) p.close();
  });
  after(async () => {
    await router.close();
    await listener.close();
  });

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    for (const [label, absent] of [
      ['undefined', UNDEF],
      ['null', null],
    ] as const) {
      if (serializer === 'json' && absent === UNDEF) continue; // JSON has no undefined: the key is left out
      describe(`${serializer}, ${label}`, () => {
        async function join(): Promise<RawPeer> {
          const p = await RawPeer.open(listener.url, serializer);
          peers.push(p);
          p.send([
            M.HELLO,
            'realm1',
            { roles: ROLES, authid: absent, authmethods: absent, authextra: absent },
          ]);
          const welcome = await p.next();
          assert.equal(welcome[0], M.WELCOME, JSON.stringify(welcome));
          return p;
        }

        it('HELLO with absent authid/authmethods/authextra joins anonymously', async () => {
          await join();
        });

        it('SUBSCRIBE with absent match/get_retained subscribes exactly; PUBLISH with absent exclude_me/retain is delivered', async () => {
          const sub = await join();
          const pub = await join();
          sub.send([M.SUBSCRIBE, 1, { match: absent, get_retained: absent }, 'com.absent.topic']);
          assert.equal((await sub.next())[0], M.SUBSCRIBED);
          pub.send([
            M.PUBLISH,
            2,
            { acknowledge: true, exclude_me: absent, retain: absent },
            'com.absent.topic',
            ['hi'],
          ]);
          assert.equal((await pub.next())[0], M.PUBLISHED);
          const event = await sub.next(M.EVENT);
          assert.deepEqual(event[4], ['hi']);
          // Exact, not prefix: a longer topic does not match.
          pub.send([M.PUBLISH, 3, { acknowledge: true }, 'com.absent.topic.deeper', ['no']]);
          assert.equal((await pub.next())[0], M.PUBLISHED);
          pub.send([M.PUBLISH, 4, { acknowledge: true }, 'com.absent.topic', ['again']]);
          assert.equal((await pub.next())[0], M.PUBLISHED);
          assert.deepEqual((await sub.next(M.EVENT))[4], ['again']);
        });

        it('REGISTER, CALL and YIELD with absent options: a plain call and a final (not progressive) result', async () => {
          const callee = await join();
          const caller = await join();
          callee.send([M.REGISTER, 1, { match: absent, invoke: absent }, 'com.absent.proc']);
          assert.equal((await callee.next())[0], M.REGISTERED);
          caller.send([
            M.CALL,
            7,
            { timeout: absent, receive_progress: absent, disclose_me: absent },
            'com.absent.proc',
            [1],
          ]);
          const inv = await callee.next(M.INVOCATION);
          const details = inv[3] as Record<string, unknown>;
          assert.ok(!('receive_progress' in details) && !('timeout' in details), JSON.stringify(details));
          callee.send([M.YIELD, inv[1] as number, { progress: absent }, [2]]);
          const result = await caller.next(M.RESULT);
          assert.equal(result[1], 7);
          assert.deepEqual(result[3], [2]);
          assert.ok(!(result[2] as Record<string, unknown>).progress, 'a final result');
        });

        it('a wrong real type is still refused: SUBSCRIBE match 5 is ABORT wamp.error.protocol_violation', async () => {
          const p = await join();
          p.send([M.SUBSCRIBE, 1, { match: 5 }, 'com.absent.topic']);
          const abort = await p.next(M.ABORT);
          assert.equal(abort[2], 'wamp.error.protocol_violation');
          assert.match(String((abort[1] as { message?: unknown }).message), /match/);
        });
      });
    }
  }
});
