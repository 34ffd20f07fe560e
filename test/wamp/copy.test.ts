// copyValue: the deep copy the router keeps of a retained or recorded event's payload.
import assert from 'node:assert/strict';
import { COPY, copyValue } from '../../src/wamp/copy';

describe('copyValue (the copies kept of stored events)', () => {
  it('copies lists and dicts at every level', () => {
    const value = [{ a: [1, { b: 2 }] }, 'text', 3, null, true, undefined];
    const copy = copyValue(value);
    assert.deepEqual(copy, value);
    assert.notEqual(copy, value);
    assert.notEqual(copy[0], value[0]);
    assert.notEqual((copy[0] as { a: unknown[] }).a[1], (value[0] as { a: unknown[] }).a[1]);
  });

  it('keeps the kind of bytes and dates, with their own memory', () => {
    const buf = Buffer.from('abc');
    const u8 = new Uint8Array([1, 2, 3]).subarray(1);
    const f64 = new Float64Array([1.5]);
    const date = new Date(5);
    const [b, u, f, d] = copyValue([buf, u8, f64, date]) as [Buffer, Uint8Array, Float64Array, Date];
    assert.ok(Buffer.isBuffer(b) && b.equals(buf));
    b[0] = 0;
    assert.equal(buf.toString(), 'abc');
    assert.ok(!Buffer.isBuffer(u) && u instanceof Uint8Array);
    assert.deepEqual([...u], [2, 3]);
    assert.ok(f instanceof Float64Array && f[0] === 1.5 && f.buffer !== f64.buffer);
    u[0] = 0;
    assert.equal(u8[0], 2);
    assert.ok(d instanceof Date && d.getTime() === 5 && d !== date);
  });

  it('keeps a "__proto__" key as data, and a dict without prototype without one', () => {
    const parsed = JSON.parse('{"__proto__": {"x": 1}, "y": 2}');
    const copy = copyValue(parsed) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'y']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { x: 1 });
    const bare = Object.assign(Object.create(null), { k: 1 });
    assert.equal(Object.getPrototypeOf(copyValue(bare)), null);
  });

  it('copies other objects by structuredClone, and keeps what cannot be cloned', () => {
    const map = new Map([['k', { v: 1 }]]);
    const copied = copyValue(map);
    assert.ok(copied instanceof Map && copied !== map);
    assert.deepEqual(copied.get('k'), { v: 1 });
    const withFunction = new (class {
      f = () => 1;
    })();
    assert.equal(copyValue(withFunction), withFunction);
  });

  it('lets a list make its own copy (an MQTT payload copies its bytes, undecoded)', () => {
    const own = ['made by COPY'];
    const list = Object.assign([1, 2], { [COPY]: () => own });
    assert.equal(copyValue(list), own);
    assert.deepEqual(copyValue([list]), [own]);
  });
});
