// The server side of the WebSocket opening handshake, for an HTTP upgrade request already known
// to be ours. A client that offers no WAMP subprotocol we speak is refused here, with HTTP 400,
// rather than accepted and dropped later.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import {
  createWebSocketStream,
  WebSocketServer,
  type VerifyClientCallbackAsync,
  type VerifyClientCallbackSync,
} from 'ws';
import { serializerById, type SerializerId } from '../serializers';
import type { ConnectionTracker } from './connections';
import type { KeepaliveOptions } from './keepalive';
import type { MqttAcceptor } from './listener';
import type { Transport } from './transport';
import { createWebSocketTransport } from './websocket';

/** `ws`'s upgrade check: sync (return) or async (call back), as Node-RED's settings allow either. */
export type VerifyClient = VerifyClientCallbackSync | VerifyClientCallbackAsync;

export interface WebSocketAcceptorOptions extends KeepaliveOptions {
  serializers: readonly SerializerId[];
  maxPayload: number;
  /** Accept MQTT over WebSocket (subprotocol `mqtt`, as MQTT.js and browsers use). */
  mqtt?: MqttAcceptor;
  verifyClient?: VerifyClient;
  /** See ListenOptions.passPayloads and maxDepth. */
  passPayloads?: boolean;
  maxDepth?: number;
}

const MQTT_SUBPROTOCOL = 'mqtt';

/** The first WAMP subprotocol the client offers that we speak (the client lists by preference). */
export function chooseSubprotocol(
  offered: Iterable<string>,
  serializers: readonly SerializerId[],
): string | undefined {
  const ours = new Set(serializers.map((id) => serializerById(id)?.protocol));
  for (const p of offered) if (ours.has(p)) return p;
  return undefined;
}

function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

function refuse(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

export function refuseNotFound(socket: Duplex): void {
  refuse(socket, 404, 'Not Found', 'no WAMP endpoint at this path\n');
}

export class WebSocketAcceptor {
  private readonly wss: WebSocketServer;

  constructor(
    private readonly options: WebSocketAcceptorOptions,
    private readonly tracker: ConnectionTracker,
    private readonly onTransport: (t: Transport) => void,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      ...(options.verifyClient ? { verifyClient: options.verifyClient } : {}),
      handleProtocols: (offered) => this.choose(offered) ?? false,
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.tracker.add(socket);
    if (!this.choose(offeredSubprotocols(req))) {
      const wanted = this.options.serializers.map((id) => serializerById(id)?.protocol).join(', ');
      refuse(
        socket,
        400,
        'Bad Request',
        `no supported WAMP subprotocol offered; this router speaks ${wanted}\n`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      let transport: Transport;
      try {
        if (ws.protocol === MQTT_SUBPROTOCOL && this.options.mqtt) {
          transport = this.options.mqtt(createWebSocketStream(ws), {
            secure: (socket as Partial<TLSSocket>).encrypted === true,
            remoteAddress: req.socket.remoteAddress,
            remotePort: req.socket.remotePort,
          });
          this.tracker.bind(socket, transport);
          this.onTransport(transport);
          return;
        }
        transport = createWebSocketTransport(ws, {
          keepaliveMs: this.options.keepaliveMs,
          keepaliveTimeoutMs: this.options.keepaliveTimeoutMs,
          maxMessageSize: this.options.maxPayload,
          secure: (socket as Partial<TLSSocket>).encrypted === true,
          remoteAddress: req.socket.remoteAddress,
          remotePort: req.socket.remotePort,
          passPayloads: this.options.passPayloads,
          maxDepth: this.options.maxDepth,
        });
      } catch {
        ws.terminate();
        return;
      }
      this.tracker.bind(socket, transport);
      this.onTransport(transport);
    });
  }

  close(): void {
    this.wss.close();
  }

  /** A WAMP subprotocol first; `mqtt` when MQTT is on and the client offers it. */
  private choose(offered: Iterable<string>): string | undefined {
    const list = [...offered];
    const wamp = chooseSubprotocol(list, this.options.serializers);
    if (wamp) return wamp;
    return this.options.mqtt && list.includes(MQTT_SUBPROTOCOL) ? MQTT_SUBPROTOCOL : undefined;
  }
}
