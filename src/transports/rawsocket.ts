// WAMP over RawSocket on a TCP or TLS stream: the handshake on both sides, then a `Transport`
// that frames messages, answers PING with PONG and fails the connection on oversized frames.
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { decodeForRouter, serializerByRawSocketId, type Serializer, type SerializerId } from '../serializers';
import { ErrorUri, WampError } from '../wamp/errors';
import { tlsChannelBinding, type ChannelBinding } from './channel-binding';
import { Dispatch } from './dispatch';
import { Keepalive, type KeepaliveOptions } from './keepalive';
import { TickCork } from './tick-cork';
import {
  decodeHandshake,
  encodeFrameHeader,
  encodeHandshake,
  encodeHandshakeError,
  FrameReader,
  FrameType,
  lengthExponent,
  maxLengthOf,
  RawSocketErrorCode,
  type Frame,
} from './rawsocket-framing';
import type { Transport, TransportHandlers, TransportInfo } from './transport';

export * from './rawsocket-framing';

export interface RawSocketTransportOptions extends KeepaliveOptions {
  serializer: Serializer;
  /** Longest frame this side accepts (what it announced). */
  maxLength: number;
  /** Longest frame the peer accepts (what it announced). */
  peerMaxLength: number;
  secure: boolean;
  /** Longest message this side sends, in bytes (besides the peer's limit); default no own limit. */
  maxMessageSize?: number;
  /** Bytes already read past the handshake. */
  initial?: Buffer;
  /** Which end of the connection this is: the TLS channel binding depends on it. */
  side?: 'server' | 'client';
  /** The router's side: see WebSocketTransportOptions.passPayloads and maxDepth. */
  passPayloads?: boolean;
  maxDepth?: number;
}

/** How long a graceful close (FIN) may take before the socket is destroyed. */
const CLOSE_TIMEOUT_MS = 2000;

export class RawSocketTransport implements Transport {
  readonly info: TransportInfo;
  readonly channelBinding: ChannelBinding | undefined;
  private readonly dispatch = new Dispatch();
  private readonly reader: FrameReader;
  private readonly cork: TickCork;
  private readonly serializer: Serializer;
  private readonly maxLength: number;
  /** The shorter of what the peer accepts and what this side was told to send at most. */
  private readonly sendLimit: number;
  private closing = false;
  private localReason: string | null = null;
  private lastError: string | null = null;
  private readonly keepalive: Keepalive | null;
  private readonly passPayloads: boolean;
  private readonly maxDepth: number | undefined;

  constructor(
    private readonly socket: Socket,
    options: RawSocketTransportOptions,
  ) {
    this.serializer = options.serializer;
    this.maxLength = options.maxLength;
    this.sendLimit = Math.min(options.peerMaxLength, options.maxMessageSize ?? Infinity);
    this.reader = new FrameReader(options.maxLength);
    this.passPayloads = options.passPayloads === true;
    this.maxDepth = options.maxDepth;
    this.cork = new TickCork(socket, 'immediate');
    this.info = {
      type: 'rawsocket',
      serializer: options.serializer.id,
      secure: options.secure,
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
    };
    this.channelBinding = options.side ? tlsChannelBinding(socket, options.side) : undefined;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => (this.lastError = err.message));
    socket.on('end', () => {
      // The peer is done sending: finish our side too (allowHalfOpen would keep it open).
      this.closing = true;
      socket.end();
    });
    socket.on('close', () => this.closed());
    // PING carries 8 random octets; any frame back (PONG or message) proves the peer alive.
    this.keepalive = Keepalive.start(
      options,
      () => this.writeFrame(FrameType.PING, randomBytes(8)),
      () => this.fail('ping timeout'),
    );
    if (options.initial && options.initial.length > 0) this.receive(options.initial);
  }

  get isOpen(): boolean {
    return !this.closing && !this.socket.destroyed && this.socket.writable;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  attach(handlers: TransportHandlers): void {
    this.dispatch.attach(handlers);
  }

  limitIncoming(maxBytes: number | undefined): void {
    const error = this.reader.limit(Math.min(maxBytes ?? this.maxLength, this.maxLength));
    if (error) this.fail(error);
  }

  /** Throws `wamp.error.payload_size_exceeded` if the message is longer than the peer accepts. */
  send(message: readonly unknown[]): void {
    if (!this.isOpen) return;
    const encoded = this.serializer.encode(message);
    const payload = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;
    if (payload.length > this.sendLimit) {
      throw new WampError(ErrorUri.PAYLOAD_SIZE_EXCEEDED, [
        `message of ${payload.length} bytes exceeds the maximum message size of ${this.sendLimit}`,
      ]);
    }
    this.writeFrame(FrameType.MESSAGE, payload);
  }

  close(_code?: number, reason = 'closed'): void {
    if (this.closing || this.dispatch.closed) return;
    this.closing = true;
    this.localReason = reason;
    this.keepalive?.stop();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
  }

  private writeFrame(type: (typeof FrameType)[keyof typeof FrameType], payload: Uint8Array): void {
    this.cork.hold();
    this.socket.write(encodeFrameHeader(type, payload.length));
    this.socket.write(payload);
  }

  private receive(chunk: Buffer): void {
    const batch = this.reader.push(chunk);
    for (const frame of batch.frames) {
      if (this.dispatch.closed) return;
      this.frame(frame);
    }
    if (batch.error) this.fail(batch.error);
  }

  private frame(frame: Frame): void {
    // Any traffic proves the peer alive.
    this.keepalive?.alive();
    switch (frame.type) {
      case FrameType.MESSAGE: {
        const result = this.passPayloads
          ? decodeForRouter(this.serializer, frame.payload, this.maxDepth)
          : this.serializer.decode(frame.payload);
        if (!result.ok) this.dispatch.decodeError(result.error);
        else this.dispatch.message(result.value);
        break;
      }
      case FrameType.PING:
        if (!this.closing) this.writeFrame(FrameType.PONG, frame.payload);
        break;
      case FrameType.PONG:
        break;
    }
  }

  /** Fails the connection at once, as the spec asks for framing violations. */
  private fail(reason: string): void {
    if (this.dispatch.closed) return;
    this.closing = true;
    this.localReason = reason;
    this.keepalive?.stop();
    this.socket.destroy();
  }

  private closed(): void {
    this.keepalive?.stop();
    this.closing = true;
    const local = this.localReason !== null;
    this.dispatch.close({ reason: this.localReason ?? this.lastError ?? 'socket closed', local });
  }
}

/** Resolves with the first 4 octets and whatever followed them; rejects if the socket closes first. */
function readHandshake(socket: Socket, first?: Buffer): Promise<{ head: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = first ?? Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
    };
    const check = (): boolean => {
      if (buffered.length < 4) return false;
      cleanup();
      socket.pause();
      resolve({ head: buffered.subarray(0, 4), rest: buffered.subarray(4) });
      return true;
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      check();
    };
    let lastError: Error | null = null;
    const onError = (err: Error): void => {
      lastError = err;
    };
    const onClose = (): void => {
      cleanup();
      reject(lastError ?? new Error('connection closed during the RawSocket handshake'));
    };
    if (check()) return;
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.resume();
  });
}

export interface RawSocketAcceptOptions extends KeepaliveOptions {
  serializers: readonly SerializerId[];
  /** See ListenOptions.passPayloads and maxDepth. */
  passPayloads?: boolean;
  maxDepth?: number;
  /** Longest message accepted from the client, in bytes (announced as the nearest power of 2 below). */
  maxPayload: number;
  secure: boolean;
  /** Bytes already read from the socket (the listener reads one chunk to tell RawSocket from HTTP). */
  first?: Buffer;
}

/** The router side of the handshake. Refuses with an error reply and rejects on a bad hello. */
export async function acceptRawSocket(socket: Socket, options: RawSocketAcceptOptions): Promise<Transport> {
  const { head, rest } = await readHandshake(socket, options.first);
  const hello = decodeHandshake(head);
  const refuse = (code: number, why: string): never => {
    socket.end(encodeHandshakeError(code));
    setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS).unref();
    throw new Error(`RawSocket handshake refused: ${why}`);
  };
  if (hello.kind === 'invalid') return refuse(hello.code, hello.message);
  if (hello.kind === 'error')
    return refuse(RawSocketErrorCode.SERIALIZER_UNSUPPORTED, 'illegal serializer 0');
  const serializer = serializerByRawSocketId(hello.serializer);
  if (!serializer || !options.serializers.includes(serializer.id)) {
    return refuse(RawSocketErrorCode.SERIALIZER_UNSUPPORTED, `serializer ${hello.serializer} not offered`);
  }
  const exponent = lengthExponent(options.maxPayload);
  socket.write(encodeHandshake(serializer.rawSocketId, exponent));
  const transport = new RawSocketTransport(socket, {
    serializer,
    maxLength: maxLengthOf(exponent),
    peerMaxLength: hello.maxLength,
    maxMessageSize: options.maxPayload,
    secure: options.secure,
    keepaliveMs: options.keepaliveMs,
    keepaliveTimeoutMs: options.keepaliveTimeoutMs,
    initial: rest,
    side: 'server',
    passPayloads: options.passPayloads,
    maxDepth: options.maxDepth,
  });
  socket.resume();
  return transport;
}

export interface RawSocketOpenOptions extends KeepaliveOptions {
  serializer: Serializer;
  maxPayload: number;
  secure: boolean;
}

/**
 * The client side of the handshake on a connected socket. Rejects with the router's reason
 * (e.g. `serializer unsupported`) if it refuses.
 */
export async function openRawSocket(socket: Socket, options: RawSocketOpenOptions): Promise<Transport> {
  const exponent = lengthExponent(options.maxPayload);
  socket.write(encodeHandshake(options.serializer.rawSocketId, exponent));
  const { head, rest } = await readHandshake(socket);
  const reply = decodeHandshake(head);
  if (reply.kind !== 'hello') {
    socket.destroy();
    throw new Error(
      reply.kind === 'error'
        ? `RawSocket handshake refused: ${reply.message}`
        : `not a RawSocket router (${reply.message})`,
    );
  }
  if (reply.serializer !== options.serializer.rawSocketId) {
    socket.destroy();
    throw new Error(
      `RawSocket router answered with serializer ${reply.serializer}, not ${options.serializer.rawSocketId}`,
    );
  }
  const transport = new RawSocketTransport(socket, {
    serializer: options.serializer,
    maxLength: maxLengthOf(exponent),
    peerMaxLength: reply.maxLength,
    maxMessageSize: options.maxPayload,
    secure: options.secure,
    keepaliveMs: options.keepaliveMs,
    keepaliveTimeoutMs: options.keepaliveTimeoutMs,
    initial: rest,
    side: 'client',
  });
  socket.resume();
  return transport;
}
