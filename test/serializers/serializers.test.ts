import assert from 'node:assert/strict';
import {
  cborSerializer,
  jsonSerializer,
  msgpackSerializer,
  serializerByProtocol,
  serializerByRawSocketId,
  serializers,
} from '../../src/serializers';
import { MAX_ID } from '../../src/wamp';

function bytesOf(v: unknown): string {
  assert.ok(v instanceof Uint8Array, 'a byte string decodes as bytes');
  return Buffer.from(v).toString('hex');
}

describe('serializers', () => {
  it('are found by WebSocket subprotocol and RawSocket code', () => {
    assert.equal(serializerByProtocol('wamp.2.json'), jsonSerializer);
    assert.equal(serializerByProtocol('wamp.2.msgpack'), msgpackSerializer);
    assert.equal(serializerByProtocol('wamp.2.cbor'), cborSerializer);
    assert.equal(serializerByProtocol('wamp.2.ubjson'), undefined);
    assert.equal(serializerByRawSocketId(1), jsonSerializer);
    assert.equal(serializerByRawSocketId(2), msgpackSerializer);
    assert.equal(serializerByRawSocketId(3), cborSerializer);
  });

  for (const s of serializers) {
    describe(s.id, () => {
      const roundTrip = (m: unknown[]): unknown[] => {
        const encoded = s.encode(m);
        assert.equal(typeof encoded === 'string', !s.binary);
        const d = s.decode(encoded);
        assert.ok(d.ok, !d.ok ? d.error : '');
        return (d as { value: unknown[] }).value;
      };

      it('round-trips unicode, large integers and nested structures', () => {
        const m = [
          48,
          MAX_ID,
          { nested: { list: [1, [2, [3, { deep: true }]]], n: null } },
          'com.app.ünïcödé',
          ['日本語 🚀', -42, 3.25, MAX_ID - 1, 0],
          { kw: 'wert' },
        ];
        assert.deepEqual(roundTrip(m), m);
      });

      it('round-trips byte strings as bytes', () => {
        const bin = Buffer.from([0, 1, 2, 255, 254, 0x7f]);
        const out = roundTrip([36, 1, 2, {}, [bin, { inner: new Uint8Array([9, 8, 7]) }]]);
        const args = out[4] as unknown[];
        assert.equal(bytesOf(args[0]), '000102fffe7f');
        assert.equal(bytesOf((args[1] as { inner: unknown }).inner), '090807');
      });

      it('round-trips an empty byte string', () => {
        const out = roundTrip([36, 1, 2, {}, [Buffer.alloc(0)]]);
        assert.equal(bytesOf((out[4] as unknown[])[0]), '');
      });

      it('returns a clear error, never throws, for truncated frames and garbage', () => {
        const good = s.encode([48, 1, {}, 'com.proc', ['some args', { a: 1 }]]);
        const truncated =
          typeof good === 'string' ? good.slice(0, good.length - 5) : good.subarray(0, good.length - 5);
        const garbage = [
          truncated,
          Buffer.from([0xc1, 0xff, 0xfe, 0x00, 0x13]),
          Buffer.from('}{'),
          Buffer.alloc(0),
          '',
        ];
        for (const g of garbage) {
          const d = s.decode(g);
          if (d.ok) continue; // some byte soups are valid values; the parser then refuses them
          assert.equal(typeof d.error, 'string');
          assert.ok(d.error.length > 0);
        }
        assert.equal(s.decode(truncated).ok, false, 'a truncated frame is an error');
      });

      it('survives 2000 random byte strings without an exception', () => {
        let seed = 7;
        const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
        for (let i = 0; i < 2000; i++) {
          const buf = Buffer.alloc(1 + Math.floor(rand() * 64));
          for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rand() * 256);
          s.decode(s.binary ? buf : buf.toString('latin1'));
        }
      });
    });
  }

  describe('JSON binary convention', () => {
    it('sends bytes as a string of NUL followed by base64', () => {
      const text = jsonSerializer.encode([36, 1, 2, {}, [Buffer.from('hello')]]) as string;
      assert.equal(text, '[36,1,2,{},["\\u0000aGVsbG8="]]');
    });
    it('finds bytes however deep, and beside plain values (which encode as plain JSON)', () => {
      const deep = { a: [1, { b: [{ c: new Uint8Array([104, 105]) }] }], s: 'x', n: null };
      const text = jsonSerializer.encode([36, 1, 2, {}, [deep]]) as string;
      assert.equal(text, '[36,1,2,{},[{"a":[1,{"b":[{"c":"\\u0000aGk="}]}],"s":"x","n":null}]]');
      const plain = { a: [1, { b: 'c' }], d: new Date(0), u: undefined };
      assert.equal(jsonSerializer.encode([36, 1, 2, {}, [plain]]), JSON.stringify([36, 1, 2, {}, [plain]]));
    });
    it('revives such strings as bytes on decode', () => {
      const d = jsonSerializer.decode('[36,1,2,{},["\\u0000aGVsbG8="]]');
      assert.ok(d.ok);
      if (d.ok) assert.equal(Buffer.from((d.value as unknown[][])[4][0] as Uint8Array).toString(), 'hello');
    });
    it('refuses invalid UTF-8 in a binary-delivered JSON frame', () => {
      assert.equal(jsonSerializer.decode(Buffer.from([0x5b, 0xff, 0x5d])).ok, false);
    });
  });
  it('CBOR writes integers beyond 32 bits, and the largest ID 2^53, as CBOR integers, not floats (strict peers refuse float IDs)', () => {
    const top = Buffer.from(cborSerializer.encode([17, 1, MAX_ID]) as Uint8Array);
    assert.equal(top.toString('hex'), '8311011b0020000000000000');
    const bytes = Buffer.from(cborSerializer.encode([2, 4429313566, { n: -5000000000 }]) as Uint8Array);
    // 0x1b: unsigned 64-bit integer follows; 0x3b: negative 64-bit integer follows; 0xfb would be a float64.
    assert.ok(bytes.includes(0x1b) && bytes.includes(0x3b), bytes.toString('hex'));
    assert.ok(!bytes.includes(0xfb), bytes.toString('hex'));
  });
  it('a 64-bit integer beyond 2^53 from a CBOR peer is a number that every serializer can send on', () => {
    const d = cborSerializer.decode(Buffer.from('841824011b0100000000000000a0', 'hex'));
    assert.ok(d.ok);
    const fromCbor = d.ok ? (d.value as unknown[]) : [];
    assert.equal(fromCbor[2], 2 ** 56);
    for (const s of serializers) {
      const back = s.decode(s.encode([36, 1, 2, {}, [fromCbor[2]]]));
      assert.ok(back.ok, s.id);
      assert.equal(Number((back as { value: unknown[][] }).value[4][0]), 2 ** 56, s.id);
    }
  });
  it("MessagePack reads msgpackr's undefined (fixext 1, type 0, data 0) as undefined; other extensions stay opaque", () => {
    // [undefined, {match: undefined}, ext 0 with data 1]
    const d = msgpackSerializer.decode(
      Buffer.from('9' + '3d40000' + '81a56d61746368d40000' + 'd40001', 'hex'),
    );
    assert.ok(d.ok, !d.ok ? d.error : '');
    const v = (d as { value: unknown[] }).value;
    assert.equal(v[0], undefined);
    assert.ok('match' in (v[1] as object) && (v[1] as { match: unknown }).match === undefined);
    assert.equal(typeof v[2], 'object');
  });
  it('CBOR reads undefined (f7) as undefined and refuses tags; writes undefined dict entries not at all', () => {
    const d = cborSerializer.decode(Buffer.from('82f7a1656d61746368f7', 'hex'));
    assert.ok(d.ok);
    assert.deepEqual((d as { value: unknown[] }).value, [undefined, { match: undefined }]);
    assert.equal(cborSerializer.decode(Buffer.from('81c11a00000001', 'hex')).ok, false, 'tag 1 (a date)');
    assert.equal(cborSerializer.decode(Buffer.from('81d81c80', 'hex')).ok, false, 'tag 28 (shared value)');
    assert.equal(cborSerializer.decode(Buffer.from('a10102', 'hex')).ok, false, 'a non-string map key');
    const enc = Buffer.from(cborSerializer.encode([32, 1, { match: undefined, x: 1 }, 't']) as Uint8Array);
    assert.equal(enc.toString('hex'), '84182001a16178' + '01' + '6174');
  });
  it('CBOR keeps a `__proto__` key an own property and the prototype alone', () => {
    // {"__proto__": h'01'}
    const d = cborSerializer.decode(Buffer.from('a1695f5f70726f746f5f5f4101', 'hex'));
    assert.ok(d.ok);
    const obj = (d as { value: Record<string, unknown> }).value;
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.ok(Object.hasOwn(obj, '__proto__'));
  });
  it('binary serializers refuse text frames', () => {
    assert.equal(msgpackSerializer.decode('[1]').ok, false);
    assert.equal(cborSerializer.decode('[1]').ok, false);
  });

  it('binary serializers refuse a list or map longer than the frame before making room for it', () => {
    // 6 bytes claiming 2^24 elements: the MessagePack library would allocate all of them first
    // (measured: 100 ms and 128 MB a frame), so the length is checked against the frame's.
    for (const hex of ['91dd01000000', '91df01000000', '95301001a0dd01000000']) {
      const result = msgpackSerializer.decode(Buffer.from(hex, 'hex'));
      assert.equal(result.ok, false, hex);
      assert.match((result as { error: string }).error, /Max length exceeded/, hex);
      assert.equal(msgpackSerializer.decodeForRouter!(Buffer.from(hex, 'hex')).ok, false, hex);
    }
    for (const hex of ['9a01000000', 'ba01000000', '819a01000000'])
      assert.equal(cborSerializer.decode(Buffer.from(hex, 'hex')).ok, false, hex);
    // Lists as long as a frame can hold still decode.
    const long = Array.from({ length: 5000 }, (_, i) => i % 100);
    const bytes = msgpackSerializer.encode([16, 1, {}, 't', long]) as Uint8Array;
    assert.deepEqual(msgpackSerializer.decode(bytes), { ok: true, value: [16, 1, {}, 't', long] });
  });
});
