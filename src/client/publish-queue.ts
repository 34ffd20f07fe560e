// The publications a Connection holds while disconnected (opt-in, as `mqtt out` queues while
// offline): bounded by count and by bytes, the oldest dropped first, sent in order on the next
// session. Each held publication's promise settles when it is sent, dropped or given up.
import { ErrorUri, WampError } from '../wamp/errors';
import type { PublishOptions, PublishResult } from './types';

export interface QueuedPublish {
  topic: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  options?: PublishOptions;
  bytes: number;
  resolve(r: PublishResult): void;
  reject(e: WampError): void;
}

export type DropReason = 'count' | 'bytes';

/** A publication's size for the byte bound: its JSON length, binary counted as its bytes. */
export function publishSize(topic: string, args?: unknown[], kwargs?: Record<string, unknown>): number {
  let binary = 0;
  try {
    const json = JSON.stringify([topic, args ?? [], kwargs ?? {}], (_k, v: unknown) => {
      // A Buffer arrives here already as {type: 'Buffer', data: [...]} (its toJSON).
      const b = v as { type?: unknown; data?: unknown };
      if (b && b.type === 'Buffer' && Array.isArray(b.data)) {
        binary += b.data.length;
        return 0;
      }
      if (ArrayBuffer.isView(v)) {
        binary += v.byteLength;
        return 0;
      }
      return v;
    });
    return Buffer.byteLength(json) + binary;
  } catch {
    return 0; // not serializable: the publish fails when it is sent
  }
}

export class PublishQueue {
  private items: QueuedPublish[] = [];
  private bytes = 0;
  /** Publications dropped since the queue was made. */
  dropped = 0;

  /**
   * `maxCount` 0: no queue (publishing while disconnected is refused by the caller);
   * `maxBytes` 0: no byte bound. `onDrop` hears of each dropped publication.
   */
  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
    private readonly onDrop: (topic: string, reason: DropReason, queued: number) => void,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Holds a publication for the next session; drops the oldest beyond the bounds. */
  add(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    const bytes = this.maxBytes > 0 ? publishSize(topic, args, kwargs) : 0;
    if (this.maxBytes > 0 && bytes > this.maxBytes) {
      // Alone larger than the whole queue: refused, without pushing out what is already held.
      this.dropped++;
      this.onDrop(topic, 'bytes', this.items.length);
      return Promise.reject(
        new WampError(ErrorUri.CONNECTION_LOST, [
          `publish dropped: larger (${bytes} bytes) than the queue while disconnected (${this.maxBytes} bytes)`,
        ]),
      );
    }
    return new Promise<PublishResult>((resolve, reject) => {
      this.items.push({ topic, args, kwargs, options, bytes, resolve, reject });
      this.bytes += bytes;
      while (this.items.length > this.maxCount || (this.maxBytes > 0 && this.bytes > this.maxBytes)) {
        const reason: DropReason = this.items.length > this.maxCount ? 'count' : 'bytes';
        const oldest = this.items.shift()!;
        this.bytes -= oldest.bytes;
        this.dropped++;
        const bound = reason === 'count' ? `${this.maxCount} publications` : `${this.maxBytes} bytes`;
        oldest.reject(
          new WampError(ErrorUri.CONNECTION_LOST, [
            `publish dropped: the queue while disconnected is full (${bound})`,
          ]),
        );
        this.onDrop(oldest.topic, reason, this.items.length);
      }
    });
  }

  /** Empties the queue and returns what it held, oldest first. */
  take(): QueuedPublish[] {
    const held = this.items;
    this.items = [];
    this.bytes = 0;
    return held;
  }

  /** Sends what is held on a fresh session, oldest first; each promise settles with its send. */
  flush(session: {
    publish(
      topic: string,
      args?: unknown[],
      kwargs?: Record<string, unknown>,
      options?: PublishOptions,
    ): Promise<PublishResult>;
  }): void {
    for (const q of this.take())
      session.publish(q.topic, q.args, q.kwargs, q.options).then(q.resolve, q.reject);
  }

  /** Rejects everything held: nothing will send it. */
  rejectAll(reason: string): void {
    for (const q of this.take()) q.reject(new WampError(ErrorUri.CONNECTION_LOST, [reason]));
  }
}
