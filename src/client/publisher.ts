// The publisher role: PUBLISH, and PUBLISHED when acknowledged.
import { MessageType, payload, type ErrorMessage, type PublishedMessage } from '../wamp/messages';
import type { WampError } from '../wamp/errors';
import { PendingMap } from './pending';
import { cleanDict, trySend, type RoleContext } from './role';
import type { PublishOptions, PublishResult } from './types';

export class Publisher {
  private readonly acks = new PendingMap<PublishResult>(MessageType.PUBLISH);

  constructor(private readonly ctx: RoleContext) {}

  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    if (!this.ctx.isOpen) return Promise.reject(this.ctx.closedError());
    const id = this.ctx.nextId();
    const acked =
      options.acknowledge === true
        ? new Promise<PublishResult>((resolve, reject) => this.acks.add(id, { resolve, reject }))
        : null;
    const failed = trySend(this.ctx, [
      MessageType.PUBLISH,
      id,
      cleanDict({ ...options }),
      topic,
      ...payload(args, kwargs),
    ]);
    if (failed) {
      this.acks.take(id)?.reject(failed);
      return acked ?? Promise.reject(failed);
    }
    return acked ?? Promise.resolve({});
  }

  onPublished(msg: PublishedMessage): void {
    if (!this.acks.resolve(msg[1], { publicationId: msg[2] }))
      this.ctx.violation(`PUBLISHED for unknown request ${msg[1]}`);
  }

  onError(msg: ErrorMessage): void {
    // Unacknowledged publishes may still be refused; there is nobody waiting for those.
    this.acks.rejectWith(msg);
  }

  close(error: WampError): void {
    this.acks.rejectAll(error);
  }
}
