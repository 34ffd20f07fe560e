// The client side: open a transport to a router from a URL. `ws://` and `wss://` speak
// WebSocket; `rs://host:port` and `rss://host:port` speak RawSocket over TCP or TLS; `http://`
// and `https://` speak HTTP long-poll (the base URL, the WebSocket URL's twin). The promise
// settles once the transport is open and handshaken, or fails with the URL and the cause.
import * as net from 'node:net';
import * as tls from 'node:tls';
import WebSocket from 'ws';
import { serializerById, type Serializer, type SerializerId } from '../serializers';
import { openLongPoll } from './longpoll-client';
import type { KeepaliveOptions } from './keepalive';
import { openRawSocket } from './rawsocket';
import type { Transport } from './transport';
import { createWebSocketTransport } from './websocket';

export interface ConnectOptions extends KeepaliveOptions {
  url: string;
  /** Default `json`. */
  serializer?: SerializerId;
  /** CA, client certificate, ...; the server certificate is verified unless `rejectUnauthorized: false`. */
  tls?: tls.ConnectionOptions;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Longest message in bytes either way, default 16 MiB: longer ones are refused with `wamp.error.payload_size_exceeded`. */
  maxPayload?: number;
  /** Long-poll only: offer the batched protocol first. Default true. */
  batched?: boolean;
}

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A readable cause for a socket-level failure. */
function describeCause(err: Error & { code?: string }): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset by the server';
  if (TLS_VERIFY_CODES.has(code)) return `TLS certificate verification failed: ${err.message} (${code})`;
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return `TLS error: ${err.message} (${code})`;
  return err.message;
}

function failure(url: string, cause: string): Error {
  return new Error(`Cannot connect to ${url}: ${cause}`);
}

function tlsServername(host: string): string | undefined {
  // SNI carries host names only.
  return net.isIP(host) ? undefined : host;
}

export function connectTransport(options: ConnectOptions): Promise<Transport> {
  const url = options.url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(failure(url, 'not a valid URL'));
  }
  const serializer = serializerById(options.serializer ?? 'json');
  if (!serializer) return Promise.reject(failure(url, `unknown serializer '${options.serializer}'`));
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  switch (parsed.protocol) {
    case 'ws:':
    case 'wss:':
      return connectWebSocket(url, parsed.protocol === 'wss:', serializer, timeoutMs, maxPayload, options);
    case 'rs:':
    case 'rss:':
      return connectRawSocket(url, parsed, serializer, timeoutMs, maxPayload, options);
    case 'http:':
    case 'https:':
      return connectLongPoll(url, parsed, serializer, timeoutMs, maxPayload, options);
    default:
      return Promise.reject(
        failure(url, `unsupported scheme '${parsed.protocol}' (use ws, wss, rs, rss, http or https)`),
      );
  }
}

function connectWebSocket(
  url: string,
  secure: boolean,
  serializer: Serializer,
  timeoutMs: number,
  maxPayload: number,
  options: ConnectOptions,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [serializer.protocol], {
      ...(secure ? options.tls : {}),
      maxPayload,
      perMessageDeflate: false,
    });
    let settled = false;
    const fail = (cause: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(failure(url, cause));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms (timeout)`), timeoutMs);
    ws.on('error', (err: Error & { code?: string }) => {
      if (/subprotocol/i.test(err.message))
        fail(`subprotocol ${serializer.protocol} not accepted (${err.message})`);
      else fail(describeCause(err));
    });
    ws.on('unexpected-response', (req, res) => {
      // Read a little of the body: this router explains a refusal there.
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 500) body += chunk;
      });
      const done = (): void => {
        req.destroy();
        const why = body.trim() ? `: ${body.trim().slice(0, 300)}` : '';
        const hint = res.statusCode === 400 ? ` (subprotocol ${serializer.protocol} not accepted?)` : '';
        fail(`WebSocket handshake refused with HTTP ${res.statusCode}${why || hint}`);
      };
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    ws.on('open', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        resolve(
          createWebSocketTransport(ws, {
            keepaliveMs: options.keepaliveMs,
            keepaliveTimeoutMs: options.keepaliveTimeoutMs,
            maxMessageSize: maxPayload,
            secure,
          }),
        );
      } catch (e) {
        ws.terminate();
        reject(failure(url, `subprotocol ${serializer.protocol} not accepted (${(e as Error).message})`));
      }
    });
  });
}

function connectRawSocket(
  url: string,
  parsed: URL,
  serializer: Serializer,
  timeoutMs: number,
  maxPayload: number,
  options: ConnectOptions,
): Promise<Transport> {
  const secure = parsed.protocol === 'rss:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(parsed.port);
  if (!parsed.port || !Number.isInteger(port))
    return Promise.reject(failure(url, 'a RawSocket URL needs a port (rs://host:port)'));
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ servername: tlsServername(host), ...options.tls, host, port })
      : net.connect({ host, port });
    let settled = false;
    const fail = (cause: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(failure(url, cause));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms (timeout)`), timeoutMs);
    // Kept for the socket's whole life: the transport reports errors through 'close'.
    socket.on('error', (err: Error & { code?: string }) => fail(describeCause(err)));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      openRawSocket(socket, {
        serializer,
        maxPayload,
        secure,
        keepaliveMs: options.keepaliveMs,
        keepaliveTimeoutMs: options.keepaliveTimeoutMs,
      }).then(
        (transport) => {
          if (settled) {
            transport.close();
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(transport);
        },
        (err: Error) => fail(err.message),
      );
    });
  });
}

function connectLongPoll(
  url: string,
  parsed: URL,
  serializer: Serializer,
  timeoutMs: number,
  maxPayload: number,
  options: ConnectOptions,
): Promise<Transport> {
  const secure = parsed.protocol === 'https:';
  return openLongPoll({
    url,
    serializer,
    batched: options.batched,
    tls: secure
      ? { servername: tlsServername(parsed.hostname.replace(/^\[(.*)\]$/, '$1')), ...options.tls }
      : undefined,
    timeoutMs,
    maxPayload,
  }).catch((err: Error & { code?: string }) => {
    throw failure(url, describeCause(err));
  });
}
