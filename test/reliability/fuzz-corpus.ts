// A seeded, deterministic generator of WAMP frames for the fuzz test: well-formed messages of
// every type, mutations of them, and raw garbage. Each frame says what the router may answer.
import { encode as msgpackEncode } from '@msgpack/msgpack';
import type { SerializerId } from '../../src/serializers';

/** What a frame is allowed to cause. */
export type Expect =
  /** Well-formed; any reply (ERROR, ABORT, normal reply) or none. */
  | 'any'
  /** Structurally malformed: ABORT wamp.error.protocol_violation, then the connection closes. */
  | 'violation'
  /** Undecodable bytes or broken framing: the connection closes (ABORT protocol_violation if any). */
  | 'close';

export type Frame =
  | { kind: 'value'; value: unknown; expect: Expect; label: string }
  | {
      kind: 'raw';
      bytes: Buffer | string;
      expect: Expect;
      label: string;
      binary?: boolean;
      rawsocketHeader?: Buffer;
    };

/** mulberry32: small, fast and good enough to drive a fuzzer reproducibly. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

type Field = 'id' | 'id0' | 'uri' | 'string' | 'dict' | 'type';
/** The spec's message layouts (WAMP-NOTES table): fixed fields after the type, then the tail. */
const LAYOUTS: Record<number, { fields: Field[]; tail?: 'payload' | 'dict' }> = {
  1: { fields: ['uri', 'dict'] },
  2: { fields: ['id', 'dict'] },
  3: { fields: ['dict', 'uri'], tail: 'payload' },
  4: { fields: ['string', 'dict'] },
  5: { fields: ['string', 'dict'] },
  6: { fields: ['dict', 'uri'] },
  8: { fields: ['type', 'id', 'dict', 'uri'], tail: 'payload' },
  16: { fields: ['id', 'dict', 'uri'], tail: 'payload' },
  17: { fields: ['id', 'id'] },
  32: { fields: ['id', 'dict', 'uri'] },
  33: { fields: ['id', 'id'] },
  34: { fields: ['id', 'id'] },
  35: { fields: ['id0'], tail: 'dict' },
  36: { fields: ['id', 'id', 'dict'], tail: 'payload' },
  48: { fields: ['id', 'dict', 'uri'], tail: 'payload' },
  49: { fields: ['id', 'dict'] },
  50: { fields: ['id', 'dict'], tail: 'payload' },
  64: { fields: ['id', 'dict', 'uri'] },
  65: { fields: ['id', 'id'] },
  66: { fields: ['id', 'id'] },
  67: { fields: ['id0'], tail: 'dict' },
  68: { fields: ['id', 'id', 'dict'], tail: 'payload' },
  69: { fields: ['id', 'dict'] },
  70: { fields: ['id', 'dict'], tail: 'payload' },
};
export const MESSAGE_TYPES = Object.keys(LAYOUTS).map(Number);

export const TOPICS = ['com.fuzz.topic', 'com.fuzz.other', 'com.fuzz', 'com..topic'];
export const PROCEDURES = ['com.fuzz.proc', 'com.fuzz.echo', 'com.fuzz'];
/** Meta procedures a fuzz session may call (the kill family is denied to its role). */
const META = [
  'wamp.session.count',
  'wamp.session.list',
  'wamp.session.get',
  'wamp.registration.list',
  'wamp.registration.lookup',
  'wamp.registration.match',
  'wamp.registration.get',
  'wamp.subscription.list',
  'wamp.subscription.lookup',
  'wamp.subscription.list_subscribers',
  'wamp.session.add_testament',
  'wamp.session.flush_testaments',
  'wamp.session.kill_all',
];
const INVALID_URIS = [
  'a..b',
  'has space',
  'com.#x',
  '.',
  'com.fuzz.',
  'wamp.reserved.x',
  '\u0000',
  'x'.repeat(5000),
  'ünï.cödé',
  '#',
];

/** What a session has seen, so that follow-up messages can name real IDs. */
export interface SessionIds {
  subscriptions: number[];
  registrations: number[];
  invocations: number[];
  requests: number[];
}

const ROLES = {
  caller: {
    features: {
      call_canceling: true,
      progressive_call_results: true,
      call_timeout: true,
      caller_identification: true,
    },
  },
  callee: {
    features: {
      call_canceling: true,
      progressive_call_results: true,
      pattern_based_registration: true,
      shared_registration: true,
    },
  },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true } },
  subscriber: { features: { pattern_based_subscription: true } },
};

export function hello(realm: string): unknown[] {
  return [1, realm, { roles: ROLES }];
}

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

export class Corpus {
  private request = 0;
  constructor(
    readonly rng: Rng,
    readonly serializer: SerializerId,
    /** The listener's maxPayload: huge values stay under it. */
    readonly maxPayload: number,
  ) {}

  private reqId(): number {
    return ++this.request;
  }

  private idFrom(known: number[]): number {
    const r = this.rng;
    if (known.length > 0 && r.chance(0.7)) return r.pick(known);
    return r.pick([1, 2, 42, 2 ** 53, 1 + r.int(2 ** 31)]);
  }

  /** A plausible payload: mostly small, sometimes huge strings, deep nesting or binary. */
  payload(): unknown[] {
    const r = this.rng;
    const roll = r.next();
    if (roll < 0.6) return [r.int(1000), 'text', { k: [1, 2, 3] }];
    if (roll < 0.75) return [Buffer.from(r.bytes(r.int(64)))];
    if (roll < 0.85) return [deep(1000)];
    if (roll < 0.855) return ['x'.repeat(Math.floor(this.maxPayload / 4) + r.int(this.maxPayload / 4))];
    return [null, true, false, -1, 1.5, 2 ** 53, '\u0000not-binary', '😀'];
  }

  private options(type: number): Record<string, unknown> {
    const r = this.rng;
    switch (type) {
      case 16:
        return r.pick([
          { acknowledge: true },
          { acknowledge: true, exclude_me: false },
          {},
          { retain: true, acknowledge: true },
          { eligible: [1, 2], exclude_authrole: ['x'] },
        ]);
      case 32:
        return r.pick([{}, { match: 'prefix' }, { match: 'wildcard' }, { get_retained: true }]);
      case 48:
        return r.pick([
          {},
          { timeout: 1 + r.int(50) },
          { timeout: r.pick([2 ** 31, 2 ** 53, 1e300]) },
          { receive_progress: true },
          { disclose_me: true },
        ]);
      case 49:
        return r.pick([{}, { mode: 'skip' }, { mode: 'kill' }, { mode: 'killnowait' }]);
      case 64:
        return r.pick([
          {},
          { match: 'prefix' },
          { invoke: 'roundrobin' },
          { match: 'wildcard', invoke: 'random' },
        ]);
      case 70:
        return r.pick([{}, { progress: true }]);
      default:
        return r.pick([{}, { _custom_key: 1 }, { unknown: 'ignored' }]);
    }
  }

  /** A well-formed message of `type` (its values may still be refused by the router). */
  wellFormed(type: number, ids: SessionIds): unknown[] {
    const r = this.rng;
    const p = this.payload;
    switch (type) {
      case 1:
        return hello(r.pick(['realm1', 'realm1', 'no.such.realm', 'bad realm']));
      case 2:
        return [2, 1 + r.int(1e6), {}];
      case 3:
        return [3, {}, 'wamp.error.fuzz'];
      case 4:
        return [4, 'ticket', {}];
      case 5:
        return [5, 'signature', {}];
      case 6:
        return [6, {}, 'wamp.close.normal'];
      case 8:
        return [
          8,
          68,
          this.idFrom(ids.invocations),
          {},
          r.pick(['com.fuzz.error', 'wamp.error.runtime_error', 'a..b']),
          ...(r.chance(0.5) ? [p.call(this)] : []),
        ];
      case 16:
        return [
          16,
          this.reqId(),
          this.options(16),
          r.pick(TOPICS),
          ...(r.chance(0.7) ? [p.call(this)] : []),
          ...(r.chance(0.3) ? [{ kw: 1 }] : []),
        ];
      case 32:
        return [32, this.reqId(), this.options(32), r.pick(TOPICS)];
      case 34:
        return [34, this.reqId(), this.idFrom(ids.subscriptions)];
      case 48: {
        const meta = r.chance(0.25);
        return [
          48,
          this.reqId(),
          this.options(48),
          meta ? r.pick(META) : r.pick(PROCEDURES),
          ...(r.chance(0.7) ? [meta ? [r.pick([1, 'x', {}, [], null])] : p.call(this)] : []),
        ];
      }
      case 49:
        return [49, this.idFrom(ids.requests), this.options(49)];
      case 64:
        return [64, this.reqId(), this.options(64), r.pick(PROCEDURES)];
      case 66:
        return [66, this.reqId(), this.idFrom(ids.registrations)];
      case 70:
        return [70, this.idFrom(ids.invocations), this.options(70), ...(r.chance(0.6) ? [p.call(this)] : [])];
      default: {
        // Router-to-client messages: well-formed, but never sent to a router.
        const layout = LAYOUTS[type];
        return [
          type,
          ...layout.fields.map((f) =>
            f === 'dict'
              ? {}
              : f === 'uri' || f === 'string'
                ? 'com.fuzz.x'
                : f === 'type'
                  ? 48
                  : 1 + r.int(1000),
          ),
        ];
      }
    }
  }

  /** A client message most of the time, any type sometimes. */
  private anyType(): number {
    const r = this.rng;
    return r.chance(0.8) ? r.pick([16, 16, 32, 34, 48, 48, 49, 64, 66, 70, 8]) : r.pick(MESSAGE_TYPES);
  }

  /** A frame a router must take without tearing the session down for its structure. */
  benign(ids: SessionIds): Frame {
    const r = this.rng;
    const type = this.anyType();
    const msg = this.wellFormed(type, ids);
    const roll = r.next();
    if (roll < 0.2) {
      // An invalid but non-empty URI where a URI goes: wamp.error.invalid_uri, not a violation.
      const layout = LAYOUTS[type];
      const at = layout.fields.indexOf('uri');
      if (at >= 0 && type !== 3 && type !== 6) msg[at + 1] = r.pick(INVALID_URIS);
    } else if (roll < 0.3) {
      // Unknown option keys and values of the right type are ignored.
      const layout = LAYOUTS[type];
      const at = layout.fields.indexOf('dict');
      if (at >= 0)
        msg[at + 1] = {
          ...(msg[at + 1] as object),
          _fuzz_key: r.pick([1, 'x', [], {}, null]),
          zzz: deep(50),
        };
    }
    return { kind: 'value', value: msg, expect: 'any', label: `benign ${type}` };
  }

  /** A structurally broken message: the parser must refuse it (ABORT protocol_violation). */
  malformed(ids: SessionIds): Frame {
    const r = this.rng;
    const type = r.pick(MESSAGE_TYPES);
    const layout = LAYOUTS[type];
    const msg = this.wellFormed(type, ids);
    const fixed = layout.fields.length + 1;
    const max = fixed + (layout.tail === 'payload' ? 2 : layout.tail === 'dict' ? 1 : 0);
    const how = r.int(8);
    let label: string;
    let value: unknown;
    switch (how) {
      case 0: {
        value = msg.slice(0, 1 + r.int(fixed - 1));
        label = `short ${type}`;
        break;
      }
      case 1: {
        const full = [...msg];
        while (full.length < fixed) full.push({});
        // Fill the optional tail with valid values, then overflow it.
        if (layout.tail === 'payload') {
          if (full.length === fixed) full.push([]);
          if (full.length === fixed + 1) full.push({});
        }
        if (layout.tail === 'dict' && full.length === fixed) full.push({});
        while (full.length <= max) full.push(r.pick([1, 'x', {}, []]));
        value = full;
        label = `long ${type}`;
        break;
      }
      case 2: {
        const at = r.int(layout.fields.length);
        msg[at + 1] = this.badFor(layout.fields[at]);
        value = msg;
        label = `bad ${layout.fields[at]} in ${type}`;
        break;
      }
      case 3:
        value = r.pick<unknown>([{ hello: 'world' }, 'string', 42, null, true, [], {}]);
        label = 'not a list';
        break;
      case 4:
        value = [r.pick<unknown>([7, 99, 1000, -1, 0, 255, 2 ** 53 + 1]), ...msg.slice(1)];
        label = 'unknown type';
        break;
      case 5:
        value = [r.pick<unknown>(['16', 16.5, null, {}, [16], 1e300]), ...msg.slice(1)];
        label = 'type not an integer';
        break;
      case 6: {
        if (layout.tail !== 'payload') return this.malformed(ids);
        while (msg.length < fixed) msg.push({});
        value = [...msg.slice(0, fixed), r.pick<unknown>(['args', 42, { a: 1 }, true])];
        label = `args not a list in ${type}`;
        break;
      }
      default: {
        // null is not among the bad values: an option set to null counts as not given.
        const badOption: Record<number, [number, Record<string, unknown>]> = {
          16: [2, { acknowledge: r.pick(['yes', 1, {}]) }],
          32: [2, { match: r.pick(['bogus', 1, '']) }],
          48: [2, { timeout: r.pick([-1, 1.5, 'x', -1e300]) }],
          49: [2, { mode: r.pick(['abort', 3]) }],
          64: [2, { invoke: r.pick(['everyone', 5]) }],
          70: [2, { progress: 'maybe' }],
        };
        const t = r.pick(Object.keys(badOption).map(Number));
        const m = this.wellFormed(t, ids);
        const [at, opt] = badOption[t];
        m[at] = opt;
        value = m;
        label = `bad option ${JSON.stringify(opt)} in ${t}`;
      }
    }
    return { kind: 'value', value, expect: 'violation', label };
  }

  private badFor(field: Field): unknown {
    const r = this.rng;
    const binaryLane = this.serializer !== 'json';
    switch (field) {
      case 'id':
        return r.pick<unknown>([
          0,
          -1,
          2 ** 53 + 2,
          1e300,
          1.5,
          -0.5,
          '1',
          {},
          [],
          null,
          true,
          ...(binaryLane ? [2n ** 64n - 1n, NaN, Infinity] : []),
        ]);
      case 'id0':
        return r.pick<unknown>([-1, 2 ** 53 + 2, 1e300, 0.5, 'x', {}, null]);
      case 'uri':
        return r.pick<unknown>(['', 42, {}, [], null, true, Buffer.from('uri')]);
      case 'string':
        return r.pick<unknown>([42, {}, [], null]);
      case 'dict':
        return r.pick<unknown>(['str', 42, [], null, true, Buffer.from([1, 2])]);
      case 'type':
        return r.pick<unknown>([99, 'x', 1, 16.5, null]);
    }
  }

  /** Bytes the serializer cannot decode, or framing that breaks the transport. */
  garbage(transport: 'websocket' | 'rawsocket'): Frame {
    const r = this.rng;
    const roll = r.next();
    // Around the router's nesting limit (64 levels, the message list being one), far beyond it,
    // and deeper than a recursive decoder survives: refused from this sender, never by dropping
    // the subscribers of the topic (the bystander in fuzz.test.ts).
    if (roll < 0.15) return this.deepRaw(r.pick([60, 61, 62, 63, 64, 65, 1200, 20_000]));
    if (transport === 'rawsocket' && roll < 0.25) {
      const header = r.pick([
        Buffer.from([0x08, 0, 0, 1]), // reserved bits
        Buffer.from([0x03, 0, 0, 1]), // reserved frame type
        Buffer.from([0x00, 0xff, 0xff, 0xff]), // longer than the router's maximum
      ]);
      return {
        kind: 'raw',
        bytes: Buffer.from([1]),
        expect: 'close',
        label: `bad frame header ${header.toString('hex')}`,
        rawsocketHeader: header,
      };
    }
    if (transport === 'websocket' && roll < 0.3) {
      // Over maxPayload: the WebSocket is closed with 1009.
      return {
        kind: 'raw',
        bytes: Buffer.alloc(this.maxPayload + 1024, 0x20),
        expect: 'close',
        label: 'over maxPayload',
        binary: true,
      };
    }
    if (this.serializer === 'json' && roll < 0.6) {
      const text = r.pick([
        '[16, 1, {}, "a"',
        '{"unterminated',
        '[1,"realm1",{]',
        '\u0000\u0001',
        'null null',
        `[${'1,'.repeat(50)}`,
      ]);
      return { kind: 'raw', bytes: text, expect: 'close', label: 'broken JSON text', binary: false };
    }
    // Random bytes: never valid UTF-8 JSON of a list, rarely a valid msgpack/cbor message.
    const bytes = r.bytes(1 + r.int(300));
    bytes[0] =
      this.serializer === 'msgpack'
        ? 0xc1 /* never used */
        : this.serializer === 'cbor'
          ? 0xff /* break without start */
          : 0xff;
    return { kind: 'raw', bytes, expect: 'close', label: 'random bytes', binary: true };
  }

  /**
   * What a client may try before it has joined: a frame over the router's pre-join limit (64
   * KiB), a HELLO whose authid, authrole or realm is over the length limits, or a nested HELLO.
   * Each ends that connection (ABORT or close) and nothing else.
   */
  preJoin(transport: 'websocket' | 'rawsocket'): Frame {
    const r = this.rng;
    const roll = r.next();
    if (roll < 0.4) {
      const size = 64 * 1024 + 1 + r.int(this.maxPayload - 64 * 1024);
      if (transport === 'rawsocket')
        return {
          kind: 'raw',
          bytes: Buffer.alloc(Math.min(size, 4096), 0x20),
          expect: 'close',
          label: `pre-join frame of ${size} bytes announced`,
          rawsocketHeader: Buffer.from([0, (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff]),
        };
      return {
        kind: 'raw',
        bytes: Buffer.alloc(size, 0x20),
        expect: 'close',
        label: `pre-join message of ${size} bytes`,
        binary: true,
      };
    }
    const long = 'x'.repeat(256 + r.int(2000));
    const value = r.pick([
      [1, 'realm1', { roles: ROLES, authid: long, authmethods: ['ticket'] }],
      [1, 'realm1', { roles: ROLES, authrole: long }],
      [1, `com.${long}`, { roles: ROLES }],
      [1, 'realm1', { roles: ROLES, authextra: deep(100) }],
    ]);
    return { kind: 'value', value, expect: 'violation', label: 'HELLO over the length or nesting limits' };
  }

  /** A PUBLISH whose args nest `levels` deep, encoded by hand (a recursive encoder would overflow). */
  deepRaw(levels: number): Frame {
    const label = `nesting ${levels} deep`;
    const topic = Buffer.from('com.fuzz.topic');
    if (this.serializer === 'json') {
      const text = `[16,${this.reqId()},{"acknowledge":true},"com.fuzz.topic",[${'['.repeat(levels)}${']'.repeat(levels)}]]`;
      return { kind: 'raw', bytes: text, expect: 'any', label, binary: false };
    }
    if (this.serializer === 'msgpack') {
      const head = Buffer.from(msgpackEncode([16, this.reqId(), { acknowledge: true }, 'com.fuzz.topic']));
      head[0] = 0x95; // a 5-element list: the args follow
      return {
        kind: 'raw',
        bytes: Buffer.concat([head, Buffer.alloc(levels, 0x91), Buffer.from([0xc0])]),
        expect: 'any',
        label,
        binary: true,
      };
    }
    const id = this.reqId() % 24;
    const head = Buffer.concat([Buffer.from([0x85, 0x10, id || 1, 0xa0, 0x60 + topic.length]), topic]);
    return {
      kind: 'raw',
      bytes: Buffer.concat([head, Buffer.alloc(levels, 0x81), Buffer.from([0xf6])]),
      expect: 'any',
      label,
      binary: true,
    };
  }
}
