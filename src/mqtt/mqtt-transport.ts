// An MQTT 3.1.1 / 5.0 client as a WAMP transport. The router sees an ordinary WAMP session:
// this class plays the WAMP client for the device, turning CONNECT into HELLO (username and
// password log in as a realm user with a ticket), SUBSCRIBE/UNSUBSCRIBE/PUBLISH into their WAMP
// twins, a last will into a testament, and EVENTs back into PUBLISH packets. So authorization,
// retention, the meta API and the router view treat MQTT devices exactly like WAMP peers.
// Packets are parsed and built by `mqtt-packet` (the MQTT.js codec); sessions are always clean.
import type { Duplex } from 'node:stream';
import type net from 'node:net';
import * as mqtt from 'mqtt-packet';
import { answerChallenge } from '../client/auth';
import { ErrorUri } from '../wamp/errors';
import { MessageType as M, type Dict } from '../wamp/messages';
import { TickCork } from '../transports/tick-cork';
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from '../transports/transport';
import { acceptCode, connackCode, Reason, refusalCode } from './reason-codes';
import { argsToMqtt, mqttToArgs } from './payload';
import { SubscriptionTable } from './subscriptions';
import { filterToSubscriptions, topicToUri, uriToTopic } from './topics';

export interface MqttTransportOptions {
  /** The realm every MQTT client of this listener joins. */
  realm: string;
  /** Longest accepted packet in bytes (the router's maximum message size). */
  maxPacketBytes: number;
  secure: boolean;
  remoteAddress?: string;
  remotePort?: number;
  /** CONNECT must arrive within this time. Default 10 s. */
  connectTimeoutMs?: number;
}

type Version = 3 | 4 | 5;
type State = 'connect' | 'hello' | 'joined' | 'leaving' | 'closed';
type Pending =
  | { kind: 'publish'; qos: 1 | 2; packetId: number }
  | { kind: 'subscribe'; done: (code: number, subscription?: number) => void }
  | { kind: 'unsubscribe' }
  | { kind: 'will' }
  | { kind: 'flush' };

/** Packets a client may send before CONNACK are held up to this many. */
const MAX_EARLY_PACKETS = 1000;
const GOODBYE_GRACE_MS = 2000;

export class MqttTransport implements Transport {
  readonly info: TransportInfo;
  private handlers?: TransportHandlers;
  private readonly held: unknown[] = [];
  private heldClose?: CloseInfo;
  private readonly parser = mqtt.parser();
  private version: Version = 4;
  private state: State = 'connect';
  private connect?: mqtt.IConnectPacket;
  private readonly early: mqtt.Packet[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly subs = new SubscriptionTable();
  /** QoS 2 packet ids received and not yet released: a resent PUBLISH is not delivered twice. */
  private readonly qos2 = new Set<number>();
  private nextRequest = 1;
  private nextPacketId = 1;
  private keepalive?: NodeJS.Timeout;
  private closeReason = 'socket closed';
  private closedLocally = false;
  /** Set by DISCONNECT: the WAMP side finishes (flush the will, GOODBYE) before onClose. */
  private leaving?: Promise<void>;
  /** A tick's packets leave in one write (a fan-out or a burst of acknowledgements). */
  private readonly cork: TickCork;

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
    // A TCP socket (not a WebSocket stream): small packets must not wait for Nagle's timer.
    const socket =
      typeof (stream as net.Socket).setNoDelay === 'function' ? (stream as net.Socket) : undefined;
    socket?.setNoDelay(true);
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
    const m = message as unknown[];
    switch (m[0]) {
      case M.CHALLENGE:
        return this.onChallenge(m[1] as string, m[2] as Dict);
      case M.WELCOME:
        return this.onWelcome();
      case M.ABORT:
        return this.onAbort(m[2] as string, m[3] as unknown[] | undefined);
      case M.GOODBYE:
        return this.onGoodbye(m[2] as string);
      case M.EVENT:
        return this.onEvent(m[1] as number, m[2] as number, m[3] as Dict, m[4] as unknown[], m[5] as Dict);
      case M.SUBSCRIBED:
        return this.settle(m[1] as number, 0, m[2] as number);
      case M.UNSUBSCRIBED:
        if (m[1] === 0) return this.subs.revoke((m[2] as Dict)?.subscription as number);
        return this.settle(m[1] as number, 0);
      case M.PUBLISHED:
      case M.RESULT:
        return this.settle(m[1] as number, 0);
      case M.ERROR:
        return this.settle(m[2] as number, refusalCode(m[4] as string), undefined, m[4] as string);
    }
  }

  close(_code?: number, reason = 'closed by the router'): void {
    if (this.state === 'closed') return;
    this.closedLocally = true;
    this.closeReason = reason;
    if (this.version === 5 && this.connect && this.state !== 'connect') {
      this.write({ cmd: 'disconnect', reasonCode: Reason.SERVER_SHUTTING_DOWN });
    }
    this.end();
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
      return this.onConnect(p);
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
        return this.onPublish(p);
      case 'pubrel':
        this.qos2.delete(p.messageId ?? 0);
        return this.write({ cmd: 'pubcomp', messageId: p.messageId });
      case 'subscribe':
        return this.onSubscribe(p);
      case 'unsubscribe':
        return this.onUnsubscribe(p);
      case 'pingreq':
        return this.write({ cmd: 'pingresp' });
      case 'disconnect':
        return this.onDisconnect(p.reasonCode === 0x04);
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
        // Acknowledgements of our QoS 1 deliveries: with clean sessions nothing is resent.
        if (p.cmd === 'pubrec') this.write({ cmd: 'pubrel', messageId: p.messageId });
        return;
      default:
        return this.fail(Reason.PROTOCOL_ERROR, `unexpected ${p.cmd}`);
    }
  }

  private onConnect(p: mqtt.IConnectPacket): void {
    this.connect = p;
    this.version = (p.protocolVersion ?? 4) as Version;
    if (p.will && !topicToUri(p.will.topic)) {
      return this.refuse(
        Reason.TOPIC_NAME_INVALID,
        `will topic ${JSON.stringify(p.will.topic)} is no valid WAMP URI`,
      );
    }
    this.state = 'hello';
    this.clearTimer();
    if (p.keepalive) this.armTimer(p.keepalive * 1500, 'keep-alive timeout');
    const auth: Dict =
      p.username !== undefined
        ? { authid: p.username, authmethods: ['ticket'] }
        : { authmethods: ['anonymous'] };
    this.toRouter([
      M.HELLO,
      this.options.realm,
      {
        agent: `MQTT ${this.version === 5 ? '5.0' : '3.1.1'} ${p.clientId}`.trim(),
        roles: {
          publisher: { features: { publisher_exclusion: true } },
          subscriber: { features: { pattern_based_subscription: true } },
          caller: { features: {} },
        },
        ...auth,
      },
    ]);
  }

  // --- the WAMP handshake ---

  private onChallenge(method: string, extra: Dict): void {
    const password = this.connect?.password?.toString('utf8') ?? '';
    try {
      const { signature } = answerChallenge({ ticket: password }, method, extra ?? {});
      this.toRouter([M.AUTHENTICATE, signature, {}]);
    } catch {
      this.toRouter([M.ABORT, {}, 'wamp.error.cannot_authenticate']);
      this.refuse(Reason.BAD_USERNAME_OR_PASSWORD, `cannot answer a ${method} challenge`);
    }
  }

  private onWelcome(): void {
    const will = this.connect?.will;
    if (!will) return this.accept();
    // The will becomes a testament before CONNACK, so a will the role may not publish is refused.
    const options: Dict = { publish_options: will.retain ? { retain: true } : {}, scope: 'destroyed' };
    const args = [topicToUri(will.topic), mqttToArgs(Buffer.from(will.payload)), {}];
    this.request({ kind: 'will' }, (id) => [M.CALL, id, {}, 'wamp.session.add_testament', args, options]);
  }

  private accept(): void {
    this.state = 'joined';
    const properties =
      this.version === 5
        ? {
            maximumPacketSize: this.options.maxPacketBytes,
            retainAvailable: true,
            wildcardSubscriptionAvailable: true,
            sharedSubscriptionAvailable: false,
            subscriptionIdentifiersAvailable: false,
          }
        : undefined;
    this.write({ cmd: 'connack', sessionPresent: false, ...acceptCode(this.version), properties });
    for (const p of this.early.splice(0)) this.onPacket(p);
  }

  private onAbort(reason: string, args?: unknown[]): void {
    const text = typeof args?.[0] === 'string' ? `: ${args[0]}` : '';
    if (this.state === 'hello') {
      // Without a username the device asked for anonymous access, which the realm refused.
      const code =
        this.connect?.username === undefined
          ? connackCode(ErrorUri.NOT_AUTHORIZED, this.version)
          : connackCode(reason, this.version);
      return this.refuse(code, `${reason}${text}`);
    }
    this.closeReason = `${reason}${text}`;
    this.end();
  }

  private onGoodbye(reason: string): void {
    if (this.state === 'leaving') {
      this.finishLeaving?.();
      return this.end();
    }
    // The router ends the session (shutdown, kill): answer as a WAMP client must, then hang up.
    this.toRouter([M.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    this.close(undefined, reason);
  }

  private onDisconnect(keepWill: boolean): void {
    this.state = 'leaving';
    const goodbye = (): void => this.toRouter([M.GOODBYE, {}, 'wamp.close.normal']);
    this.leaving = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GOODBYE_GRACE_MS);
      this.finishLeaving = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    // A normal DISCONNECT discards the will (MQTT 5's reason 0x04 asks to publish it).
    if (this.connect?.will && !keepWill) {
      this.request({ kind: 'flush' }, (id) => [M.CALL, id, {}, 'wamp.session.flush_testaments', [], {}]);
      this.afterFlush = goodbye;
    } else goodbye();
  }

  private finishLeaving?: () => void;
  private afterFlush?: () => void;

  // --- publish and subscribe ---

  private onPublish(p: mqtt.IPublishPacket): void {
    const uri = topicToUri(p.topic);
    if (!uri)
      return this.refusePublish(
        p,
        Reason.TOPIC_NAME_INVALID,
        `topic ${JSON.stringify(p.topic)} is no valid WAMP URI`,
      );
    if (p.qos === 2) {
      const id = p.messageId ?? 0;
      if (this.qos2.has(id)) return this.write({ cmd: 'pubrec', messageId: id });
      this.qos2.add(id);
    }
    const options: Dict = { exclude_me: false };
    if (p.retain) options.retain = true;
    const args = mqttToArgs(typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload);
    if (p.qos === 0) return this.toRouter([M.PUBLISH, this.requestId(), options, uri, args]);
    options.acknowledge = true;
    this.request({ kind: 'publish', qos: p.qos, packetId: p.messageId ?? 0 }, (id) => [
      M.PUBLISH,
      id,
      options,
      uri,
      args,
    ]);
  }

  private refusePublish(p: mqtt.IPublishPacket, code: number, why: string): void {
    // MQTT 3.1.1 has no negative acknowledgement: the connection is closed (MQTT-3.3.5-2).
    if (this.version !== 5) return this.fail(code, why);
    if (p.qos === 0) return this.fail(code, why);
    this.write({ cmd: p.qos === 1 ? 'puback' : 'pubrec', messageId: p.messageId, reasonCode: code });
  }

  private onSubscribe(p: mqtt.ISubscribePacket): void {
    if (p.subscriptions.length === 0) return this.fail(Reason.PROTOCOL_ERROR, 'SUBSCRIBE without filters');
    const codes: number[] = new Array(p.subscriptions.length);
    let open = p.subscriptions.length;
    p.subscriptions.forEach((s, i) => {
      const qos = Math.min(s.qos, 1) as 0 | 1;
      this.subscribeFilter(s.topic, qos, s.rh !== 2, (code) => {
        codes[i] = code;
        if (--open === 0) this.write({ cmd: 'suback', messageId: p.messageId, granted: codes });
      });
    });
  }

  /** SUBSCRIBEs for one filter's WAMP subscriptions; `done` gets the SUBACK code. */
  private subscribeFilter(filter: string, qos: 0 | 1, retained: boolean, done: (code: number) => void): void {
    const parts = filterToSubscriptions(filter);
    if (!parts) return done(this.version === 5 ? Reason.TOPIC_FILTER_INVALID : 0x80);
    const results: Array<{ code: number; id?: number }> = [];
    let open = parts.length;
    const settled = (): void => {
      const [required] = results;
      if (required.code !== 0) {
        for (const r of results) if (r.id !== undefined && !this.subs.inUse(r.id)) this.unsubscribe(r.id);
        return done(this.version === 5 ? required.code : 0x80);
      }
      const granted = parts.flatMap((part, k) => {
        const id = results[k].id;
        return id === undefined ? [] : [{ id, exactUri: part.match === 'exact' ? part.uri : undefined }];
      });
      this.subs.add(filter, qos, granted);
      done(qos);
    };
    parts.forEach((part, k) => {
      // Retained events on subscribe, unless MQTT 5 asked for none (retain handling 2).
      const options: Dict = { get_retained: retained };
      if (part.match !== 'exact') options.match = part.match;
      this.request(
        {
          kind: 'subscribe',
          done: (code, id) => {
            results[k] = { code, id };
            if (--open === 0) settled();
          },
        },
        (id) => [M.SUBSCRIBE, id, options, part.uri],
      );
    });
  }

  private onUnsubscribe(p: mqtt.IUnsubscribePacket): void {
    const codes = p.unsubscriptions.map((filter) => {
      if (!this.subs.has(filter)) return Reason.NO_SUBSCRIPTION_EXISTED;
      for (const id of this.subs.remove(filter)) this.unsubscribe(id);
      return 0;
    });
    // MQTT 3.1.1's UNSUBACK carries no codes; mqtt-packet writes them for version 5 only.
    this.write({ cmd: 'unsuback', messageId: p.messageId, granted: codes });
  }

  private unsubscribe(subscription: number): void {
    this.request({ kind: 'unsubscribe' }, (id) => [M.UNSUBSCRIBE, id, subscription]);
  }

  private onEvent(
    subscription: number,
    publication: number,
    details: Dict,
    args?: unknown[],
    kwargs?: Dict,
  ): void {
    const delivery = this.subs.deliver(subscription, publication, details?.topic as string | undefined);
    if (!delivery) return;
    const packet: mqtt.IPublishPacket = {
      cmd: 'publish',
      topic: uriToTopic(delivery.uri),
      payload: argsToMqtt(args, kwargs),
      qos: delivery.qos,
      dup: false,
      retain: details?.retained === true,
    };
    if (delivery.qos > 0) {
      packet.messageId = this.nextPacketId;
      this.nextPacketId = this.nextPacketId === 0xffff ? 1 : this.nextPacketId + 1;
    }
    this.write(packet);
  }

  // --- WAMP requests ---

  private requestId(): number {
    return this.nextRequest++;
  }

  private request(p: Pending, build: (id: number) => unknown[]): void {
    const id = this.requestId();
    this.pending.set(id, p);
    this.toRouter(build(id));
  }

  /** An answer to one of our requests: `code` 0 for success, else the MQTT reason/return code. */
  private settle(request: number, code: number, subscription?: number, error?: string): void {
    const p = this.pending.get(request);
    if (!p) return;
    this.pending.delete(request);
    switch (p.kind) {
      case 'subscribe':
        return p.done(code, code === 0 ? subscription : undefined);
      case 'unsubscribe':
        return;
      case 'publish':
        if (code !== 0 && this.version !== 5) return this.fail(code, `publication refused: ${error}`);
        if (p.qos === 2 && code !== 0) this.qos2.delete(p.packetId);
        return this.write({
          cmd: p.qos === 1 ? 'puback' : 'pubrec',
          messageId: p.packetId,
          ...(code !== 0 ? { reasonCode: code } : {}),
        });
      case 'will':
        // A router without the testament API cannot keep a will: the device connects without one.
        if (code !== 0 && error !== 'wamp.error.no_such_procedure') {
          this.toRouter([M.GOODBYE, {}, 'wamp.close.normal']);
          return this.refuse(code, `last will refused: ${error}`);
        }
        return this.accept();
      case 'flush': {
        const next = this.afterFlush;
        this.afterFlush = undefined;
        next?.();
        return;
      }
    }
  }

  // --- plumbing ---

  private toRouter(message: unknown[]): void {
    if (this.state === 'closed') return;
    if (this.handlers) this.handlers.onMessage(message);
    else this.held.push(message);
  }

  private write(packet: mqtt.Packet): void {
    if (this.stream.destroyed || this.stream.writableEnded) return;
    this.cork.hold();
    this.stream.write(mqtt.generate(packet, { protocolVersion: this.version }));
  }

  /** CONNACK with a refusal, then close. */
  private refuse(code: number, why: string): void {
    this.closeReason = why;
    this.write({
      cmd: 'connack',
      sessionPresent: false,
      ...(this.version === 5 ? { reasonCode: code } : { returnCode: code }),
    });
    this.end();
  }

  /** A protocol error: MQTT 5 clients are told why with DISCONNECT; the connection is closed. */
  private fail(code: number, why: string): void {
    if (this.state === 'closed') return;
    this.closeReason = why;
    if (this.version === 5 && this.connect) this.write({ cmd: 'disconnect', reasonCode: code });
    this.end();
  }

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
    if (this.state === 'leaving' && this.leaving) await this.leaving;
    this.state = 'closed';
    const info: CloseInfo = { reason: this.closeReason, local: this.closedLocally };
    if (this.handlers) this.handlers.onClose(info);
    else this.heldClose = info;
  }
}
