// An MQTT 3.1.1 / 5.0 client as a WAMP transport. The router sees an ordinary WAMP session:
// this class plays the WAMP client for the device (mqtt-handshake.ts turns CONNECT into HELLO
// and a last will into a testament, mqtt-pubsub.ts SUBSCRIBE/UNSUBSCRIBE/PUBLISH into their
// WAMP twins and EVENTs back into PUBLISH packets). So authorization, retention, the meta API and
// the router view treat MQTT devices exactly like WAMP peers. This file holds the connection:
// bytes in, packets dispatched by state, packets out, timers, and closing.
// Packets are parsed and built by `mqtt-packet` (the MQTT.js codec); sessions are always clean.
import type { Duplex } from 'node:stream';
import type net from 'node:net';
import * as mqtt from 'mqtt-packet';
import { DEFAULT_LIMITS } from '../router/limits';
import { MessageType as M, type Dict } from '../wamp/messages';
import { withValues } from '../serializers/undecoded-payload';
import { TickCork } from '../transports/tick-cork';
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from '../transports/transport';
import type { IdentifierHolder, MqttClientIds } from './client-ids';
import { MqttHandshake, type HandshakeHost } from './mqtt-handshake';
import type { Answer, Version } from './mqtt-link';
import { MqttPubSub } from './mqtt-pubsub';
import { Reason, refusalCode } from './reason-codes';
import { WampRequests } from './wamp-requests';

export interface MqttTransportOptions {
  /** The realm every MQTT client of this listener joins. */
  realm: string;
  /** Longest accepted packet in bytes (the router's maximum message size). */
  maxPacketBytes: number;
  /** The router's nesting limit for a message (default 64): JSON payloads deeper arrive as text. */
  maxDepth?: number;
  secure: boolean;
  remoteAddress?: string;
  remotePort?: number;
  /** CONNECT must arrive within this time. Default 10 s. */
  connectTimeoutMs?: number;
  /** The router's connected client identifiers, for takeover (see client-ids.ts). */
  clientIds?: MqttClientIds;
}

type State = 'connect' | 'hello' | 'joined' | 'leaving' | 'closed';

/** PUBLISH payloads from this size are written as they are rather than copied into the packet. */
const STREAM_PAYLOAD_FROM = 2048;
const V4 = { protocolVersion: 4 } as const;

/** Packets a client may send before CONNACK are held up to this many. */
const MAX_EARLY_PACKETS = 1000;

export class MqttTransport implements Transport, HandshakeHost {
  readonly info: TransportInfo;
  version: Version = 4;
  private handlers?: TransportHandlers;
  private readonly held: unknown[] = [];
  private heldClose?: CloseInfo;
  private readonly parser = mqtt.parser();
  private state: State = 'connect';
  private readonly early: mqtt.Packet[] = [];
  private readonly requests = new WampRequests();
  private readonly handshake: MqttHandshake;
  private readonly pubsub: MqttPubSub;
  private keepalive?: NodeJS.Timeout;
  private closeReason = 'socket closed';
  private closedLocally = false;
  /** A tick's packets leave in one write (a fan-out or a burst of acknowledgements). */
  private readonly cork: TickCork;
  private readonly tcp: boolean;
  private readonly socket?: net.Socket;
  /** Nagle's algorithm is off until this tick's large PUBLISHes have left. */
  private pushing = false;
  /** A large PUBLISH was written since `restoreNagle` last looked. */
  private largeSince = false;
  /** Resolves once the router saw this connection close (a takeover waits for it). */
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  readonly holder: IdentifierHolder;

  constructor(
    private readonly stream: Duplex,
    private readonly options: MqttTransportOptions,
  ) {
    this.info = {
      type: 'mqtt',
      serializer: 'none',
      secure: options.secure,
      remoteAddress: options.remoteAddress,
      remotePort: options.remotePort,
    };
    const maxDepth = options.maxDepth ?? DEFAULT_LIMITS.maxDepth;
    this.handshake = new MqttHandshake(this, {
      realm: options.realm,
      maxPacketBytes: options.maxPacketBytes,
      maxDepth,
      clientIds: options.clientIds,
    });
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const handshake = this.handshake;
    this.holder = {
      get principal() {
        return handshake.principal;
      },
      takeOver: () => this.takeOver(),
    };
    this.pubsub = new MqttPubSub(this, maxDepth);
    // A TCP socket (not a WebSocket stream). Nagle's algorithm stays on, as in aedes and
    // mosquitto by default: a lone packet still leaves at once, and a burst (a publisher's QoS 1
    // window of PUBACKs, a fan-out) leaves in fewer segments, for clients to read in fewer calls.
    // Measured (bench/RESULTS.md): QoS 1 at 35 B from 0.79x to 0.98x aedes' rate, no row slower.
    // Large PUBLISHes are pushed out whole (see `pushWhole`).
    const socket =
      typeof (stream as net.Socket).setNoDelay === 'function' ? (stream as net.Socket) : undefined;
    socket?.setNoDelay(false);
    this.socket = socket;
    this.tcp = socket !== undefined;
    this.cork = new TickCork(socket);
    this.parser.on('packet', (p: mqtt.Packet) => this.onPacket(p));
    this.parser.on('error', (e: Error) =>
      this.fail(Reason.MALFORMED_PACKET, `malformed packet: ${e.message}`),
    );
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', () => {});
    stream.once('close', () => void this.onStreamClosed());
    this.armTimer(options.connectTimeoutMs ?? 10_000, 'no CONNECT in time');
  }

  get isOpen(): boolean {
    return this.state !== 'closed' && !this.stream.destroyed;
  }

  get bufferedAmount(): number {
    return this.stream.writableLength;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    for (const m of this.held.splice(0)) handlers.onMessage(m);
    if (this.heldClose) handlers.onClose(this.heldClose);
  }

  /** A WAMP message from the router, for this MQTT client. */
  send(message: readonly unknown[]): void {
    if (this.state === 'closed') return;
    // A payload the router received undecoded is read here (argsToMqtt): as its values.
    const m = withValues(message) as unknown[];
    switch (m[0]) {
      case M.EVENT:
        return this.pubsub.onEvent(
          m[1] as number,
          m[2] as number,
          m[3] as Dict,
          m[4] as unknown[],
          m[5] as Dict,
        );
      case M.PUBLISHED:
      case M.RESULT:
        return this.requests.settle(m[1] as number, 0);
      case M.SUBSCRIBED:
        return this.requests.settle(m[1] as number, 0, m[2] as number);
      case M.UNSUBSCRIBED:
        if (m[1] === 0) return this.pubsub.onRevoked((m[2] as Dict)?.subscription as number);
        return this.requests.settle(m[1] as number, 0);
      case M.ERROR:
        return this.requests.settle(m[2] as number, refusalCode(m[4] as string), undefined, m[4] as string);
      case M.CHALLENGE:
        return this.handshake.onChallenge(m[1] as string, m[2] as Dict);
      case M.WELCOME:
        return this.handshake.onWelcome(m[2] as Dict);
      case M.ABORT:
        return this.handshake.onAbort(this.state === 'hello', m[2] as string, m[3] as unknown[] | undefined);
      case M.GOODBYE:
        return this.handshake.onGoodbye(m[2] as string);
    }
  }

  close(_code?: number, reason = 'closed by the router'): void {
    if (this.state === 'closed') return;
    this.closedLocally = true;
    this.closeReason = reason;
    if (this.version === 5 && this.handshake.hasConnect && this.state !== 'connect') {
      this.write({ cmd: 'disconnect', reasonCode: Reason.SERVER_SHUTTING_DOWN });
    }
    this.end();
  }

  /**
   * Another connection took this client identifier over: MQTT 5 devices hear DISCONNECT 0x8E
   * "Session taken over"; the connection closes as if dropped (so a will is published, as for
   * any session that ends without DISCONNECT: MQTT 5 section 3.1.3.2.2, the session ends).
   */
  takeOver(): Promise<void> {
    if (this.state !== 'closed') {
      this.closedLocally = true;
      this.closeReason = 'session taken over';
      if (this.version === 5 && this.state === 'joined')
        this.write({ cmd: 'disconnect', reasonCode: Reason.SESSION_TAKEN_OVER });
      this.end();
    }
    return this.closedPromise;
  }

  // --- bytes in ---

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.parser.parse(chunk);
    // The header is parsed before the body arrives: refuse an oversize packet at once.
    const length = (this.parser as unknown as { packet: { length: number } }).packet.length;
    if (length > this.options.maxPacketBytes) {
      this.fail(Reason.PACKET_TOO_LARGE, `packet of ${length} bytes over the limit`);
    }
  }

  private onPacket(p: mqtt.Packet): void {
    if (this.state === 'closed') return;
    if (this.keepalive && this.state !== 'connect') this.keepalive.refresh();
    if (this.state === 'connect') {
      if (p.cmd !== 'connect') return this.fail(Reason.PROTOCOL_ERROR, `${p.cmd} before CONNECT`);
      return this.handshake.onConnect(p);
    }
    if (p.cmd === 'connect') return this.fail(Reason.PROTOCOL_ERROR, 'second CONNECT');
    if (this.state === 'hello') {
      if (this.early.length >= MAX_EARLY_PACKETS)
        return this.fail(Reason.QUOTA_EXCEEDED, 'too many packets before CONNACK');
      this.early.push(p);
      return;
    }
    if (this.state !== 'joined') return;
    switch (p.cmd) {
      case 'publish':
        return this.pubsub.onPublish(p);
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
        return this.pubsub.onAcknowledgement(p);
      case 'pubrel':
        return this.pubsub.onPubrel(p);
      case 'subscribe':
        return this.pubsub.onSubscribe(p);
      case 'unsubscribe':
        return this.pubsub.onUnsubscribe(p);
      case 'pingreq':
        return this.write({ cmd: 'pingresp' });
      case 'disconnect':
        this.state = 'leaving';
        return this.handshake.onDisconnect(p.reasonCode === 0x04);
      default:
        return this.fail(Reason.PROTOCOL_ERROR, `unexpected ${p.cmd}`);
    }
  }

  // --- the handshake's host ---

  connected(version: Version): void {
    this.version = version;
  }

  helloSent(keepaliveSeconds: number): void {
    this.state = 'hello';
    this.clearTimer();
    if (keepaliveSeconds) this.armTimer(keepaliveSeconds * 1500, 'keep-alive timeout');
  }

  joined(): void {
    this.state = 'joined';
    for (const p of this.early.splice(0)) this.onPacket(p);
  }

  hangUp(why?: string): void {
    if (why !== undefined) this.closeReason = why;
    this.end();
  }

  // --- WAMP requests and packets out ---

  requestId(): number {
    return this.requests.id();
  }

  request(build: (id: number) => unknown[], answer: Answer): void {
    this.toRouter(build(this.requests.open(answer)));
  }

  toRouter(message: unknown[]): void {
    if (this.state === 'closed') return;
    if (this.handlers) this.handlers.onMessage(message);
    else this.held.push(message);
  }

  write(packet: mqtt.Packet): void {
    if (this.stream.destroyed || this.stream.writableEnded) return;
    this.cork.hold();
    const settings = this.version === 4 ? V4 : { protocolVersion: this.version };
    // A large PUBLISH goes out as its header and the payload buffer itself (one writev with the
    // rest of the tick), not copied into one new buffer. Only on TCP: over WebSocket each write
    // would be a frame of its own.
    if (this.tcp && packet.cmd === 'publish' && packet.payload.length >= STREAM_PAYLOAD_FROM) {
      this.pushWhole();
      mqtt.writeToStream(packet, this.stream, settings);
    } else this.stream.write(mqtt.generate(packet, settings));
  }

  /**
   * A large PUBLISH ends in a partial segment, which Nagle's algorithm holds until the receiver
   * acknowledges the data before it, and a receiver with nothing to send delays that for up to
   * 40 ms: its subscriber waits for the message's last bytes (measured: Node-RED's mqtt in at
   * 64 KiB through the router 0.61x aedes' rate at half a core, 1.09x without Nagle). So
   * Nagle's algorithm is off from here until the tick's writes have left the socket's buffer.
   */
  private pushWhole(): void {
    this.largeSince = true;
    if (this.pushing) return;
    this.pushing = true;
    this.largeSince = false;
    this.socket!.setNoDelay(true);
    // After the cork's release (queued by `hold`, before this), once the writes are out.
    process.nextTick(this.restoreNagle);
  }

  private readonly restoreNagle = (): void => {
    if (this.stream.destroyed) return;
    // A stream of large messages keeps Nagle's algorithm off (two system calls a tick otherwise).
    if (this.largeSince) {
      this.largeSince = false;
      setImmediate(this.restoreNagle);
      return;
    }
    if (this.stream.writableLength > 0) {
      // 'drain' comes only after a write found the buffer full; otherwise the write is in flight.
      if (this.stream.writableNeedDrain) this.stream.once('drain', this.restoreNagle);
      else setImmediate(this.restoreNagle);
      return;
    }
    this.pushing = false;
    this.socket!.setNoDelay(false);
  };

  refuse(code: number, why: string): void {
    this.closeReason = why;
    this.write({
      cmd: 'connack',
      sessionPresent: false,
      ...(this.version === 5 ? { reasonCode: code } : { returnCode: code }),
    });
    this.end();
  }

  fail(code: number, why: string): void {
    if (this.state === 'closed') return;
    this.closeReason = why;
    if (this.version === 5 && this.handshake.hasConnect) this.write({ cmd: 'disconnect', reasonCode: code });
    this.end();
  }

  // --- closing ---

  private end(): void {
    this.clearTimer();
    if (!this.stream.destroyed) {
      // The server closes the connection once its last packet is out (MQTT-3.14.4-1 for the
      // client's DISCONNECT; a CONNACK refusal or our DISCONNECT likewise): clients do not
      // always answer a half-close.
      this.stream.end(() => this.stream.destroy());
      setTimeout(() => this.stream.destroy(), 1000).unref();
    }
  }

  private armTimer(ms: number, why: string): void {
    this.keepalive = setTimeout(() => this.fail(Reason.KEEP_ALIVE_TIMEOUT, why), ms);
    this.keepalive.unref?.();
  }

  private clearTimer(): void {
    if (this.keepalive) clearTimeout(this.keepalive);
    this.keepalive = undefined;
  }

  private async onStreamClosed(): Promise<void> {
    this.clearTimer();
    const leaving = this.handshake.leaving;
    if (this.state === 'leaving' && leaving) await leaving;
    this.state = 'closed';
    const info: CloseInfo = { reason: this.closeReason, local: this.closedLocally };
    this.handshake.released();
    if (this.handlers) this.handlers.onClose(info);
    else this.heldClose = info;
    this.resolveClosed();
  }
}
