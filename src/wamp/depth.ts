// Measures of a decoded value that the router bounds: how deep lists and dicts nest, and roughly
// how many bytes a payload holds. Both walk only as deep as they are allowed to, so a value
// nested 20,000 deep (or a cyclic one, handed over in-process) costs no more than the limit.

/**
 * A list that answers `true` for this key was bounded where it was made, and is not to be read
 * here: an MQTT payload decoded on first read (src/mqtt/payload.ts) checks its own depth when it
 * decodes, and reading it here would decode what no receiver may need.
 */
export const DEPTH_CHECKED = Symbol('depth checked');

/**
 * A list or dict that answers this key with a number has measured its own nesting depth (itself
 * one level) and is not to be read here: a payload the router received undecoded
 * (serializers/undecoded-payload.ts), validated and measured by a scanner where it arrived.
 */
export const NESTING = Symbol('nesting');

/** Whether `value` nests lists/dicts deeper than `max` levels (a list or dict is one level). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  return deeper(value, max);
}

function deeper(v: unknown, budget: number): boolean {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return false;
  if (budget <= 0) return true;
  const measured = (v as { [NESTING]?: number })[NESTING];
  if (measured !== undefined) return measured > budget;
  if (Array.isArray(v)) {
    if ((v as { [DEPTH_CHECKED]?: boolean })[DEPTH_CHECKED] === true) return false;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'object' && x !== null && deeper(x, budget - 1)) return true;
    }
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' && x !== null && deeper(x, budget - 1)) return true;
  }
  return false;
}

/**
 * `nestsDeeperThan`, for a walk of at most `budget` values (lists, dicts and the values in
 * them): undefined when the value is larger than that and was not walked to the end.
 */
export function nestsDeeperWithin(value: unknown, max: number, budget: number): boolean | undefined {
  if (typeof value !== 'object' || value === null) return false;
  left = budget;
  const deep = deeperWithin(value, max);
  return left < 0 ? undefined : deep;
}

/** Values the current bounded walk may still visit; below 0 once it gave up. */
let left = 0;

function deeperWithin(v: object, depth: number): boolean {
  if (--left < 0) return false;
  if (Array.isArray(v)) {
    if (depth <= 0) return true;
    if ((v as { [DEPTH_CHECKED]?: boolean })[DEPTH_CHECKED] === true) return false;
    // Longer than what is left: given up at once, without reading what it holds.
    if (v.length > left) {
      left = -1;
      return false;
    }
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' && x !== null) {
        if (deeperWithin(x, depth - 1)) return true;
      } else left--;
      if (left < 0) return false;
    }
    return false;
  }
  if (ArrayBuffer.isView(v)) return false;
  if (depth <= 0) return true;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' && x !== null) {
      if (deeperWithin(x, depth - 1)) return true;
    } else left--;
    if (left < 0) return false;
  }
  return false;
}

/**
 * About how many bytes `value` takes once serialized (strings by UTF-16 length, numbers as 8):
 * close enough to bound memory, and cheap. Infinity for a value nested deeper than `maxDepth`
 * (an in-process payload may be cyclic: see router/depth-guard.ts).
 */
export function approximateSize(value: unknown, maxDepth = 64): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 1;
    case 'object': {
      if (value === null) return 1;
      if (ArrayBuffer.isView(value)) return value.byteLength;
      if (maxDepth <= 0) return Number.POSITIVE_INFINITY;
      let n = 2;
      if (Array.isArray(value)) for (const x of value) n += approximateSize(x, maxDepth - 1) + 1;
      else for (const [k, x] of Object.entries(value)) n += k.length + 3 + approximateSize(x, maxDepth - 1);
      return n;
    }
    default:
      return 0;
  }
}
