// One MQTT session's publish/subscribe mapped onto WAMP: PUBLISH -> PUBLISH (acknowledged for
// QoS 1 and 2, so PUBACK / PUBREC leave only once the router accepted the publication),
// SUBSCRIBE / UNSUBSCRIBE -> their WAMP twins (one or two per filter, see topics.ts), EVENT ->
// PUBLISH to the device; and the QoS handshakes' state (QoS 2 packet IDs awaiting PUBREL, our
// outgoing packet IDs). Payloads follow payload.ts: an MQTT subscriber of an MQTT publisher gets
// the publisher's bytes untouched.
import type * as mqtt from 'mqtt-packet';
import { MessageType as M, type Dict } from '../wamp/messages';
import type { MqttLink } from './mqtt-link';
import { argsToMqtt, mqttToArgs } from './payload';
import { Reason } from './reason-codes';
import { SubscriptionTable } from './subscriptions';
import { filterToSubscriptions, topicToUri, uriToTopic } from './topics';

export class MqttPubSub {
  private readonly subs = new SubscriptionTable();
  /** QoS 2 packet ids received and not yet released: a resent PUBLISH is not delivered twice. */
  private readonly qos2 = new Set<number>();
  private nextPacketId = 1;
  // The last topic and URI converted each way: a device publishes to the same few topics.
  private lastTopic = '';
  private lastUri: string | undefined = undefined;
  private lastEventUri = '';
  private lastEventTopic = '';

  constructor(
    private readonly link: MqttLink,
    /** The router's nesting limit, for payloads decoded on their way to WAMP receivers. */
    private readonly maxDepth: number,
  ) {}

  // --- from the device ---

  onPublish(p: mqtt.IPublishPacket): void {
    if (p.topic !== this.lastTopic) {
      this.lastTopic = p.topic;
      this.lastUri = topicToUri(p.topic);
    }
    const uri = this.lastUri;
    if (!uri)
      return this.refusePublish(
        p,
        Reason.TOPIC_NAME_INVALID,
        `topic ${JSON.stringify(p.topic)} is no valid WAMP URI`,
      );
    if (p.qos === 2) {
      const id = p.messageId ?? 0;
      if (this.qos2.has(id)) return this.link.write({ cmd: 'pubrec', messageId: id });
      this.qos2.add(id);
    }
    const options: Dict = { exclude_me: false };
    if (p.retain) options.retain = true;
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload;
    const args = mqttToArgs(payload, this.maxDepth);
    if (p.qos === 0) return this.link.toRouter([M.PUBLISH, this.link.requestId(), options, uri, args]);
    options.acknowledge = true;
    const qos = p.qos;
    const packetId = p.messageId ?? 0;
    this.link.request(
      (id) => [M.PUBLISH, id, options, uri, args],
      (code, error) => this.published(qos, packetId, code, error),
    );
  }

  /** The router's answer to an acknowledged publication: PUBACK (QoS 1) or PUBREC (QoS 2). */
  private published(qos: 1 | 2, packetId: number, code: number, error?: string): void {
    if (code !== 0 && this.link.version !== 5) return this.link.fail(code, `publication refused: ${error}`);
    if (qos === 2 && code !== 0) this.qos2.delete(packetId);
    const cmd = qos === 1 ? 'puback' : 'pubrec';
    this.link.write(
      code === 0 ? { cmd, messageId: packetId } : { cmd, messageId: packetId, reasonCode: code },
    );
  }

  private refusePublish(p: mqtt.IPublishPacket, code: number, why: string): void {
    // MQTT 3.1.1 has no negative acknowledgement: the connection is closed (MQTT-3.3.5-2).
    if (this.link.version !== 5) return this.link.fail(code, why);
    if (p.qos === 0) return this.link.fail(code, why);
    this.link.write({ cmd: p.qos === 1 ? 'puback' : 'pubrec', messageId: p.messageId, reasonCode: code });
  }

  /** PUBREL: the QoS 2 publication is complete; its packet ID may be used again. */
  onPubrel(p: mqtt.IPubrelPacket): void {
    this.qos2.delete(p.messageId ?? 0);
    this.link.write({ cmd: 'pubcomp', messageId: p.messageId });
  }

  /** The device acknowledges one of our deliveries: with clean sessions nothing is resent. */
  onAcknowledgement(p: mqtt.IPubackPacket | mqtt.IPubrecPacket | mqtt.IPubcompPacket): void {
    if (p.cmd === 'pubrec') this.link.write({ cmd: 'pubrel', messageId: p.messageId });
  }

  onSubscribe(p: mqtt.ISubscribePacket): void {
    if (p.subscriptions.length === 0)
      return this.link.fail(Reason.PROTOCOL_ERROR, 'SUBSCRIBE without filters');
    const codes: number[] = new Array(p.subscriptions.length);
    let open = p.subscriptions.length;
    p.subscriptions.forEach((s, i) => {
      const qos = Math.min(s.qos, 1) as 0 | 1;
      this.subscribeFilter(s.topic, qos, s.rh !== 2, (code) => {
        codes[i] = code;
        if (--open === 0) this.link.write({ cmd: 'suback', messageId: p.messageId, granted: codes });
      });
    });
  }

  /** SUBSCRIBEs for one filter's WAMP subscriptions; `done` gets the SUBACK code. */
  private subscribeFilter(filter: string, qos: 0 | 1, retained: boolean, done: (code: number) => void): void {
    const v5 = this.link.version === 5;
    const parts = filterToSubscriptions(filter);
    if (!parts) return done(v5 ? Reason.TOPIC_FILTER_INVALID : 0x80);
    const results: Array<{ code: number; id?: number }> = [];
    let open = parts.length;
    const settled = (): void => {
      const [required] = results;
      if (required.code !== 0) {
        for (const r of results) if (r.id !== undefined && !this.subs.inUse(r.id)) this.unsubscribe(r.id);
        return done(v5 ? required.code : 0x80);
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
      this.link.request(
        (id) => [M.SUBSCRIBE, id, options, part.uri],
        (code, _error, id) => {
          results[k] = { code, id };
          if (--open === 0) settled();
        },
      );
    });
  }

  onUnsubscribe(p: mqtt.IUnsubscribePacket): void {
    const codes = p.unsubscriptions.map((filter) => {
      if (!this.subs.has(filter)) return Reason.NO_SUBSCRIPTION_EXISTED;
      for (const id of this.subs.remove(filter)) this.unsubscribe(id);
      return 0;
    });
    // MQTT 3.1.1's UNSUBACK carries no codes; mqtt-packet writes them for version 5 only.
    this.link.write({ cmd: 'unsuback', messageId: p.messageId, granted: codes });
  }

  private unsubscribe(subscription: number): void {
    this.link.request(
      (id) => [M.UNSUBSCRIBE, id, subscription],
      () => undefined,
    );
  }

  // --- from the router ---

  /** The router took a subscription away (UNSUBSCRIBED with request 0). */
  onRevoked(subscription: number): void {
    this.subs.revoke(subscription);
  }

  onEvent(subscription: number, publication: number, details: Dict, args?: unknown[], kwargs?: Dict): void {
    const delivery = this.subs.deliver(subscription, publication, details?.topic as string | undefined);
    if (!delivery) return;
    if (delivery.uri !== this.lastEventUri) {
      this.lastEventUri = delivery.uri;
      this.lastEventTopic = uriToTopic(delivery.uri);
    }
    const packet: mqtt.IPublishPacket = {
      cmd: 'publish',
      topic: this.lastEventTopic,
      payload: argsToMqtt(args, kwargs),
      qos: delivery.qos,
      dup: false,
      retain: details?.retained === true,
    };
    if (delivery.qos > 0) {
      packet.messageId = this.nextPacketId;
      this.nextPacketId = this.nextPacketId === 0xffff ? 1 : this.nextPacketId + 1;
    }
    this.link.write(packet);
  }
}
