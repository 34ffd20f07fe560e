// A list or dict whose value is filled in on first read: a Proxy over a real (at first empty)
// target, so that Array.isArray, JSON, the binary encoders and Node's inspection see an ordinary
// value. Two kinds use it: MQTT payloads decoded on first read (mqtt/payload.ts) and the
// payloads a router received and passes on undecoded (serializers/undecoded-payload.ts).

/** What `special` answers for a key that is not one of its own. */
export const ORDINARY = Symbol('ordinary key');

export interface Lazy<T extends object> {
  /** Fills the target with its value; called before any read of it (does nothing once filled). */
  fill(target: T): void;
  /** The target is about to be written to: filled first, and no longer what it was made from. */
  changed(target: T): void;
  /** The answer for a key read without filling the value (the kind's own symbols), else ORDINARY. */
  special(target: T, key: string | symbol): unknown;
  /** The target's own bookkeeping keys, never shown as the value's. */
  hidden: readonly PropertyKey[];
}

/** A Proxy handler for targets of one lazy kind. */
export function lazyHandler<T extends object>(lazy: Lazy<T>): ProxyHandler<T> {
  const shown = (k: PropertyKey): boolean => !lazy.hidden.includes(k);
  return {
    get(t, key) {
      const answer = lazy.special(t, key);
      if (answer !== ORDINARY) return answer;
      // Any other symbol (another module's probe, Symbol.iterator) reads nothing the value holds.
      if (typeof key !== 'symbol') lazy.fill(t);
      return Reflect.get(t, key);
    },
    set(t, key, value) {
      lazy.changed(t);
      return Reflect.set(t, key, value);
    },
    has(t, key) {
      lazy.fill(t);
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      lazy.fill(t);
      return Reflect.ownKeys(t).filter(shown);
    },
    getOwnPropertyDescriptor(t, key) {
      lazy.fill(t);
      return shown(key) ? Reflect.getOwnPropertyDescriptor(t, key) : undefined;
    },
    defineProperty(t, key, descriptor) {
      lazy.changed(t);
      return Reflect.defineProperty(t, key, descriptor);
    },
    deleteProperty(t, key) {
      lazy.changed(t);
      return Reflect.deleteProperty(t, key);
    },
  };
}
