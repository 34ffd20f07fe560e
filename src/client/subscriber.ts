// The subscriber role. Subscribing again to the same topic with the same options shares one
// WAMP subscription: each subscribe() gets its own handle, the last handle to go unsubscribes.
import type { WampError } from '../wamp/errors';
import {
  MessageType,
  payloadOf,
  type Dict,
  type ErrorMessage,
  type EventMessage,
  type SubscribedMessage,
  type UnsubscribedMessage,
} from '../wamp/messages';
import { PendingMap, type PendingEntry } from './pending';
import { cleanDict, trySend, type RoleContext } from './role';
import type { EventHandler, EventInfo, SubscribeOptions, Subscription } from './types';

interface SubEntry {
  id: number;
  topic: string;
  keys: Set<string>;
  handles: Set<SessionSubscription>;
  /** Set while UNSUBSCRIBE is in flight: a new subscribe() waits for it, then subscribes afresh. */
  closing: Promise<void> | null;
}

interface Waiter {
  handle: SessionSubscription;
  resolve(s: Subscription): void;
  reject(e: WampError): void;
}

interface SubscribeEntry extends PendingEntry<number> {
  key: string;
  topic: string;
  waiters: Waiter[];
}

class SessionSubscription implements Subscription {
  entry: SubEntry | null = null;

  constructor(
    private readonly subscriber: Subscriber,
    readonly topic: string,
    readonly handler: EventHandler,
  ) {}

  get id(): number | undefined {
    return this.entry && this.subscriber.isActive(this.entry) ? this.entry.id : undefined;
  }

  unsubscribe(): Promise<void> {
    return this.subscriber.unsubscribe(this);
  }
}

function keyOf(topic: string, options: Dict): string {
  return JSON.stringify([
    topic,
    Object.keys(options)
      .sort()
      .map((k) => [k, options[k]]),
  ]);
}

export class Subscriber {
  private readonly subscribing = new PendingMap<number, SubscribeEntry>(MessageType.SUBSCRIBE);
  private readonly unsubscribing = new PendingMap<void>(MessageType.UNSUBSCRIBE);
  private readonly inflight = new Map<string, SubscribeEntry>();
  private readonly byKey = new Map<string, SubEntry>();
  private readonly byId = new Map<number, SubEntry>();

  constructor(private readonly ctx: RoleContext) {}

  isActive(entry: SubEntry): boolean {
    return this.byId.get(entry.id) === entry;
  }

  async subscribe(
    topic: string,
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const wire = cleanDict(options);
    const key = keyOf(topic, wire);
    for (;;) {
      if (!this.ctx.isOpen) throw this.ctx.closedError();
      const existing = this.byKey.get(key);
      if (!existing) break;
      if (!existing.closing) {
        const handle = new SessionSubscription(this, topic, handler);
        this.attach(existing, handle);
        return handle;
      }
      await existing.closing.catch(() => undefined);
    }
    const handle = new SessionSubscription(this, topic, handler);
    return new Promise<Subscription>((resolve, reject) => {
      const waiter: Waiter = { handle, resolve, reject };
      const pending = this.inflight.get(key);
      if (pending) {
        pending.waiters.push(waiter);
        return;
      }
      const id = this.ctx.nextId();
      const entry: SubscribeEntry = {
        key,
        topic,
        waiters: [waiter],
        resolve: () => undefined,
        reject: (e) => {
          this.inflight.delete(key);
          for (const w of entry.waiters) w.reject(e);
        },
      };
      this.inflight.set(key, entry);
      this.subscribing.add(id, entry);
      const failed = trySend(this.ctx, [MessageType.SUBSCRIBE, id, wire, topic]);
      if (failed) this.subscribing.take(id)?.reject(failed);
    });
  }

  private attach(sub: SubEntry, handle: SessionSubscription): void {
    handle.entry = sub;
    sub.handles.add(handle);
  }

  onSubscribed(msg: SubscribedMessage): void {
    const pending = this.subscribing.take(msg[1]);
    if (!pending) return this.ctx.violation(`SUBSCRIBED for unknown request ${msg[1]}`);
    this.inflight.delete(pending.key);
    // The router gives the same ID to the same topic and match: join an entry that exists.
    let sub = this.byId.get(msg[2]);
    if (!sub) {
      sub = { id: msg[2], topic: pending.topic, keys: new Set(), handles: new Set(), closing: null };
      this.byId.set(sub.id, sub);
    }
    sub.keys.add(pending.key);
    this.byKey.set(pending.key, sub);
    // Attach before resolving: an EVENT may follow SUBSCRIBED before the promise continuations run.
    for (const w of pending.waiters) this.attach(sub, w.handle);
    for (const w of pending.waiters) w.resolve(w.handle);
  }

  unsubscribe(handle: SessionSubscription): Promise<void> {
    const sub = handle.entry;
    handle.entry = null;
    if (!sub || !this.isActive(sub)) return Promise.resolve();
    sub.handles.delete(handle);
    if (sub.handles.size > 0) return Promise.resolve();
    if (sub.closing) return sub.closing;
    if (!this.ctx.isOpen) {
      this.drop(sub);
      return Promise.resolve();
    }
    const id = this.ctx.nextId();
    sub.closing = new Promise<void>((resolve, reject) => {
      this.unsubscribing.add(id, {
        resolve: () => {
          this.drop(sub);
          resolve();
        },
        // The router refused (e.g. no_such_subscription): it is gone either way.
        reject: (e) => {
          this.drop(sub);
          reject(e);
        },
      });
    });
    this.ctx.send([MessageType.UNSUBSCRIBE, id, sub.id]);
    return sub.closing;
  }

  private drop(sub: SubEntry): void {
    if (this.byId.get(sub.id) === sub) this.byId.delete(sub.id);
    for (const k of sub.keys) if (this.byKey.get(k) === sub) this.byKey.delete(k);
  }

  onUnsubscribed(msg: UnsubscribedMessage): void {
    if (msg[1] === 0) {
      const details: Dict = msg[2] ?? {};
      const sub = typeof details.subscription === 'number' ? this.byId.get(details.subscription) : undefined;
      if (sub) {
        this.drop(sub);
        for (const h of sub.handles) h.entry = null;
        this.ctx.revoked('subscription', sub.id, details);
      }
      return;
    }
    if (!this.unsubscribing.resolve(msg[1], undefined))
      this.ctx.violation(`UNSUBSCRIBED for unknown request ${msg[1]}`);
  }

  onError(msg: ErrorMessage): void {
    const map = msg[1] === MessageType.SUBSCRIBE ? this.subscribing : this.unsubscribing;
    if (!map.rejectWith(msg)) this.ctx.violation(`ERROR for unknown request ${msg[2]}`);
  }

  onEvent(msg: EventMessage): void {
    const sub = this.byId.get(msg[1]);
    // Events may still arrive between our UNSUBSCRIBE and its UNSUBSCRIBED.
    if (!sub) return;
    const { args, kwargs } = payloadOf(msg, 4);
    const details = msg[3];
    const event: EventInfo = {
      args: args ?? [],
      kwargs: kwargs ?? {},
      details,
      topic: details.topic ?? sub.topic,
      publicationId: msg[2],
    };
    for (const h of [...sub.handles]) {
      try {
        h.handler(event);
      } catch {
        // One application handler failing must not keep the event from the others.
      }
    }
  }

  close(error: WampError): void {
    this.subscribing.rejectAll(error);
    this.unsubscribing.rejectAll(error);
    this.inflight.clear();
    for (const sub of this.byId.values()) for (const h of sub.handles) h.entry = null;
    this.byId.clear();
    this.byKey.clear();
  }
}
