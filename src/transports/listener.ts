// One TCP port for all three WAMP transports: a connection whose first octet is RawSocket's
// magic 0x7F (which no HTTP request can start with) speaks RawSocket; anything else goes to an
// HTTP server that upgrades WebSocket requests at the configured path and serves HTTP
// long-poll under it (`<path>/open`, `<path>/<transport>/...`). With `tls`, the port speaks TLS
// first and the same choice is made on the decrypted stream. Browsers' requests (WebSocket and
// long-poll) are checked against the allowed web origins.
import * as http from 'node:http';
import type * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { SerializerId } from '../serializers';
import { ConnectionTracker } from './connections';
import { routeHttpRequests } from './http-routes';
import { LongPollEndpoint, type LongPollOptions } from './longpoll-endpoint';
import { OriginPolicy, refuseUpgrade } from './origin';
import type { KeepaliveOptions } from './keepalive';
import { acceptRawSocket, RAWSOCKET_MAGIC } from './rawsocket';
import type { Transport } from './transport';
import { refuseNotFound, WebSocketAcceptor, type VerifyClient } from './websocket-acceptor';

/** Where a connection comes from, for transports made outside this layer (MQTT). */
export interface StreamMeta {
  secure: boolean;
  remoteAddress?: string;
  remotePort?: number;
}

/**
 * Wraps an MQTT connection (TCP, or WebSocket with subprotocol `mqtt`) as a Transport. The MQTT
 * bridge lives above the transports; the listener only recognises the connection and hands it on.
 */
export type MqttAcceptor = (stream: Duplex, meta: StreamMeta) => Transport;

/** The fixed header of MQTT's CONNECT, the first packet of every MQTT connection. */
const MQTT_CONNECT = 0x10;

export interface ListenOptions extends KeepaliveOptions {
  /**
   * The router's own endpoints: a payload received reaches the router validated but undecoded,
   * and goes on in the bytes it came in (serializers/undecoded-payload.ts).
   */
  passPayloads?: boolean;
  /**
   * With passPayloads: the router's nesting limit for a whole message (limits.maxDepth). A payload
   * nested deeper is known to be refused as soon as the scanner reaches that depth, without
   * reading the rest of it (a hostile 16 MB `[[[[...` cost a second of CPU to scan in full).
   */
  maxDepth?: number;
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
  /** Also accept MQTT clients on this port (first octet 0x10) and on the WebSocket path. */
  mqtt?: MqttAcceptor;
  /** Web origins allowed besides the router's own (`*`: any); see `OriginPolicy`. */
  allowedOrigins?: readonly string[];
  /** HTTP long-poll timeouts and queue bounds. */
  longPoll?: LongPollOptions;
  /** Where refused origins and long-poll refusals are reported. */
  log?: (message: string) => void;
}

export interface AttachOptions extends KeepaliveOptions {
  /** As ListenOptions.passPayloads and maxDepth. */
  passPayloads?: boolean;
  maxDepth?: number;
  serializers?: SerializerId[];
  maxPayload?: number;
  /** Also accept MQTT over WebSocket (subprotocol `mqtt`) on the path. */
  mqtt?: MqttAcceptor;
  /**
   * Decides on each WebSocket upgrade before it is accepted, as `ws`'s `verifyClient` (Node-RED's
   * `webSocketNodeVerifyClient` setting is one).
   */
  verifyClient?: VerifyClient;
  allowedOrigins?: readonly string[];
  longPoll?: LongPollOptions;
  log?: (message: string) => void;
}

export interface Listener {
  readonly port: number;
  /** The WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly url: string;
  /** The HTTP long-poll base URL, the WebSocket URL's twin, e.g. `http://127.0.0.1:8080/ws`. */
  readonly longPollUrl: string;
  /** Closes the port and every connection on it. */
  close(): Promise<void>;
}

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
const ALL_SERIALIZERS: SerializerId[] = ['json', 'msgpack', 'cbor'];
/**
 * A connection must finish its opening (first octets, RawSocket handshake, or a complete HTTP
 * request) within this time, however it trickles its bytes.
 */
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
      mqtt: options.mqtt,
      passPayloads: options.passPayloads,
      maxDepth: options.maxDepth,
    },
    tracker,
    onTransport,
  );
  const origins = new OriginPolicy({ allowedOrigins: options.allowedOrigins, log: options.log });
  const longPoll = new LongPollEndpoint(
    { ...options.longPoll, serializers, maxPayload, origins, log: options.log },
    onTransport,
  );
  const longPollBase = `${path.endsWith('/') ? path.slice(0, -1) : path}/`;

  const httpServer = http.createServer((req, res) => {
    const reqPath = pathOf(req);
    if (reqPath.startsWith(longPollBase)) {
      // A held receive is quiet for up to the request timeout: the opening's idle limit would
      // cut it. It applies again between requests on a kept-alive connection.
      req.socket.setTimeout(0);
      res.once('finish', () => req.socket.setTimeout(HANDSHAKE_TIMEOUT_MS));
      // Answers are small and each is awaited by the client: Nagle's algorithm would hold them.
      req.socket.setNoDelay(true);
      longPoll.handle(req, res, reqPath.slice(longPollBase.length - 1));
      return;
    }
    // A plain GET on the WebSocket path is a client that forgot to upgrade.
    res.writeHead(reqPath === path ? 426 : 404, { 'Content-Type': 'text/plain' });
    res.end(reqPath === path ? 'WAMP WebSocket endpoint: upgrade required\n' : 'not found\n');
  });
  // A whole request has arrived: the opening deadline is over (HTTP has its own timeouts).
  const opened = new WeakMap<Duplex, NodeJS.Timeout>();
  const open = (socket: Duplex): void => clearTimeout(opened.get(socket));
  httpServer.on('request', (req: http.IncomingMessage) => open(req.socket));
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    open(socket);
    if (pathOf(req) !== path) refuseNotFound(socket);
    else if (!origins.allows(req)) {
      origins.refused(req, 'a WebSocket connection');
      refuseUpgrade(socket);
    } else acceptor.handleUpgrade(req, socket, head);
  });

  let closing: Promise<void> | null = null;
  const route = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    tracker.add(socket);
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => socket.destroy());
    // The idle timeout alone lets a peer trickle one byte at a time forever.
    const deadline = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
    opened.set(socket, deadline);
    socket.once('close', () => clearTimeout(deadline));
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
          passPayloads: options.passPayloads,
          maxDepth: options.maxDepth,
        }).then(
          (transport) => {
            socket.setTimeout(0);
            clearTimeout(deadline);
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
      } else if (first[0] === MQTT_CONNECT && options.mqtt) {
        // MQTT keeps its own CONNECT deadline and keep-alive: the opening's end here.
        socket.setTimeout(0);
        clearTimeout(deadline);
        socket.unshift(first);
        const transport = options.mqtt(socket, {
          secure,
          remoteAddress: socket.remoteAddress,
          remotePort: socket.remotePort,
        });
        tracker.bind(socket, transport);
        onTransport(transport);
        socket.resume();
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
    longPollUrl: `${secure ? 'https' : 'http'}://${urlHost(host)}:${port}${path}`,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        acceptor.close();
        longPoll.close();
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
 * Serves WAMP over WebSocket at `path` on an existing HTTP(S) server (e.g. Node-RED's own), and
 * HTTP long-poll under it. Upgrade requests and plain requests for other paths are left alone
 * for the server's other listeners.
 */
export function attachToHttpServer(
  server: http.Server | https.Server,
  path: string,
  options: AttachOptions,
  onTransport: (t: Transport) => void,
): { close(): void } {
  const tracker = new ConnectionTracker();
  const serializers = options.serializers ?? ALL_SERIALIZERS;
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const acceptor = new WebSocketAcceptor(
    {
      serializers,
      maxPayload,
      keepaliveMs: options.keepaliveMs,
      mqtt: options.mqtt,
      verifyClient: options.verifyClient,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs,
      passPayloads: options.passPayloads,
      maxDepth: options.maxDepth,
    },
    tracker,
    onTransport,
  );
  const origins = new OriginPolicy({ allowedOrigins: options.allowedOrigins, log: options.log });
  const longPoll = new LongPollEndpoint(
    { ...options.longPoll, serializers, maxPayload, origins, log: options.log },
    onTransport,
  );
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req) !== path) return;
    if (origins.allows(req)) acceptor.handleUpgrade(req, socket, head);
    else {
      origins.refused(req, 'a WebSocket connection');
      refuseUpgrade(socket);
    }
  };
  // First: it throws when another endpoint serves this path already.
  const unroute = routeHttpRequests(server, path, (req, res, rest) => longPoll.handle(req, res, rest));
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      unroute();
      acceptor.close();
      longPoll.close();
      void tracker.closeAll();
    },
  };
}
