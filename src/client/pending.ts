// One generic map of outstanding requests: each role keeps one per request type. A reply
// settles its entry; `[ERROR, requestType, id, ...]` rejects it; losing the session rejects all.
import { WampError } from '../wamp/errors';
import type { ErrorMessage } from '../wamp/messages';
import { payloadOf } from '../wamp/messages';

export interface PendingEntry<T> {
  resolve(value: T): void;
  reject(error: WampError): void;
}

/** The WampError an ERROR message carries. */
export function errorFromMessage(msg: ErrorMessage): WampError {
  const { args, kwargs } = payloadOf(msg, 5);
  return new WampError(msg[4], args ?? [], kwargs ?? {}, msg[3]);
}

export class PendingMap<T, E extends PendingEntry<T> = PendingEntry<T>> {
  private readonly entries = new Map<number, E>();

  /** @param requestType the message type whose ERROR replies this map receives. */
  constructor(readonly requestType: number) {}

  add(id: number, entry: E): void {
    this.entries.set(id, entry);
  }

  get(id: number): E | undefined {
    return this.entries.get(id);
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  /** Removes and returns the entry, so that each request settles once. */
  take(id: number): E | undefined {
    const e = this.entries.get(id);
    if (e) this.entries.delete(id);
    return e;
  }

  resolve(id: number, value: T): boolean {
    const e = this.take(id);
    e?.resolve(value);
    return e !== undefined;
  }

  /** Settles the request an ERROR message answers; false if no such request is outstanding. */
  rejectWith(msg: ErrorMessage): boolean {
    const e = this.take(msg[2]);
    e?.reject(errorFromMessage(msg));
    return e !== undefined;
  }

  rejectAll(error: WampError): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) e.reject(error);
  }

  get size(): number {
    return this.entries.size;
  }
}
