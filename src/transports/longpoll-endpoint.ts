// WAMP over HTTP long-poll (the advanced profile's "HTTP Longpoll Transport"), served under a
// base path that is the WebSocket URL's http(s) twin: `POST <base>/open` with
// `{"protocols": [...]}` answers `{"protocol", "transport"}`; then `POST <base>/<transport>/send`
// (204), `.../receive` (200 with messages, 204 when the request timeout passes empty) and
// `.../close` (204). Unknown or closed transports get 404, bodies over the maximum message size
// 413, requests from disallowed web origins 403; allowed cross-origin pages get CORS headers.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SerializerId } from '../serializers';
import { longPollProtocol, type LongPollProtocol } from './longpoll-framing';
import { LongPollSession, type LongPollLimits } from './longpoll-session';
import type { OriginPolicy } from './origin';
import { refuseRequest } from './origin';
import type { Transport } from './transport';

export interface LongPollOptions {
  /** How long a `receive` is held when nothing is pending, default 10 s. */
  requestTimeoutMs?: number;
  /** A client that has not polled for this long is dropped as lost, default 30 s. */
  sessionTimeoutMs?: number;
  /** Most messages waiting for a client's `receive`, default 10000; more end its session. */
  maxQueuedMessages?: number;
  /** Most bytes waiting for a client's `receive`, default 8 MiB; more end its session. */
  maxQueuedBytes?: number;
  /** Most long-poll transports open at once, default 10000. */
  maxTransports?: number;
}

export interface LongPollEndpointOptions extends LongPollOptions {
  serializers: readonly SerializerId[];
  maxPayload: number;
  origins: OriginPolicy;
  log?: (message: string) => void;
}

/** 128 random bits: a transport id is the only credential of its requests. */
const ID_BYTES = 16;
/** An `open` body is a small JSON object. */
const MAX_OPEN_BODY = 64 * 1024;
/** Closed ids remembered so that their last requests learn why. */
const MAX_REMEMBERED_CLOSED = 1000;

type BodyResult = { ok: true; body: Buffer } | { ok: false };

export class LongPollEndpoint {
  private readonly transports = new Map<string, LongPollSession>();
  private readonly recentlyClosed = new Map<string, string>();
  private readonly limits: LongPollLimits;
  private readonly maxTransports: number;
  private closed = false;

  constructor(
    private readonly options: LongPollEndpointOptions,
    private readonly onTransport: (t: Transport) => void,
  ) {
    this.limits = {
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      maxQueuedMessages: options.maxQueuedMessages ?? 10_000,
      maxQueuedBytes: options.maxQueuedBytes ?? 8 * 1024 * 1024,
    };
    this.maxTransports = options.maxTransports ?? 10_000;
  }

  get size(): number {
    return this.transports.size;
  }

  /** `rest` is the path after the base, e.g. `/open` or `/<id>/receive`. */
  handle(req: IncomingMessage, res: ServerResponse, rest: string): void {
    const origins = this.options.origins;
    if (!origins.allows(req)) {
      origins.refused(req, 'a long-poll request');
      drain(req);
      refuseRequest(res);
      return;
    }
    if (origins.isCrossOrigin(req)) corsHeaders(req, res);
    if (req.method === 'OPTIONS') {
      // Preflight: the browser asks before a POST with a JSON content type.
      drain(req);
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'content-type',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      drain(req);
      plain(res, 405, 'WAMP long-poll endpoint: use POST\n', { Allow: 'POST, OPTIONS' });
      return;
    }
    if (this.closed) {
      drain(req);
      plain(res, 503, 'router closing\n');
      return;
    }
    const parts = rest.split('/').filter((p) => p !== '');
    if (parts.length === 1 && parts[0] === 'open') {
      this.open(req, res);
      return;
    }
    if (parts.length !== 2 || !['send', 'receive', 'close'].includes(parts[1])) {
      drain(req);
      plain(res, 404, 'no WAMP long-poll endpoint at this path\n');
      return;
    }
    const session = this.transports.get(parts[0]);
    if (!session) {
      drain(req);
      const reason = this.recentlyClosed.get(parts[0]);
      plain(res, 404, reason ? `transport closed: ${reason}\n` : 'no such transport\n');
      return;
    }
    switch (parts[1]) {
      case 'receive':
        drain(req);
        session.poll(res);
        return;
      case 'close':
        drain(req);
        session.closedByClient();
        res.writeHead(204);
        res.end();
        return;
      default:
        void readBody(req, res, this.options.maxPayload).then((r) => {
          if (!r.ok) return;
          if (!session.isOpen) {
            plain(res, 404, `transport closed: ${session.closeReason ?? 'closed'}\n`);
            return;
          }
          if (session.received(r.body)) {
            res.writeHead(204);
            res.end();
          } else plain(res, 400, 'not a WAMP message in the negotiated serialization\n');
        });
    }
  }

  /** Closes every transport (the router says why to each session first). */
  close(code = 1001, reason = 'server shutdown'): void {
    this.closed = true;
    for (const session of [...this.transports.values()]) session.close(code, reason);
  }

  private open(req: IncomingMessage, res: ServerResponse): void {
    void readBody(req, res, Math.min(MAX_OPEN_BODY, this.options.maxPayload)).then((r) => {
      if (!r.ok) return;
      const offered = offeredProtocols(r.body);
      if (typeof offered === 'string') {
        plain(res, 400, `${offered}\n`);
        return;
      }
      const protocol = this.choose(offered);
      if (!protocol) {
        const ours = this.supported().join(', ');
        plain(res, 400, `no supported WAMP protocol offered; this router speaks ${ours}\n`);
        return;
      }
      if (this.transports.size >= this.maxTransports) {
        this.options.log?.('refusing a long-poll transport: too many open');
        plain(res, 503, 'too many long-poll transports\n');
        return;
      }
      const id = randomBytes(ID_BYTES).toString('base64url');
      const session = new LongPollSession(
        id,
        protocol,
        this.limits,
        {
          secure: (req.socket as Partial<TLSSocket>).encrypted === true,
          remoteAddress: req.socket.remoteAddress,
          remotePort: req.socket.remotePort,
        },
        (s) => this.forget(s),
        this.options.log,
      );
      this.transports.set(id, session);
      const answer = JSON.stringify({ protocol: protocol.name, transport: id });
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(answer),
        'Cache-Control': 'no-store',
      });
      res.end(answer);
      this.onTransport(session);
    });
  }

  /** The client's first offered protocol that we speak: the client lists by preference. */
  private choose(offered: readonly string[]): LongPollProtocol | undefined {
    for (const name of offered) {
      const protocol = longPollProtocol(name);
      if (protocol && this.options.serializers.includes(protocol.serializer.id)) return protocol;
    }
    return undefined;
  }

  private supported(): string[] {
    return this.options.serializers.flatMap((id) => [`wamp.2.${id}.batched`, `wamp.2.${id}`]);
  }

  private forget(session: LongPollSession): void {
    if (this.transports.get(session.id) !== session) return;
    this.transports.delete(session.id);
    if (this.recentlyClosed.size >= MAX_REMEMBERED_CLOSED) {
      const oldest = this.recentlyClosed.keys().next().value;
      if (oldest !== undefined) this.recentlyClosed.delete(oldest);
    }
    this.recentlyClosed.set(session.id, session.closeReason ?? 'closed');
  }
}

function offeredProtocols(body: Buffer): string[] | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the open request body must be JSON: {"protocols": ["wamp.2.json", ...]}';
  }
  const protocols = (value as { protocols?: unknown } | null)?.protocols;
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray(protocols) ||
    !protocols.every((p) => typeof p === 'string')
  )
    return 'the open request body must be {"protocols": [<string>, ...]}';
  return protocols as string[];
}

function corsHeaders(req: IncomingMessage, res: ServerResponse): void {
  // Autobahn|JS sends its requests with credentials, which rules out a wildcard answer.
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Vary', 'Origin');
}

function plain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Reads and discards a body we have no use for, so the connection can carry the next request. */
function drain(req: IncomingMessage): void {
  req.resume();
}

/** The request body, or a 413 answer (and the connection closed) once it exceeds `limit`. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<BodyResult> {
  const tooLarge = (): BodyResult => {
    plain(res, 413, `request body over the maximum message size of ${limit} bytes\n`, {
      Connection: 'close',
    });
    // Stop reading: the rest of an oversized body is not worth receiving.
    res.once('finish', () => req.socket.destroySoon?.());
    return { ok: false };
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(tooLarge());
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult): void => {
      if (done) return;
      done = true;
      resolve(r);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, body: Buffer.concat(chunks, size) }));
    req.on('error', () => finish({ ok: false }));
    req.on('close', () => finish({ ok: false }));
  });
}
