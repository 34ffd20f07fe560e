import assert from 'node:assert/strict';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { jsonSerializer, msgpackSerializer, type Serializer } from '../../src/serializers';
import { elementStart, skipValue } from '../../src/serializers/msgpack-skip';
import { matching, payloadIndex, type RawPayload, routingWith } from '../../src/serializers/raw-payload';

/** Decodes `data`, finds its payload, and returns the decoded value with the raw payload. */
function received(serializer: Serializer, data: string | Uint8Array): { value: unknown[]; raw: RawPayload } {
  const result = serializer.decode(typeof data === 'string' ? Buffer.from(data) : data);
  assert.ok(result.ok, 'decodes');
  const value = result.value as unknown[];
  const at = payloadIndex(value);
  assert.ok(at > 0, 'has a payload to pass on');
  const raw = serializer.payloadOf?.(value, at, result.source!);
  assert.ok(raw, 'payload located');
  return { value, raw };
}

/** An INVOCATION for a CALL, built as the dealer does: the CALL's payload elements, the very objects. */
function invocationFor(call: unknown[]): unknown[] {
  return [68, 7, 9, { procedure: 'p' }, ...call.slice(4)];
}

const asText = (e: string | Uint8Array): string => (typeof e === 'string' ? e : Buffer.from(e).toString());

/** A random JSON-able value: what an application may put in a payload or in options. */
function randomValue(depth: number, rnd: () => number): unknown {
  const pick = Math.floor(rnd() * (depth > 3 ? 6 : 9));
  const strings = ['', 'a,b', ']', '}', '"', '\\', '\\"],', 'ü€😀', '{"x":[1,2]}', '\u0001'];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return Math.floor(rnd() * 2 ** 40) - 2 ** 39;
    case 3:
      return rnd() * 1e6 - 5e5;
    case 4:
      return strings[Math.floor(rnd() * strings.length)];
    case 5:
      return 'x'.repeat(Math.floor(rnd() * 300));
    case 6:
    case 7: {
      const out: unknown[] = [];
      for (let i = Math.floor(rnd() * 4); i > 0; i--) out.push(randomValue(depth + 1, rnd));
      return out;
    }
    default: {
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 4); i > 0; i--) out[`k${i}${strings[i]}`] = randomValue(depth + 1, rnd);
      return out;
    }
  }
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

describe('raw payloads (the router passing a payload on in the bytes it came in)', () => {
  it('finds a JSON payload behind a head whose strings and options hold commas, brackets and escapes', () => {
    const text =
      '[ 48 , 12, {"a":"x,]}\\"[", "n": [1, {"b": ",,"}]}, "com.x\\\\" ,  [1.50, "a,]\\"", {"c":[]}] , {"k": "v"} ]';
    const { value, raw } = received(jsonSerializer, text);
    assert.equal(value[3], 'com.x\\');
    assert.equal(raw.raw, '  [1.50, "a,]\\"", {"c":[]}] , {"k": "v"} ');
    const encoded = asText(jsonSerializer.encode(invocationFor(value), raw));
    // The payload goes out character for character; the head is encoded as usual.
    assert.equal(encoded, '[68,7,9,{"procedure":"p"},  [1.50, "a,]\\"", {"c":[]}] , {"k": "v"} ]');
    assert.deepEqual(JSON.parse(encoded), JSON.parse(asText(jsonSerializer.encode(invocationFor(value)))));
  });

  it('finds a MessagePack payload behind a head of every value type', () => {
    const encoder = new Encoder();
    const options = {
      s: 'x'.repeat(40),
      long: 'y'.repeat(300),
      big: 'z'.repeat(70000),
      i: [-1, -200, 70000, -70000, 2 ** 40, -(2 ** 40), 255, 65535],
      f: 1.5,
      b: new Uint8Array([1, 2, 3]),
      n: null,
      t: true,
      m: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
      a: Array.from({ length: 20 }, (_, i) => i),
    };
    const call = [48, 12, options, 'com.x', [1, 'two', { three: [3] }], { k: 'v' }];
    const bytes = encoder.encode(call);
    const { value, raw } = received(msgpackSerializer, bytes);
    const tail = encoder.encode([[1, 'two', { three: [3] }], { k: 'v' }]).subarray(1);
    assert.deepEqual(Buffer.from(raw.raw as Uint8Array), Buffer.from(tail));
    const encoded = msgpackSerializer.encode(invocationFor(value), raw) as Uint8Array;
    const plain = msgpackSerializer.encode(invocationFor(value)) as Uint8Array;
    assert.deepEqual(Buffer.from(encoded), Buffer.from(plain));
  });

  it('steps over every MessagePack value as the decoder reads it (random values)', () => {
    const encoder = new Encoder();
    const decoder = new Decoder();
    const rnd = seeded(7);
    for (let i = 0; i < 300; i++) {
      const list = [randomValue(0, rnd), randomValue(0, rnd), randomValue(0, rnd)];
      const bytes = encoder.encode(list);
      const first = elementStart(bytes, 1);
      const second = elementStart(bytes, 2);
      assert.ok(first > 0 && second > first, `element offsets in ${JSON.stringify(list)}`);
      assert.deepEqual(decoder.decode(bytes.subarray(first, second)), list[1]);
      assert.equal(skipValue(bytes, second), bytes.length);
    }
    // A truncated value or an unused type byte (0xc1) is not stepped over.
    assert.equal(skipValue(new Uint8Array([0xd9, 10, 0x41]), 0), -1);
    assert.equal(skipValue(new Uint8Array([0xc1]), 0), -1);
    assert.equal(elementStart(new Uint8Array([0x92, 0x01]), 2), -1);
  });

  for (const serializer of [jsonSerializer, msgpackSerializer]) {
    it(`passes ${serializer.id} payloads on unchanged in meaning (random CALLs, YIELDs, PUBLISHes, ERRORs)`, () => {
      const rnd = seeded(serializer.id === 'json' ? 1 : 2);
      for (let i = 0; i < 300; i++) {
        const args = [randomValue(0, rnd), randomValue(0, rnd), Buffer.from([i & 0xff, 0])];
        const kwargs = { a: randomValue(0, rnd) };
        const options = { x: randomValue(1, rnd), y: 'a,]}' } as Record<string, unknown>;
        const withKw = rnd() < 0.5;
        const payload = withKw ? [args, kwargs] : [args];
        const [sent, out] = (
          [
            [
              [48, i + 1, options, 'com.p', ...payload],
              (m: unknown[]) => [68, 3, 4, { caller: 5 }, ...m.slice(4)],
            ],
            [[70, i + 1, options, ...payload], (m: unknown[]) => [50, 8, {}, ...m.slice(3)]],
            [
              [16, i + 1, options, 'com.t', ...payload],
              (m: unknown[]) => [36, 1, 2, { topic: 'com.t' }, ...m.slice(4)],
            ],
            [
              [8, 68, i + 1, options, 'com.err', ...payload],
              (m: unknown[]) => [8, 48, 6, {}, 'com.err', ...m.slice(5)],
            ],
          ] as const
        )[i % 4];
        const bytes = serializer.encode(sent);
        const { value, raw } = received(serializer, bytes);
        const message = out(value);
        const fast = serializer.decode(serializer.encode(message, raw));
        const slow = serializer.decode(serializer.encode(message));
        assert.ok(fast.ok && slow.ok);
        assert.deepEqual(fast.value, slow.value);
      }
    });
  }

  it('offers a payload only while its message is routed, only to a message ending in its very objects', () => {
    const { value, raw } = received(jsonSerializer, '[48,1,{},"p",[{"a":1}],{"k":2}]');
    const args = value[4];
    const kwargs = value[5];
    assert.equal(matching([68, 1, 2, {}, args, kwargs], 'json'), null, 'not outside the routing');
    let seen: unknown[] = [];
    routingWith(
      raw,
      () => {
        seen = [
          matching([68, 1, 2, {}, args, kwargs], 'json'),
          matching([68, 1, 2, {}, args, kwargs], 'msgpack'),
          matching([68, 1, 2, {}, args], 'json'),
          matching([68, 1, 2, {}, [{ a: 1 }], kwargs], 'json'),
          matching([68, 1, 2, {}, args, { k: 2 }], 'json'),
        ];
      },
      undefined,
    );
    assert.deepEqual(seen, [raw, null, null, null, null]);
    assert.equal(matching([68, 1, 2, {}, args, kwargs], 'json'), null, 'not after it');
  });

  it('has no payload to offer for messages that carry none, or a malformed one', () => {
    assert.equal(payloadIndex([48, 1, {}, 'p']), -1);
    assert.equal(payloadIndex([48, 1, {}, 'p', null, {}]), -1);
    assert.equal(payloadIndex([70, 1, {}, [], 5]), -1);
    assert.equal(payloadIndex([68, 1, 2, {}, []]), -1, 'a router is not sent INVOCATIONs');
    assert.equal(payloadIndex({ 0: 48 }), -1);
    assert.equal(payloadIndex([16, 1, {}, 't', []]), 4);
    assert.equal(payloadIndex([8, 68, 1, {}, 'e', [], {}]), 5);
  });
});
