// Deep copies of payload values, for what the router keeps after routing a publication (retained
// events, event history). In-process payloads travel by reference and are shared by design, but
// a value kept as received would change with its sender's later edits, and a kept value handed
// out as is would let one reader change what the next one reads. So the store holds a copy made
// when it keeps the value, and each reader gets a copy of that. Live EVENTs are not copied.

/**
 * A value that answers this key with a function makes its own copy with it: an MQTT payload
 * decoded on first read (src/mqtt/payload.ts) copies its bytes, still undecoded, so an MQTT
 * subscriber of a retained message gets the publisher's bytes untouched; a payload the router
 * received undecoded (serializers/undecoded-payload.ts) is decoded afresh.
 */
export const COPY = Symbol('copy');

type SelfCopying = { [COPY]?: () => unknown };

/**
 * A deep copy of `value`: lists, dicts, bytes (a Buffer stays a Buffer) and dates are copied;
 * other objects (a Map, a class instance) are copied by structuredClone when it can, and kept as
 * they are when it cannot (a value holding functions): no WAMP serializer could carry those
 * either. The caller bounds the depth first: the router copies only what it has measured with
 * approximateSize, so a cyclic or too deep value never gets here.
 */
export function copyValue<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const own = (v as SelfCopying)[COPY];
    if (typeof own === 'function') return own();
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
    return out;
  }
  if (ArrayBuffer.isView(v)) {
    if (Buffer.isBuffer(v)) return Buffer.from(v);
    if (v instanceof DataView) return new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    return (v as unknown as { slice(): unknown }).slice();
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const own = (v as SelfCopying)[COPY];
    if (typeof own === 'function') return own();
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const k of Object.keys(v)) {
      const x = copy((v as Record<string, unknown>)[k]);
      // A "__proto__" key (JSON.parse makes one) is data: assigned, it would set the prototype.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
      else out[k] = x;
    }
    return out;
  }
  if (v instanceof Date) return new Date(v.getTime());
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}
