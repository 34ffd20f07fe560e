// One TCP port for both WAMP transports: a connection whose first octet is RawSocket's magic
// 0x7F (which no HTTP request can start with) speaks RawSocket; anything else goes to an HTTP
// server that upgrades WebSocket requests at the configured path. With `tls`, the port speaks
// TLS first and the same choice is made on the decrypted stream.
import * as http from 'node:http';
import type * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { SerializerId } from '../serializers';
import { ConnectionTracker } from './connections';
import type { KeepaliveOptions } from './keepalive';
import { acceptRawSocket, RAWSOCKET_MAGIC } from './rawsocket';
import type { Transport } from './transport';
import { refuseNotFound, WebSocketAcceptor } from './websocket-acceptor';

export interface ListenOptions extends KeepaliveOptions {
  /** Default 127.0.0.1: exposing the router on other interfaces is a deliberate choice. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** WebSocket path, default `/ws`. */
  path?: string;
  /** Default all three. */
  serializers?: SerializerId[];
  /**
   * Longest message in bytes, default 16 MiB: longer ones from a client fail its connection
   * (WebSocket 1009, RawSocket max length); longer ones to a client are not sent
   * (`wamp.error.payload_size_exceeded`).
   */
  maxPayload?: number;
  /** Key, certificate, ...: the port then serves wss:// and RawSocket over TLS. */
  tls?: tls.SecureContextOptions & tls.TlsOptions;
}

export interface AttachOptions extends KeepaliveOptions {
  serializers?: SerializerId[];
  maxPayload?: number;
}

export interface Listener {
  readonly port: number;
  /** The WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly url: string;
  /** Closes the port and every connection on it. */
  close(): Promise<void>;
}

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
const ALL_SERIALIZERS: SerializerId[] = ['json', 'msgpack', 'cbor'];
/** A connection must finish its opening (first octets, RawSocket handshake) within this time. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

function pathOf(req: http.IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return net.isIPv6(host) ? `[${host}]` : host;
}

export async function listen(options: ListenOptions, onTransport: (t: Transport) => void): Promise<Listener> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/ws';
  const serializers = options.serializers ?? ALL_SERIALIZERS;
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const secure = options.tls !== undefined;
  const tracker = new ConnectionTracker();
  const acceptor = new WebSocketAcceptor(
    {
      serializers,
      maxPayload,
      keepaliveMs: options.keepaliveMs,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs,
    },
    tracker,
    onTransport,
  );

  const httpServer = http.createServer((req, res) => {
    // A plain GET on the WebSocket path is a client that forgot to upgrade.
    res.writeHead(pathOf(req) === path ? 426 : 404, { 'Content-Type': 'text/plain' });
    res.end(pathOf(req) === path ? 'WAMP WebSocket endpoint: upgrade required\n' : 'not found\n');
  });
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req) === path) acceptor.handleUpgrade(req, socket, head);
    else refuseNotFound(socket);
  });

  let closing: Promise<void> | null = null;
  const route = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    tracker.add(socket);
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] === RAWSOCKET_MAGIC) {
        acceptRawSocket(socket, {
          serializers,
          maxPayload,
          secure,
          keepaliveMs: options.keepaliveMs,
          keepaliveTimeoutMs: options.keepaliveTimeoutMs,
          first,
        }).then(
          (transport) => {
            socket.setTimeout(0);
            if (closing) {
              transport.close(1001, 'server shutdown');
              return;
            }
            tracker.bind(socket, transport);
            onTransport(transport);
          },
          () => {
            // Refused or dropped during the handshake: the socket is already being closed.
          },
        );
      } else {
        // The idle timeout stays: this HTTP server never listens, so Node does not enforce its
        // header timeouts; `ws` clears the timeout on upgrade.
        socket.unshift(first);
        httpServer.emit('connection', socket);
        socket.resume();
      }
    });
  };

  let server: net.Server;
  // TLS only: the TCP sockets under the TLS ones, cut last on close (those still in the TLS
  // handshake belong to no transport yet).
  const rawSockets = new Set<net.Socket>();
  if (options.tls) {
    const tlsServer = tls.createServer({ handshakeTimeout: HANDSHAKE_TIMEOUT_MS, ...options.tls }, route);
    tlsServer.on('connection', (raw: net.Socket) => {
      rawSockets.add(raw);
      raw.on('error', () => {});
      raw.once('close', () => rawSockets.delete(raw));
    });
    tlsServer.on('tlsClientError', () => {
      // A failed TLS handshake: Node destroys the socket itself.
    });
    server = tlsServer;
  } else {
    server = net.createServer(route);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url: `${secure ? 'wss' : 'ws'}://${urlHost(host)}:${port}${path}`,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        acceptor.close();
        await tracker.closeAll();
        for (const raw of rawSockets) raw.destroy();
        httpServer.close();
        await serverClosed;
      })();
      return closing;
    },
  };
}

/**
 * Serves WAMP over WebSocket at `path` on an existing HTTP(S) server (e.g. Node-RED's own).
 * Upgrade requests for other paths are left alone for the server's other 'upgrade' listeners.
 */
export function attachToHttpServer(
  server: http.Server | https.Server,
  path: string,
  options: AttachOptions,
  onTransport: (t: Transport) => void,
): { close(): void } {
  const tracker = new ConnectionTracker();
  const acceptor = new WebSocketAcceptor(
    {
      serializers: options.serializers ?? ALL_SERIALIZERS,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      keepaliveMs: options.keepaliveMs,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs,
    },
    tracker,
    onTransport,
  );
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req) === path) acceptor.handleUpgrade(req, socket, head);
  };
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      acceptor.close();
      void tracker.closeAll();
    },
  };
}
