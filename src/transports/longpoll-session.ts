// The router's end of one long-poll transport: messages for the client wait in a bounded queue
// until a `receive` request is there to carry them; a `receive` with nothing to carry is held
// until something arrives or the request timeout passes. A client that stops polling is given
// up after the session timeout, as a lost connection. Closing keeps the queue readable for a
// short while so that a final ABORT or GOODBYE still reaches the client.
import type { ServerResponse } from 'node:http';
import { Dispatch } from './dispatch';
import { contentType, decodeBody, encodeRecord, type LongPollProtocol } from './longpoll-framing';
import type { Transport, TransportHandlers, TransportInfo } from './transport';

export interface LongPollLimits {
  /** How long a `receive` is held when nothing is pending; answered empty after. */
  requestTimeoutMs: number;
  /** A transport with no `receive` held for this long is closed as lost. */
  sessionTimeoutMs: number;
  /** Most messages waiting for a `receive`; more end the transport. */
  maxQueuedMessages: number;
  /** Most bytes waiting for a `receive`; more end the transport. */
  maxQueuedBytes: number;
}

/** How long a closed transport's last messages stay readable. */
const LINGER_MS = 5000;

export class LongPollSession implements Transport {
  readonly info: TransportInfo;
  private readonly dispatch = new Dispatch();
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private held: ServerResponse | null = null;
  private heldTimer: NodeJS.Timeout | null = null;
  private reaper: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private closing = false;
  /** Why the transport closed: told to a client that polls a closed transport. */
  closeReason: string | null = null;

  constructor(
    readonly id: string,
    readonly protocol: LongPollProtocol,
    private readonly limits: LongPollLimits,
    info: { secure: boolean; remoteAddress?: string; remotePort?: number },
    /** Called once the transport is closed and its last messages are collected or expired. */
    private readonly onGone: (session: LongPollSession) => void,
    private readonly log?: (message: string) => void,
  ) {
    this.info = { type: 'longpoll', serializer: protocol.serializer.id, ...info };
    this.armReaper();
  }

  get isOpen(): boolean {
    return !this.closing;
  }

  get bufferedAmount(): number {
    return this.queuedBytes;
  }

  attach(handlers: TransportHandlers): void {
    this.dispatch.attach(handlers);
  }

  send(message: readonly unknown[]): void {
    if (this.closing) return;
    const record = encodeRecord(this.protocol, message);
    this.queue.push(record);
    this.queuedBytes += record.length;
    if (this.queue.length > this.limits.maxQueuedMessages || this.queuedBytes > this.limits.maxQueuedBytes) {
      // The messages already queued still go out; the router learns at once.
      this.queue.pop();
      this.queuedBytes -= record.length;
      const over =
        this.queue.length >= this.limits.maxQueuedMessages
          ? `${this.limits.maxQueuedMessages} messages`
          : `${this.limits.maxQueuedBytes} bytes`;
      const reason = `long-poll outgoing queue overflow: more than ${over} waiting for the client to receive`;
      this.log?.(
        `closing the long-poll transport from ${this.info.remoteAddress ?? 'unknown address'}: ${reason}`,
      );
      this.end(reason, 1008);
      return;
    }
    // Answered on the next tick: the messages sent in this one leave together in a batch.
    if (this.held && this.queue.length === 1) setImmediate(() => this.flush());
  }

  close(code = 1000, reason = 'closed'): void {
    this.end(reason, code, true);
  }

  /** The body of a `send` request: each message goes up, an undecodable one as a decode error. */
  received(body: Buffer): boolean {
    this.armReaperIfIdle();
    let allDecoded = true;
    for (const result of decodeBody(this.protocol, body)) {
      if (result.ok) this.dispatch.message(result.value);
      else {
        allDecoded = false;
        this.dispatch.decodeError(result.error);
      }
    }
    return allDecoded;
  }

  /** A `receive` request: answered now if messages are pending, else held. */
  poll(res: ServerResponse): void {
    if (this.held) {
      // One receive is held at a time: a newer one means the client has given up the older.
      const older = this.held;
      this.clearHeld();
      this.answer(older, null);
    }
    this.clearReaper();
    if (this.queue.length > 0) {
      this.deliver(res);
      return;
    }
    if (this.closing) {
      this.answerClosed(res);
      return;
    }
    this.held = res;
    res.once('close', () => {
      if (this.held !== res) return;
      // The client gave up on this request (or lost its connection): wait for the next one.
      this.clearHeld();
      this.armReaper();
    });
    this.heldTimer = setTimeout(() => {
      if (this.held !== res) return;
      this.clearHeld();
      this.answer(res, null);
      this.armReaper();
    }, this.limits.requestTimeoutMs);
  }

  /** A `close` request: the client ends the transport. */
  closedByClient(): void {
    this.end('closed by the client', 1000, false);
  }

  private flush(): void {
    const res = this.held;
    if (!res || this.queue.length === 0) return;
    this.clearHeld();
    this.deliver(res);
  }

  private deliver(res: ServerResponse): void {
    // Batched: everything pending; unbatched: one message per request, as the spec says.
    const count = this.protocol.batched ? this.queue.length : 1;
    const records = this.queue.splice(0, count);
    let body: Buffer;
    if (records.length === 1) body = records[0];
    else body = Buffer.concat(records);
    this.queuedBytes -= body.length;
    this.answer(res, body);
    if (this.closing && this.queue.length === 0) this.gone();
    else this.armReaper();
  }

  private answer(res: ServerResponse, body: Buffer | null): void {
    if (res.writableEnded || res.destroyed) return;
    if (body === null) {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentType(this.protocol),
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  private answerClosed(res: ServerResponse): void {
    const text = `transport closed: ${this.closeReason ?? 'closed'}\n`;
    res.writeHead(404, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private end(reason: string, code: number, local = true): void {
    if (this.closing) return;
    this.closing = true;
    this.closeReason = reason;
    this.clearReaper();
    if (this.held && this.queue.length > 0) this.flush();
    else if (this.held) {
      const res = this.held;
      this.clearHeld();
      this.answerClosed(res);
    }
    this.dispatch.close({ reason, code, local });
    if (this.queue.length === 0) this.gone();
    else {
      this.lingerTimer = setTimeout(() => this.gone(), LINGER_MS);
      this.lingerTimer.unref();
    }
  }

  private gone(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.onGone(this);
  }

  private clearHeld(): void {
    this.held = null;
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = null;
  }

  private armReaperIfIdle(): void {
    if (!this.held) this.armReaper();
  }

  private armReaper(): void {
    this.clearReaper();
    if (this.closing) return;
    this.reaper = setTimeout(
      () =>
        this.end(`no receive request for ${this.limits.sessionTimeoutMs} ms (session timeout)`, 1006, false),
      this.limits.sessionTimeoutMs,
    );
    this.reaper.unref();
  }

  private clearReaper(): void {
    if (this.reaper) clearTimeout(this.reaper);
    this.reaper = null;
  }
}
