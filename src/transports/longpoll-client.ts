// The client side of WAMP over HTTP long-poll: `open` negotiates the protocol and yields a
// transport id; one `receive` request is always outstanding (the router holds it until it has
// messages), and `send` requests go one at a time so that messages arrive in order (batched
// protocols carry everything queued meanwhile in one request).
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { Serializer } from '../serializers';
import { Dispatch } from './dispatch';
import {
  contentType,
  decodeBody,
  encodeRecord,
  longPollProtocol,
  type LongPollProtocol,
} from './longpoll-framing';
import type { Transport, TransportHandlers, TransportInfo } from './transport';

export interface LongPollClientOptions {
  /** The base URL, e.g. `http://127.0.0.1:8080/ws`. */
  url: string;
  serializer: Serializer;
  /** Offer the batched protocol first (the router may still choose unbatched). Default true. */
  batched?: boolean;
  tls?: tls.ConnectionOptions;
  /** For `open`. */
  timeoutMs: number;
  /** Longest accepted answer in bytes. */
  maxPayload: number;
  /** A `receive` unanswered for this long means the router is gone. Default 45 s. */
  receiveTimeoutMs?: number;
}

interface Answer {
  status: number;
  body: Buffer;
}

/** How long the final `close` request and pending sends may take when closing. */
const CLOSE_TIMEOUT_MS = 2000;
const DEFAULT_RECEIVE_TIMEOUT_MS = 45_000;

class HttpPoster {
  private readonly agent: http.Agent;

  constructor(
    private readonly base: URL,
    private readonly options: LongPollClientOptions,
  ) {
    const secure = base.protocol === 'https:';
    // Two connections: the held receive and the sends.
    const agentOptions = { keepAlive: true, maxSockets: 2 };
    this.agent = secure ? new https.Agent({ ...agentOptions, ...options.tls }) : new http.Agent(agentOptions);
  }

  post(path: string, body: Buffer | null, timeoutMs: number, contentType: string): Promise<Answer> {
    const url = new URL(this.base.href);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${path}`;
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        agent: this.agent,
        headers: { 'Content-Type': contentType, 'Content-Length': body ? body.length : 0 },
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${timeoutMs} ms (timeout)`));
      }, timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.options.maxPayload) {
            req.destroy(
              new Error(`answer over the maximum message size of ${this.options.maxPayload} bytes`),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on('error', () => {});
      });
      req.end(body ?? undefined);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}

function describe(answer: Answer): string {
  const text = answer.body.toString('utf8').trim().slice(0, 300);
  return `HTTP ${answer.status}${text ? `: ${text}` : ''}`;
}

class LongPollClientTransport implements Transport {
  readonly info: TransportInfo;
  private readonly dispatch = new Dispatch();
  private readonly outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private sending = false;
  private closing = false;
  private drained: (() => void) | null = null;
  private readonly contentType: string;

  constructor(
    private readonly poster: HttpPoster,
    private readonly protocol: LongPollProtocol,
    private readonly receiveTimeoutMs: number,
    secure: boolean,
  ) {
    this.info = { type: 'longpoll', serializer: protocol.serializer.id, secure };
    this.contentType = contentType(protocol);
    void this.receiveLoop();
  }

  get isOpen(): boolean {
    return !this.closing;
  }

  get bufferedAmount(): number {
    return this.outgoingBytes;
  }

  attach(handlers: TransportHandlers): void {
    this.dispatch.attach(handlers);
  }

  send(message: readonly unknown[]): void {
    if (this.closing) return;
    const record = encodeRecord(this.protocol, message);
    this.outgoing.push(record);
    this.outgoingBytes += record.length;
    if (!this.sending) void this.sendLoop();
  }

  close(code = 1000, reason = 'closed'): void {
    if (this.closing || this.dispatch.closed) return;
    this.closing = true;
    // What was sent before closing (a GOODBYE, an ABORT) still goes out first.
    const drained = this.sending
      ? new Promise<void>((resolve) => (this.drained = resolve))
      : Promise.resolve();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
    void Promise.race([drained, timeout])
      .then(() => this.poster.post('close', null, CLOSE_TIMEOUT_MS, this.contentType))
      .catch(() => undefined)
      .then(() => this.finish({ reason, code, local: true }));
  }

  private async sendLoop(): Promise<void> {
    this.sending = true;
    while (this.outgoing.length > 0 && !this.dispatch.closed) {
      const count = this.protocol.batched ? this.outgoing.length : 1;
      const records = this.outgoing.splice(0, count);
      const body = records.length === 1 ? records[0] : Buffer.concat(records);
      this.outgoingBytes -= body.length;
      try {
        const answer = await this.poster.post('send', body, this.receiveTimeoutMs, this.contentType);
        if (answer.status !== 204 && answer.status !== 200 && answer.status !== 202) {
          this.fail(`send refused with ${describe(answer)}`, answer.status === 404 ? 1000 : 1002);
          break;
        }
      } catch (e) {
        this.fail(`send failed: ${(e as Error).message}`, 1006);
        break;
      }
    }
    this.sending = false;
    this.drained?.();
    this.drained = null;
  }

  private async receiveLoop(): Promise<void> {
    while (!this.closing && !this.dispatch.closed) {
      let answer: Answer;
      try {
        answer = await this.poster.post('receive', null, this.receiveTimeoutMs, this.contentType);
      } catch (e) {
        if (!this.closing) this.fail(`receive failed: ${(e as Error).message}`, 1006);
        return;
      }
      // Closing on our side: the router answers the held receive with 404, which is expected.
      if (this.closing) return;
      if (answer.status === 200) {
        if (answer.body.length === 0) continue;
        for (const result of decodeBody(this.protocol, answer.body)) {
          if (result.ok) this.dispatch.message(result.value);
          else this.dispatch.decodeError(result.error);
        }
      } else if (answer.status === 404) {
        // The router closed the transport (after delivering its last messages).
        this.fail(answer.body.toString('utf8').trim() || 'transport closed by the router', 1000, false);
        return;
      } else if (answer.status !== 204) {
        this.fail(`receive refused with ${describe(answer)}`, 1002);
        return;
      }
    }
  }

  private fail(reason: string, code: number, local = false): void {
    if (this.dispatch.closed) return;
    this.closing = true;
    this.finish({ reason, code, local });
  }

  private finish(info: { reason: string; code: number; local: boolean }): void {
    this.outgoing.length = 0;
    this.outgoingBytes = 0;
    this.poster.destroy();
    this.dispatch.close(info);
  }
}

/** Opens a long-poll transport; rejects with the cause (the caller adds the URL). */
export async function openLongPoll(options: LongPollClientOptions): Promise<Transport> {
  const base = new URL(options.url);
  base.search = '';
  base.hash = '';
  const secure = base.protocol === 'https:';
  const serializerProtocol = options.serializer.protocol;
  const offered =
    options.batched === false ? [serializerProtocol] : [`${serializerProtocol}.batched`, serializerProtocol];
  const poster = new HttpPoster(base, options);
  let answer: Answer;
  try {
    answer = await poster.post(
      'open',
      Buffer.from(JSON.stringify({ protocols: offered })),
      options.timeoutMs,
      'application/json; charset=utf-8',
    );
  } catch (e) {
    poster.destroy();
    throw e;
  }
  const refuse = (why: string): never => {
    poster.destroy();
    throw new Error(why);
  };
  if (answer.status !== 200) return refuse(`long-poll open refused with ${describe(answer)}`);
  let chosen: unknown;
  let id: unknown;
  try {
    ({ protocol: chosen, transport: id } = JSON.parse(answer.body.toString('utf8')) as Record<
      string,
      unknown
    >);
  } catch {
    return refuse('long-poll open answered with something other than JSON');
  }
  const protocol =
    typeof chosen === 'string' && offered.includes(chosen) ? longPollProtocol(chosen) : undefined;
  if (!protocol)
    return refuse(`long-poll open chose protocol ${JSON.stringify(chosen)}, which was not offered`);
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(id))
    return refuse(`long-poll open answered with an unusable transport id ${JSON.stringify(id)}`);
  const transportBase = new URL(base.href);
  transportBase.pathname = `${base.pathname.replace(/\/$/, '')}/${id}`;
  const transportPoster = new HttpPoster(transportBase, options);
  poster.destroy();
  return new LongPollClientTransport(
    transportPoster,
    protocol,
    options.receiveTimeoutMs ?? DEFAULT_RECEIVE_TIMEOUT_MS,
    secure,
  );
}
