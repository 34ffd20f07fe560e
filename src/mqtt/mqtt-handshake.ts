// The life of one MQTT connection as a WAMP session: CONNECT becomes HELLO (a username and
// password log in as a realm user with a ticket, no username asks for anonymous access), the
// router's CHALLENGE / WELCOME / ABORT become CONNACK, a last will becomes a testament before
// CONNACK (so a will the role may not publish is refused), and DISCONNECT becomes GOODBYE
// (discarding the will unless MQTT 5's reason 0x04 asks to publish it). Sessions are clean.
// Once the router has welcomed the session (so its authid is known), the client identifier is
// claimed (client-ids.ts): a connected client with the same identifier is taken over, or this
// one is refused the identifier.
import type * as mqtt from 'mqtt-packet';
import { answerChallenge } from '../client/auth';
import { CloseUri, ErrorUri } from '../wamp/errors';
import { MessageType as M, type Dict } from '../wamp/messages';
import type { IdentifierHolder, MqttClientIds, Principal } from './client-ids';
import type { MqttLink, Version } from './mqtt-link';
import { acceptCode, connackCode, identifierRejectedCode, Reason } from './reason-codes';
import { mqttToArgs } from './payload';
import { topicToUri } from './topics';

const GOODBYE_GRACE_MS = 2000;

export interface HandshakeSettings {
  /** The realm every MQTT client of this listener joins. */
  realm: string;
  maxPacketBytes: number;
  /** The router's nesting limit, for the will's payload. */
  maxDepth: number;
  /** The router's connected client identifiers (none: identifiers are not checked). */
  clientIds?: MqttClientIds;
}

/** What the handshake drives in its connection besides the common link. */
export interface HandshakeHost extends MqttLink {
  /** CONNECT read: packets are now written in its version. */
  connected(version: Version): void;
  /** HELLO sent: the CONNECT timer gives way to the keep-alive (seconds, 0 for none). */
  helloSent(keepaliveSeconds: number): void;
  /** CONNACK sent: PUBLISH/SUBSCRIBE now flow (and those that came early are handled). */
  joined(): void;
  /** The session ends: close the connection (saying why, when given). */
  hangUp(why?: string): void;
  /** The router ends the session: tell an MQTT 5 device, then close. */
  close(code?: number, reason?: string): void;
  /** The connection as the holder of its client identifier. */
  readonly holder: IdentifierHolder;
  /** Whether the connection is still open (a takeover is awaited before CONNACK). */
  readonly isOpen: boolean;
}

export class MqttHandshake {
  private connectPacket?: mqtt.IConnectPacket;
  /** The client identifier: the device's own, or one assigned for an empty one. */
  clientId = '';
  private assigned = false;
  /** GOODBYE sent before CONNACK, for a refusal. */
  private quitting = false;
  /** Set once the router welcomed the session: who claims the identifier. */
  principal: Principal = { realm: '' };
  private finishLeaving?: () => void;
  /** Set by DISCONNECT: the WAMP side finishes (flush the will, GOODBYE) before onClose. */
  leaving?: Promise<void>;

  constructor(
    private readonly host: HandshakeHost,
    private readonly settings: HandshakeSettings,
  ) {}

  /** Whether CONNECT has been read (so a DISCONNECT may tell an MQTT 5 device why). */
  get hasConnect(): boolean {
    return this.connectPacket !== undefined;
  }

  onConnect(p: mqtt.IConnectPacket): void {
    this.connectPacket = p;
    const version = (p.protocolVersion ?? 4) as Version;
    this.host.connected(version);
    this.clientId = p.clientId ?? '';
    if (this.clientId === '') {
      // MQTT 3.1.1 keeps no session for an unnamed client: it must ask for a clean one
      // (MQTT-3.1.3-8). Otherwise the server names it (MQTT-3.1.3-6; MQTT 5 returns the name).
      if (version !== 5 && !p.clean)
        return this.host.refuse(
          identifierRejectedCode(version),
          'an empty client identifier needs a clean session',
        );
      this.clientId = this.settings.clientIds?.assign() ?? `auto-${Date.now().toString(36)}`;
      this.assigned = true;
    }
    if (p.will && !topicToUri(p.will.topic)) {
      return this.host.refuse(
        Reason.TOPIC_NAME_INVALID,
        `will topic ${JSON.stringify(p.will.topic)} is no valid WAMP URI`,
      );
    }
    this.host.helloSent(p.keepalive ?? 0);
    const auth: Dict =
      p.username !== undefined
        ? { authid: p.username, authmethods: ['ticket'] }
        : { authmethods: ['anonymous'] };
    this.host.toRouter([
      M.HELLO,
      this.settings.realm,
      {
        agent: `MQTT ${version === 5 ? '5.0' : '3.1.1'} ${this.clientId}`,
        roles: {
          publisher: { features: { publisher_exclusion: true } },
          subscriber: { features: { pattern_based_subscription: true } },
          caller: { features: {} },
        },
        ...auth,
      },
    ]);
  }

  onChallenge(method: string, extra: Dict): void {
    const password = this.connectPacket?.password?.toString('utf8') ?? '';
    try {
      const { signature } = answerChallenge({ ticket: password }, method, extra ?? {});
      this.host.toRouter([M.AUTHENTICATE, signature, {}]);
    } catch {
      this.host.toRouter([M.ABORT, {}, ErrorUri.CANNOT_AUTHENTICATE]);
      this.host.refuse(Reason.BAD_USERNAME_OR_PASSWORD, `cannot answer a ${method} challenge`);
    }
  }

  onWelcome(details: Dict): void {
    this.principal = {
      realm: this.settings.realm,
      authid: details?.authmethod === 'anonymous' ? undefined : String(details?.authid ?? ''),
    };
    const ids = this.settings.clientIds;
    if (!ids) return this.addWill();
    const claim = ids.claim(this.clientId, this.host.holder);
    // Refused: no GOODBYE (the router has not yet joined the session it just welcomed); closing
    // the connection ends the session.
    if (!claim.granted) {
      return this.host.refuse(
        identifierRejectedCode(this.host.version),
        `client identifier ${JSON.stringify(this.clientId)} is in use by another user`,
      );
    }
    if (!claim.previous) return this.addWill();
    // The connected client goes first (its will published, its subscriptions gone), then CONNACK.
    void claim.previous.takeOver().then(() => {
      if (this.host.isOpen) this.addWill();
    });
  }

  /** The connection ended: its identifier is free again. */
  released(): void {
    this.settings.clientIds?.release(this.clientId, this.host.holder);
  }

  private addWill(): void {
    const will = this.connectPacket?.will;
    if (!will) return this.accept();
    // The will becomes a testament before CONNACK, so a will the role may not publish is refused.
    const options: Dict = { publish_options: will.retain ? { retain: true } : {}, scope: 'destroyed' };
    const args = [topicToUri(will.topic), mqttToArgs(Buffer.from(will.payload), this.settings.maxDepth), {}];
    this.host.request(
      (id) => [M.CALL, id, {}, 'wamp.session.add_testament', args, options],
      (code, error) => {
        // A router without the testament API cannot keep a will: the device connects without one.
        if (code !== 0 && error !== ErrorUri.NO_SUCH_PROCEDURE) {
          this.quit();
          return this.host.refuse(code, `last will refused: ${error}`);
        }
        this.accept();
      },
    );
  }

  private accept(): void {
    const version = this.host.version;
    const properties =
      version === 5
        ? {
            maximumPacketSize: this.settings.maxPacketBytes,
            retainAvailable: true,
            wildcardSubscriptionAvailable: true,
            sharedSubscriptionAvailable: false,
            subscriptionIdentifiersAvailable: false,
            ...(this.assigned ? { assignedClientIdentifier: this.clientId } : {}),
          }
        : undefined;
    this.host.write({ cmd: 'connack', sessionPresent: false, ...acceptCode(version), properties });
    this.host.joined();
  }

  /** ABORT: a refused login before CONNACK, else the end of the session. */
  onAbort(beforeConnack: boolean, reason: string, args?: unknown[]): void {
    const text = typeof args?.[0] === 'string' ? `: ${args[0]}` : '';
    if (beforeConnack) {
      // Without a username the device asked for anonymous access, which the realm refused.
      const code =
        this.connectPacket?.username === undefined
          ? connackCode(ErrorUri.NOT_AUTHORIZED, this.host.version)
          : connackCode(reason, this.host.version);
      return this.host.refuse(code, `${reason}${text}`);
    }
    this.host.hangUp(`${reason}${text}`);
  }

  /** Leaves the session before CONNACK (the connection is being refused). */
  private quit(): void {
    this.quitting = true;
    this.host.toRouter([M.GOODBYE, {}, CloseUri.NORMAL]);
  }

  onGoodbye(reason: string): void {
    // The router's answer to our GOODBYE before CONNACK: the refusal closes the connection.
    if (this.quitting) return;
    if (this.leaving) {
      this.finishLeaving?.();
      return this.host.hangUp();
    }
    // The router ends the session (shutdown, kill): answer as a WAMP client must, then hang up.
    this.host.toRouter([M.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
    this.host.close(undefined, reason);
  }

  onDisconnect(keepWill: boolean): void {
    const goodbye = (): void => this.host.toRouter([M.GOODBYE, {}, CloseUri.NORMAL]);
    this.leaving = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GOODBYE_GRACE_MS);
      this.finishLeaving = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    // A normal DISCONNECT discards the will (MQTT 5's reason 0x04 asks to publish it).
    if (this.connectPacket?.will && !keepWill) {
      this.host.request((id) => [M.CALL, id, {}, 'wamp.session.flush_testaments', [], {}], goodbye);
    } else goodbye();
  }
}
