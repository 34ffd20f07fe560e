import assert from 'node:assert/strict';
import { types } from 'node:util';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { jsonSerializer, msgpackSerializer, type Serializer } from '../../src/serializers';
import { elementStart, skipValue } from '../../src/serializers/msgpack-skip';
import { undecodedTail, withValues } from '../../src/serializers/undecoded-payload';
import { copyValue } from '../../src/wamp/copy';
import { nestsDeeperThan } from '../../src/wamp/depth';

/** What a router's transport hands the router for `data` (a Buffer, as sockets deliver). */
function received(serializer: Serializer, data: string | Uint8Array): unknown[] {
  const result = serializer.decodeForRouter!(Buffer.from(data));
  assert.ok(result.ok, 'decodes');
  return result.value as unknown[];
}

/** The same, decoded in full (what a client gets). */
function decoded(serializer: Serializer, data: string | Uint8Array): unknown {
  const result = serializer.decode(typeof data === 'string' ? Buffer.from(data) : data);
  return result.ok ? result.value : result.error;
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

describe('undecoded payloads (the router passing a payload on in the bytes it came in)', () => {
  it('passes a JSON payload behind a head whose strings and options hold commas, brackets and escapes', () => {
    const text =
      '[ 48 , 12, {"a":"x,]}\\"[", "n": [1, {"b": ",,"}]}, "com.x\\\\" ,  [1.50, "a,]\\"", {"c":[]}] , {"k": "v"} ]';
    const value = received(jsonSerializer, text);
    assert.equal(value[3], 'com.x\\');
    const payload = undecodedTail(value);
    assert.ok(payload, 'the payload is undecoded');
    assert.equal(payload.raw, '  [1.50, "a,]\\"", {"c":[]}] , {"k": "v"} ');
    const encoded = asText(jsonSerializer.encode(invocationFor(value)));
    // The payload goes out character for character; the head is encoded as usual.
    assert.equal(encoded, '[68,7,9,{"procedure":"p"},  [1.50, "a,]\\"", {"c":[]}] , {"k": "v"} ]');
    assert.equal(payload.values, null, 'and was never decoded');
    // What the values are, read through the router's view of them.
    assert.deepEqual([...(value[4] as unknown[])], [1.5, 'a,]"', { c: [] }]);
    assert.deepEqual({ ...(value[5] as object) }, { k: 'v' });
  });

  it('passes a MessagePack payload behind a head of every value type', () => {
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
    const value = received(msgpackSerializer, encoder.encode(call));
    const payload = undecodedTail(value);
    assert.ok(payload, 'the payload is undecoded');
    const tail = encoder.encode([[1, 'two', { three: [3] }], { k: 'v' }]).subarray(1);
    assert.deepEqual(Buffer.from(payload.raw as Uint8Array), Buffer.from(tail));
    const encoded = msgpackSerializer.encode(invocationFor(value)) as Uint8Array;
    assert.deepEqual(Buffer.from(encoded), Buffer.from(encoder.encode(invocationFor(call))));
    assert.equal(payload.values, null, 'and was never decoded');
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
    it(`passes ${serializer.id} payloads on unchanged in meaning, to every serializer (random CALLs, YIELDs, PUBLISHes, ERRORs)`, () => {
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
        const value = received(serializer, bytes);
        assert.ok(undecodedTail(value), 'undecoded');
        const full = decoded(serializer, bytes) as unknown[];
        for (const to of [jsonSerializer, msgpackSerializer]) {
          const passed = decoded(to, to.encode(out(value)));
          assert.deepEqual(passed, decoded(to, to.encode(out(full))), `${serializer.id} -> ${to.id}`);
        }
      }
    });

    it(`decodes in full what the fast path does not take (${serializer.id}): the same value or the same refusal`, () => {
      const cases: unknown[][] = [
        [48, 1, {}, 'p'],
        [48, 1, {}, 'p', null, { a: 1 }],
        [48, 1, {}, 'p', 5],
        [48, 1, {}, 'p', [1], 7],
        [48, 1, {}, 'p', [1], { a: 1 }, 3],
        [70, 1, {}, { a: 1 }],
        [36, 1, 2, {}, [1]],
        [16, 1, {}, 't', [1], []],
      ];
      for (const c of cases) {
        const bytes = serializer.encode(c);
        const result = serializer.decodeForRouter!(Buffer.from(bytes));
        assert.ok(result.ok);
        assert.equal(undecodedTail(result.value as unknown[]), null, JSON.stringify(c));
        assert.deepEqual(result.value, decoded(serializer, bytes));
      }
    });
  }

  it('refuses malformed JSON payloads as the full decode does', () => {
    const bad = [
      '[48,1,{},"p",[1,]]',
      '[48,1,{},"p",[1]]]',
      '[48,1,{},"p",[1],{"a":}]',
      '[48,1,{},"p",[1],{"a":1}',
      '[48,1,{},"p",[01]]',
      '[48,1,{},"p",["\\u12"]]',
      '[48,1,{},"p",["\\x"]]',
      '[48,1,{},"p",[tru]]',
      '[48,1,{},"p",[1] x]',
      '[48,1,{},"p",[1]] ,',
      '[48,1,{} "p",[1]]',
      `[48,1,{},"p",["${String.fromCharCode(1)}"]]`,
    ];
    for (const text of bad) {
      const result = jsonSerializer.decodeForRouter!(Buffer.from(text));
      assert.equal(result.ok, false, text);
    }
  });

  it("records the payload's nesting for the router's depth limit, without reading it", () => {
    const deep = `[48,1,{},"p",[${'['.repeat(70)}${']'.repeat(70)}]]`;
    const value = received(jsonSerializer, deep);
    assert.equal(nestsDeeperThan(value, 64), true);
    assert.equal(nestsDeeperThan(value, 72), false);
    assert.equal(undecodedTail(value)?.values, null);
    const kw = received(jsonSerializer, '[48,1,{},"p",[],{"a":{"b":[{}]}}]');
    assert.equal(nestsDeeperThan(kw, 5), false);
    assert.equal(nestsDeeperThan(kw, 4), true);
  });

  it("hands in-process receivers plain values, decoded once; copies are the router's own", () => {
    const value = received(jsonSerializer, '[16,1,{},"t",[{"a":[1]}],{"k":{"x":1}}]');
    const event = [36, 5, 6, {}, ...value.slice(4)];
    const plain = withValues(event);
    assert.notEqual(plain, event);
    assert.equal(types.isProxy(plain[4]), false);
    assert.equal(types.isProxy(plain[5]), false);
    assert.deepEqual(plain, [36, 5, 6, {}, [{ a: [1] }], { k: { x: 1 } }]);
    assert.equal(withValues(event)[4], plain[4], 'every in-process receiver shares the values');
    const copy = copyValue(value.slice(4));
    assert.equal(types.isProxy(copy[0]), false);
    assert.deepEqual(copy, [[{ a: [1] }], { k: { x: 1 } }]);
    assert.notEqual((copy[0] as unknown[])[0], (plain[4] as unknown[])[0], 'a copy, not the shared values');
    assert.equal(withValues(plain), plain, 'a message without an undecoded payload is left as it is');
  });

  it('writes values, not the bytes received, once the router has changed them', () => {
    const value = received(jsonSerializer, '[48,1,{},"p",[1,2]]');
    (value[4] as unknown[]).push(3);
    assert.equal(asText(jsonSerializer.encode(invocationFor(value))), '[68,7,9,{"procedure":"p"},[1,2,3]]');
  });
});
