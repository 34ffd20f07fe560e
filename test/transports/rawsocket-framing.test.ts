import assert from 'node:assert/strict';
import {
  decodeHandshake,
  encodeFrame,
  encodeFrameHeader,
  encodeHandshake,
  encodeHandshakeError,
  FrameReader,
  FrameType,
  lengthExponent,
  maxLengthOf,
  rawSocketErrorName,
} from '../../src/transports/rawsocket-framing';

describe('RawSocket framing', () => {
  describe('handshake: 0x7F, (L<<4)|S, 0, 0 with max length 2^(9+L)', () => {
    it('encodes a hello', () => {
      assert.deepEqual([...encodeHandshake(1, 15)], [0x7f, 0xf1, 0, 0]);
      assert.deepEqual([...encodeHandshake(2, 0)], [0x7f, 0x02, 0, 0]);
      assert.deepEqual([...encodeHandshake(3, 4)], [0x7f, 0x43, 0, 0]);
    });

    it('decodes a hello into serializer and max length', () => {
      assert.deepEqual(decodeHandshake(Buffer.from([0x7f, 0x42, 0, 0])), {
        kind: 'hello',
        serializer: 2,
        exponent: 4,
        maxLength: 8192,
      });
      assert.equal(maxLengthOf(0), 512);
      // 2^24 does not fit the 24-bit length field.
      assert.equal(maxLengthOf(15), 0xffffff);
    });

    it('chooses the largest L whose length does not exceed the limit', () => {
      assert.equal(lengthExponent(16 * 1024 * 1024), 15);
      assert.equal(lengthExponent(1 << 30), 15);
      assert.equal(lengthExponent(1024), 1);
      assert.equal(lengthExponent(1500), 1);
      assert.equal(lengthExponent(100), 0);
    });

    it('encodes and decodes error replies 0x7F, E<<4, 0, 0', () => {
      for (const [code, name] of [
        [1, 'serializer unsupported'],
        [2, 'maximum message length unacceptable'],
        [3, 'use of reserved bits'],
        [4, 'maximum connection count reached'],
      ] as const) {
        const bytes = encodeHandshakeError(code);
        assert.deepEqual([...bytes], [0x7f, code << 4, 0, 0]);
        assert.deepEqual(decodeHandshake(bytes), { kind: 'error', code, message: name });
        assert.equal(rawSocketErrorName(code), name);
      }
    });

    it('rejects a bad magic octet', () => {
      const h = decodeHandshake(Buffer.from('GET '));
      assert.equal(h.kind, 'invalid');
      assert.match(h.kind === 'invalid' ? h.message : '', /magic/);
    });

    it('rejects non-zero reserved octets with error 3', () => {
      assert.deepEqual(decodeHandshake(Buffer.from([0x7f, 0xf1, 0, 1])), {
        kind: 'invalid',
        code: 3,
        message: 'reserved handshake octets not zero',
      });
    });
  });

  describe('frames: 1 octet type + 3 octets big-endian length', () => {
    it('encodes the header', () => {
      assert.deepEqual([...encodeFrameHeader(FrameType.MESSAGE, 0x010203)], [0, 1, 2, 3]);
      assert.deepEqual([...encodeFrameHeader(FrameType.PING, 5)], [1, 0, 0, 5]);
      assert.deepEqual([...encodeFrameHeader(FrameType.PONG, 0)], [2, 0, 0, 0]);
      assert.throws(() => encodeFrameHeader(FrameType.MESSAGE, 1 << 24), RangeError);
    });

    it('reads several frames from one chunk', () => {
      const r = new FrameReader(1024);
      const chunk = Buffer.concat([
        encodeFrame(FrameType.MESSAGE, Buffer.from('[1]')),
        encodeFrame(FrameType.PING, Buffer.from('hi')),
        encodeFrame(FrameType.MESSAGE, Buffer.alloc(0)),
      ]);
      const batch = r.push(chunk);
      assert.equal(batch.error, undefined);
      assert.deepEqual(
        batch.frames.map((f) => [f.type, f.payload.toString()]),
        [
          [0, '[1]'],
          [1, 'hi'],
          [0, ''],
        ],
      );
    });

    it('reassembles a frame split at every possible byte', () => {
      const payload = Buffer.from('["a frame split across chunks", 12345]');
      const wire = Buffer.concat([
        encodeFrame(FrameType.MESSAGE, payload),
        encodeFrame(FrameType.MESSAGE, payload),
      ]);
      for (let cut = 0; cut <= wire.length; cut++) {
        const r = new FrameReader(1024);
        const a = r.push(wire.subarray(0, cut));
        const b = r.push(wire.subarray(cut));
        const frames = [...a.frames, ...b.frames];
        assert.equal(frames.length, 2, `cut at ${cut}`);
        for (const f of frames) assert.deepEqual(f.payload, payload);
      }
    });

    it('reassembles a frame delivered one byte at a time', () => {
      const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
      const wire = encodeFrame(FrameType.MESSAGE, payload);
      const r = new FrameReader(1024);
      const frames = [];
      for (const byte of wire) frames.push(...r.push(Buffer.from([byte])).frames);
      assert.equal(frames.length, 1);
      assert.deepEqual(frames[0].payload, payload);
    });

    it('fails on a frame longer than the agreed maximum, from its header alone', () => {
      const r = new FrameReader(512);
      assert.equal(r.push(encodeFrameHeader(FrameType.MESSAGE, 512)).error, undefined);
      const r2 = new FrameReader(512);
      const batch = r2.push(encodeFrameHeader(FrameType.MESSAGE, 513));
      assert.match(batch.error ?? '', /exceeds the agreed maximum of 512/);
      // Once failed, it stays failed.
      assert.ok(r2.push(encodeFrame(FrameType.MESSAGE, Buffer.from('x'))).error);
    });

    it('delivers the frames before a bad header, then fails', () => {
      const r = new FrameReader(512);
      const batch = r.push(
        Buffer.concat([encodeFrame(FrameType.MESSAGE, Buffer.from('ok')), Buffer.from([3, 0, 0, 0])]),
      );
      assert.equal(batch.frames.length, 1);
      assert.match(batch.error ?? '', /reserved frame type 3/);
    });

    it('fails on reserved bits in the frame header', () => {
      const r = new FrameReader(512);
      assert.match(r.push(Buffer.from([0x08, 0, 0, 0])).error ?? '', /reserved bits/);
    });
  });
});
