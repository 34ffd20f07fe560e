// WAMP over WebSocket: one message per WebSocket message, the serializer fixed by the
// negotiated subprotocol. Works the same on either side of an open `ws` socket.
import type net from 'node:net';
import WebSocket from 'ws';
import { decodeForRouter, serializerByProtocol, type Serializer } from '../serializers';
import { ErrorUri, WampError } from '../wamp/errors';
import { tlsChannelBinding, type ChannelBinding } from './channel-binding';
import { Dispatch } from './dispatch';
import { Keepalive, type KeepaliveOptions } from './keepalive';
import { readDataFramesFirst, type WsReceiver } from './frame-reader';
import { FrameWriter } from './frame-writer';
import type { Transport, TransportHandlers, TransportInfo } from './transport';

export interface WebSocketTransportOptions extends KeepaliveOptions {
  /** Longest message this side sends, in bytes; a longer one throws `wamp.error.payload_size_exceeded`. */
  maxMessageSize?: number;
  secure?: boolean;
  remoteAddress?: string;
  remotePort?: number;
  /**
   * The router's side of the connection: payloads this peer sends reach the router validated
   * but undecoded, and go on in the bytes they came in (serializers/undecoded-payload.ts).
   */
  passPayloads?: boolean;
  /** With passPayloads: the router's nesting limit (see ListenOptions.maxDepth). */
  maxDepth?: number;
}

/** How long a close handshake may take before the socket is cut. */
const CLOSE_TIMEOUT_MS = 2000;
/** RFC 6455 limits a close reason to 123 bytes. */
const MAX_REASON_BYTES = 123;

const CLOSE_CODE_TEXT: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1006: 'connection lost',
  1007: 'invalid frame payload',
  1008: 'policy violation',
  1009: 'max payload exceeded',
  1011: 'internal error',
};

function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // Cutting may split a character; the decoder's replacement char is dropped with it.
  return bytes
    .subarray(0, maxBytes - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** What we use of `ws`'s private receiver: its size limit, and its close-frame event. */
interface Receiver {
  _maxPayload?: number;
  prependListener?(event: 'conclude', listener: () => void): unknown;
}

function toBytes(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

class WebSocketTransport implements Transport {
  readonly info: TransportInfo;
  readonly channelBinding: ChannelBinding | undefined;
  private readonly dispatch = new Dispatch();
  private closing = false;
  private localReason: string | null = null;
  private failReason: string | null = null;
  private failCode: number | undefined;
  private lastError: string | null = null;
  private readonly keepalive: Keepalive | null;
  private readonly maxMessageSize: number;
  private closeTimer: NodeJS.Timeout | null = null;
  /**
   * Data frames go out through our own writer, on `ws`'s socket (private: `_socket` for years);
   * without that socket, through `ws.send`.
   */
  private readonly writer: FrameWriter | null;
  /** `ws` reads its limit from its private receiver; it has been `_receiver._maxPayload` for years. */
  private readonly receiver: Receiver | undefined;
  private readonly maxPayload: number | undefined;
  private readonly passPayloads: boolean;
  private readonly maxDepth: number | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly serializer: Serializer,
    options: WebSocketTransportOptions,
  ) {
    this.info = {
      type: 'websocket',
      serializer: serializer.id,
      secure: options.secure ?? false,
      remoteAddress: options.remoteAddress,
      remotePort: options.remotePort,
    };
    const socket = (ws as unknown as { _socket?: net.Socket })._socket;
    // `ws` marks the end it is with the private `_isServer`, as long-lived as `_socket`.
    const side = (ws as unknown as { _isServer?: boolean })._isServer ? 'server' : 'client';
    // Our frames carry no extension bits: only when `ws` negotiated none (we never offer or
    // accept permessage-deflate, but a socket handed in from elsewhere might have).
    this.writer =
      socket && ws.extensions === ''
        ? new FrameWriter(
            socket,
            serializer.binary ? 2 : 1,
            side === 'client',
            () => ws.readyState === WebSocket.OPEN,
          )
        : null;
    this.channelBinding = options.secure ? tlsChannelBinding(socket, side) : undefined;
    this.receiver = (ws as unknown as { _receiver?: Receiver })._receiver;
    // A close frame from the peer makes `ws` answer with one at once: what we hold goes first.
    this.receiver?.prependListener?.('conclude', () => this.writer?.flush());
    // Whole data frames are read here, the rest by `ws` (frame-reader.ts); same conditions as
    // for writing: no extension in use.
    if (this.writer && socket)
      readDataFramesFirst(socket, this.receiver as WsReceiver, side === 'server', (data) =>
        this.receive(data),
      );
    this.maxPayload = this.receiver?._maxPayload;
    ws.on('message', (data) => this.receive(toBytes(data)));
    ws.on('pong', () => this.keepalive?.alive());
    // A peer's ping is answered by `ws` itself; it proves the peer alive all the same.
    ws.on('ping', () => this.keepalive?.alive());
    ws.on('error', (err: Error & { code?: string }) => {
      // `WS_ERR_*` errors are the peer breaking the protocol: `ws` fails the connection itself.
      // It stops reading then, so the peer's closing reply (and its code) never arrives here.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.fail('max payload exceeded', 1009);
      else if (err.code === 'WS_ERR_INVALID_UTF8') this.fail(err.message, 1007);
      else if (err.code?.startsWith('WS_ERR_')) this.fail(err.message, 1002);
      else this.lastError = err.message;
    });
    ws.on('close', (code, reason) => this.closed(code, reason.toString('utf8')));
    this.maxMessageSize = options.maxMessageSize ?? Infinity;
    this.passPayloads = options.passPayloads === true;
    this.maxDepth = options.maxDepth;
    this.keepalive = Keepalive.start(
      options,
      () => {
        this.writer?.flush();
        ws.ping();
      },
      () => {
        this.localReason = 'ping timeout';
        this.closing = true;
        ws.terminate();
      },
    );
  }

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount + (this.writer?.buffered ?? 0);
  }

  attach(handlers: TransportHandlers): void {
    this.dispatch.attach(handlers);
  }

  limitIncoming(maxBytes: number | undefined): void {
    const receiver = this.receiver;
    if (!receiver || typeof this.maxPayload !== 'number') return;
    // 0 is `ws`'s "no limit".
    const full = this.maxPayload > 0 ? this.maxPayload : Infinity;
    const limit = Math.min(maxBytes ?? full, full);
    receiver._maxPayload = limit === Infinity ? 0 : limit;
  }

  send(message: readonly unknown[]): void {
    if (!this.isOpen) return;
    const encoded = this.serializer.encode(message);
    const writer = this.writer;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: without our writer, which needs the byte
    // count anyway, short strings need none.
    const size =
      typeof encoded !== 'string'
        ? encoded.length
        : writer || encoded.length * 3 > this.maxMessageSize
          ? Buffer.byteLength(encoded, 'utf8')
          : 0;
    if (size > this.maxMessageSize) {
      throw new WampError(ErrorUri.PAYLOAD_SIZE_EXCEEDED, [
        `message of ${size} bytes exceeds the maximum message size of ${this.maxMessageSize}`,
      ]);
    }
    if (writer) writer.write(encoded, size);
    else this.ws.send(encoded, { binary: this.serializer.binary });
  }

  close(code = 1000, reason = 'closed'): void {
    if (this.closing || this.dispatch.closed) return;
    this.closing = true;
    this.localReason = reason;
    this.keepalive?.stop();
    this.writer?.flush();
    this.ws.close(isSendableCloseCode(code) ? code : 1000, truncateUtf8(reason, MAX_REASON_BYTES));
    this.closeTimer = setTimeout(() => this.ws.terminate(), CLOSE_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  private receive(data: Buffer): void {
    // Any traffic proves the peer alive.
    this.keepalive?.alive();
    // The frame type (text/binary) is not checked against the serializer: lenient towards
    // peers that get it wrong, and the bytes decode or they do not.
    const result = this.passPayloads
      ? decodeForRouter(this.serializer, data, this.maxDepth)
      : this.serializer.decode(data);
    if (!result.ok) return this.dispatch.decodeError(result.error);
    this.dispatch.message(result.value);
  }

  private fail(reason: string, code: number): void {
    this.failReason ??= reason;
    this.failCode ??= code;
    this.closing = true;
  }

  private closed(code: number, peerReason: string): void {
    this.keepalive?.stop();
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closing = true;
    const local = this.localReason !== null || this.failReason !== null;
    const reason =
      this.localReason ??
      this.failReason ??
      this.lastError ??
      (peerReason || CLOSE_CODE_TEXT[code] || 'socket closed');
    this.dispatch.close({ reason, code: this.failCode ?? code, local });
  }
}

/**
 * Wraps an open `ws` socket whose subprotocol is one of `wamp.2.json|msgpack|cbor`.
 * Throws if the negotiated subprotocol is not a WAMP one (the caller should have refused it).
 */
export function createWebSocketTransport(ws: WebSocket, options: WebSocketTransportOptions = {}): Transport {
  const serializer = serializerByProtocol(ws.protocol);
  if (!serializer) throw new Error(`not a WAMP WebSocket subprotocol: '${ws.protocol}'`);
  return new WebSocketTransport(ws, serializer, options);
}
