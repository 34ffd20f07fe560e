// Which web pages may reach the router. A browser names the page's origin in every WebSocket
// upgrade and every cross-origin request; without a check, any page a user visits could open
// ws://127.0.0.1:1880/wamp and call the flows' procedures. Non-browser clients send no Origin
// and are let through (they are not acting for some page); the router's own origin (Node-RED's
// editor and dashboards on the same host and port) is always allowed; other origins only when
// listed, `*` allowing any.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface OriginPolicyOptions {
  /** Origins allowed besides the router's own, e.g. `https://app.example.com`; `*` for any. */
  allowedOrigins?: readonly string[];
  /** Where a refused origin is reported (at most once a minute per origin). */
  log?: (message: string) => void;
}

/** `scheme://host[:port]` in lower case without a default port, or undefined if not an origin. */
export function normalizeOrigin(origin: string): string | undefined {
  const text = origin.trim().toLowerCase();
  if (text === 'null') return 'null';
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return `${url.protocol}//${url.host}`;
  } catch {
    return undefined;
  }
}

const LOG_INTERVAL_MS = 60_000;
const MAX_REMEMBERED = 100;

export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: Set<string>;
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly options: OriginPolicyOptions = {}) {
    const list = options.allowedOrigins ?? [];
    this.any = list.some((o) => o.trim() === '*');
    this.allowed = new Set(list.map(normalizeOrigin).filter((o): o is string => o !== undefined));
  }

  /** The request's Origin header, if a browser sent one. */
  static originOf(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    return typeof origin === 'string' && origin !== '' ? origin : undefined;
  }

  /**
   * Whether the request may proceed. Same-origin compares the host and port the browser
   * addressed (the Host header) with the page's: a TLS-terminating proxy in front changes the
   * scheme the router sees, not the host.
   */
  allows(req: IncomingMessage): boolean {
    const origin = OriginPolicy.originOf(req);
    if (origin === undefined || this.any) return true;
    const normalized = normalizeOrigin(origin);
    if (normalized === undefined) return false;
    if (this.allowed.has(normalized)) return true;
    const host = req.headers.host?.toLowerCase();
    if (!host || normalized === 'null') return false;
    const pageHost = normalized.slice(normalized.indexOf('//') + 2);
    return pageHost === host || pageHost === withoutDefaultPort(host);
  }

  /** Whether the answer needs CORS headers (a cross-origin page that is allowed). */
  isCrossOrigin(req: IncomingMessage): boolean {
    const origin = OriginPolicy.originOf(req);
    if (origin === undefined) return false;
    const normalized = normalizeOrigin(origin);
    const host = req.headers.host?.toLowerCase();
    return normalized === undefined || !host || !normalized.endsWith(`//${host}`);
  }

  /** Reports a refusal, once a minute per origin and kind of request, so that a hostile page cannot flood the log. */
  refused(req: IncomingMessage, what: string): void {
    const origin = OriginPolicy.originOf(req) ?? '(none)';
    const key = `${what} ${origin}`;
    const now = Date.now();
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return;
    if (this.lastLogged.size >= MAX_REMEMBERED) this.lastLogged.clear();
    this.lastLogged.set(key, now);
    this.options.log?.(
      `refused ${what} from origin ${JSON.stringify(origin)} (${req.socket.remoteAddress ?? 'unknown address'}): ` +
        "not the router's own origin and not in its allowed origins",
    );
  }
}

function withoutDefaultPort(host: string): string {
  return host.replace(/:(80|443)$/, '');
}

const FORBIDDEN_BODY = 'origin not allowed\n';

/** Refuses a WebSocket upgrade from a page whose origin is not allowed. */
export function refuseUpgrade(socket: Duplex): void {
  socket.end(
    'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(FORBIDDEN_BODY)}\r\n\r\n${FORBIDDEN_BODY}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Refuses a plain HTTP request (long-poll) from a page whose origin is not allowed. */
export function refuseRequest(res: ServerResponse): void {
  res.writeHead(403, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(FORBIDDEN_BODY),
  });
  res.end(FORBIDDEN_BODY);
}
