// The embedded WAMP router: accepts any Transport, owns the realms, and tells what happens in
// them: typed events (router-events.ts) and a snapshot of its state (inspection.ts), both in
// plain records. Routing itself happens in each realm's broker and dealer.
import { EventEmitter } from 'node:events';
import { authenticatorsFor, LoginThrottle } from './auth';
import type { Authenticator } from './auth/authenticator';
import { Authorizer, functionPolicy, rolePolicy } from './authorizer';
import type { Action, RealmConfig } from './config';
import { resolveLimits, type RouterLimits } from './limits';
import { startMetaApi } from './meta';
import { realmSnapshot, sessionSnapshot, type RouterSnapshot, type Traffic } from './inspection';
import { Realm } from './realm';
import { RealmEventForwarder, type RouterEvents } from './router-events';
import {
  RouterSession,
  type AcceptOptions,
  type Logger,
  type SessionHost,
  type SessionInfo,
} from './session';
import type http from 'node:http';
import type https from 'node:https';
import {
  attachToHttpServer,
  listen,
  type AttachOptions,
  type ListenOptions,
  type Listener,
  type MqttAcceptor,
} from '../transports/listener';
import { listenMqtt, type MqttListener, type MqttListenOptions } from '../mqtt/mqtt-listener';
import { MqttClientIds } from '../mqtt/client-ids';
import { MqttTransport } from '../mqtt/mqtt-transport';
import { createLocalPair, markRouterEnd } from '../transports/local';
import type { Transport } from '../transports/transport';
import { CloseUri, errorStack } from '../wamp/errors';

export interface RouterOptions {
  realms?: RealmConfig[];
  /**
   * Create a realm (anonymous allowed) on the first HELLO that names it; it is removed again when
   * its last session leaves. Default false.
   */
  autoCreateRealms?: boolean;
  /** Router-enforced limit on every call in ms; 0 (default) = none. */
  callTimeoutMs?: number;
  /** A session whose transport buffers more than this many bytes is dropped. Default 16 MiB. */
  maxOutboundBytes?: number;
  /** How long close() waits for each peer to answer its GOODBYE. Default 1000 ms. */
  goodbyeTimeoutMs?: number;
  logger?: Logger;
  /** The authenticators of a realm; default: those its users' credentials call for (`authenticatorsFor`). */
  authenticators?: (realm: RealmConfig) => Authenticator[];
  /** Authorization of call/register/publish/subscribe; default: the realm's roles (`Authorizer`). */
  authorize?: (realm: RealmConfig, authrole: string, action: Action, uri: string) => boolean;
  /** Slows repeated failed logins per authid and address; default: a `LoginThrottle` with its defaults. */
  loginThrottle?: LoginThrottle;
  /** Serve the WAMP meta API (session, registration, subscription, testament) in every realm. Default true. */
  metaApi?: boolean;
  /** Most client connections at once; more are closed at once with 'connection limit'. Default 10000. */
  maxSessions?: number;
  /** What one connection or session may hold; see `RouterLimits` for each one and its default. */
  limits?: Partial<RouterLimits>;
  /**
   * Web origins whose pages may connect (WebSocket and long-poll) besides the router's own,
   * e.g. `https://app.example.com`; `*` allows any page. Clients that send no Origin (not a
   * browser) are always let through. Used by `listen` and `attach` unless they are given a list.
   */
  allowedOrigins?: string[];
}

/** MQTT clients on a listener: `true` for the defaults. */
export interface MqttOptions {
  /** The realm MQTT clients join; default the router's first realm. */
  realm?: string;
}

export type RouterListenOptions = Omit<ListenOptions, 'mqtt'> & { mqtt?: boolean | MqttOptions };
export type RouterAttachOptions = Omit<AttachOptions, 'mqtt'> & {
  path: string;
  mqtt?: boolean | MqttOptions;
};

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

const SILENT: Logger = { info() {}, warn() {}, error() {} };

export class Router extends EventEmitter<RouterEvents> implements SessionHost {
  readonly maxOutboundBytes: number;
  readonly goodbyeTimeoutMs: number;
  readonly logger: Logger;
  readonly loginThrottle: LoginThrottle;
  readonly limits: RouterLimits;
  private readonly realms = new Map<string, Realm>();
  private readonly connections = new Set<RouterSession>();
  private clientConnections = 0;
  /** Client connections that have not joined yet, and how many of them each remote address holds. */
  private readonly unjoined = new Set<RouterSession>();
  private readonly unjoinedByAddress = new Map<string, number>();
  private closing = false;
  /** Ports and HTTP servers this router was put on with `listen` / `attach`; closed with it. */
  private readonly endpoints = new Set<{ close(): unknown }>();
  /** MQTT client identifiers are unique across the router's listeners (see mqtt/client-ids.ts). */
  private readonly mqttClientIds = new MqttClientIds();
  private readonly forwarder = new RealmEventForwarder(
    this,
    () => this.realms.values(),
    (name, record) => this.tell(name as keyof RouterEvents, record as never),
  );

  constructor(private readonly options: RouterOptions = {}) {
    super();
    this.maxOutboundBytes = options.maxOutboundBytes ?? 16 * 1024 * 1024;
    this.goodbyeTimeoutMs = options.goodbyeTimeoutMs ?? 1000;
    this.logger = options.logger ?? SILENT;
    this.loginThrottle = options.loginThrottle ?? new LoginThrottle();
    this.limits = resolveLimits(options.limits);
    for (const realm of options.realms ?? []) this.addRealm(realm);
  }

  /** Takes a transport from any listener; the peer's HELLO follows on it. */
  accept(transport: Transport, options: AcceptOptions = {}): void {
    if (this.closing) {
      transport.close(1001, 'router closing');
      return;
    }
    const refusal = options.internal ? null : this.refusal(transport);
    if (refusal) {
      this.logger.warn(
        `refusing a connection from ${transport.info.remoteAddress ?? transport.info.type}: ${refusal}`,
      );
      transport.close(1013, refusal);
      return;
    }
    const session = new RouterSession(transport, this, options);
    this.connections.add(session);
    if (!session.internal) this.clientConnections++;
    session.start();
  }

  /**
   * Serves WebSocket (at `path`, default `/ws`), HTTP long-poll (at its twin) and RawSocket on one
   * port; TLS when given `tls`;
   * with `mqtt`, MQTT clients too (over TCP on the same port and over WebSocket on the path).
   */
  async listen(options: RouterListenOptions): Promise<Listener> {
    const mqtt = this.mqttAcceptor(options.mqtt, options.maxPayload);
    const listener = await listen(this.withDefaults({ ...options, mqtt }), (t) => this.accept(t));
    this.endpoints.add(listener);
    return listener;
  }

  /** A port where every connection is an MQTT client (1883 by convention). */
  async listenMqtt(
    options: MqttListenOptions & MqttOptions & { maxPayload?: number },
  ): Promise<MqttListener> {
    const accept = this.mqttAcceptor(options, options.maxPayload)!;
    const listener = await listenMqtt(options, accept, (t) => this.accept(t));
    this.endpoints.add(listener);
    return listener;
  }

  /** Serves WAMP over WebSocket on an existing HTTP(S) server at `path`, leaving its other paths alone. */
  attach(server: http.Server | https.Server, options: RouterAttachOptions): { close(): void } {
    const mqtt = this.mqttAcceptor(options.mqtt, options.maxPayload);
    const attached = attachToHttpServer(server, options.path, this.withDefaults({ ...options, mqtt }), (t) =>
      this.accept(t),
    );
    const endpoint = {
      close: () => {
        this.endpoints.delete(endpoint);
        attached.close();
      },
    };
    this.endpoints.add(endpoint);
    return endpoint;
  }

  private withDefaults<T extends AttachOptions>(options: T): T {
    return {
      allowedOrigins: this.options.allowedOrigins,
      log: (message: string) => this.logger.warn(message),
      // Payloads pass from one peer to another in the bytes they came in (same serializer).
      passPayloads: true,
      maxDepth: this.limits.maxDepth,
      ...options,
    };
  }

  /** An in-process connection: returns the client end of a local transport pair. */
  connectLocal(options: AcceptOptions = {}): Transport {
    const [routerEnd, clientEnd] = createLocalPair();
    this.accept(routerEnd, options);
    markRouterEnd(clientEnd);
    return clientEnd;
  }

  addRealm(config: RealmConfig): void {
    if (this.realms.has(config.name)) throw new Error(`realm ${config.name} exists already`);
    this.createRealm(config);
  }

  /** Removes a realm; its sessions get GOODBYE wamp.close.close_realm. */
  removeRealm(name: string): void {
    const realm = this.realms.get(name);
    if (!realm) return;
    this.realms.delete(name);
    realm.removed = true;
    this.tell('realm-remove', name);
    void realm.shutdown(CloseUri.CLOSE_REALM).then(() => this.forwarder.removed(realm));
  }

  /**
   * A realm by name, for in-process extensions such as the meta API peer: the live object, not
   * public API (`snapshot()` and the events are).
   */
  realm(name: string): Realm | undefined {
    return this.realms.get(name);
  }

  /** The names of the realms, in creation order. */
  realmNames(): string[] {
    return [...this.realms.keys()];
  }

  /** Client sessions of every realm; the router's own (the meta API peers) are not counted. */
  get sessionCount(): number {
    let n = 0;
    for (const realm of this.realms.values()) n += realm.clients().length;
    return n;
  }

  /** Client connections still in their opening handshake (not joined to a realm). */
  get handshakingCount(): number {
    return this.unjoined.size;
  }

  /** The client sessions of one realm or of all. */
  sessions(realm?: string): SessionInfo[] {
    const realms =
      realm === undefined
        ? [...this.realms.values()]
        : [this.realms.get(realm)].filter((r): r is Realm => !!r);
    return realms.flatMap((r) => r.clients().map(sessionSnapshot));
  }

  /** What the router holds now, as plain records: realms, client sessions, registrations, subscriptions, counters. */
  snapshot(): RouterSnapshot {
    return {
      realms: [...this.realms.values()].map(realmSnapshot),
      sessionCount: this.sessionCount,
      handshakingCount: this.handshakingCount,
    };
  }

  /** The client messages of a realm since it was created (cheaper than a snapshot, for rates). */
  traffic(realm: string): Traffic | undefined {
    const t = this.realms.get(realm)?.traffic;
    return t && { ...t };
  }

  /** GOODBYE wamp.close.system_shutdown to every session, then close every transport and endpoint. */
  async close(): Promise<void> {
    this.closing = true;
    for (const realm of this.realms.values()) realm.closing();
    // Let the testaments published on 'closing' reach the broker first (see Realm.shutdown).
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...this.connections].map((s) => s.shutdown(CloseUri.SYSTEM_SHUTDOWN)));
    const endpoints = [...this.endpoints];
    this.endpoints.clear();
    await Promise.all(endpoints.map((e) => e.close()));
  }

  /** What a listener needs to hand MQTT connections to this router (undefined when `mqtt` is off). */
  mqttAcceptor(mqtt: boolean | MqttOptions | undefined, maxPayload?: number): MqttAcceptor | undefined {
    if (!mqtt) return undefined;
    const realm = mqtt === true ? undefined : mqtt.realm;
    return (stream, meta) =>
      new MqttTransport(stream, {
        ...meta,
        // Resolved per connection: realms may be added after the listener starts.
        realm: realm ?? this.realmNames()[0] ?? 'realm1',
        maxPacketBytes: maxPayload ?? DEFAULT_MAX_PAYLOAD,
        maxDepth: this.limits.maxDepth,
        clientIds: this.mqttClientIds,
      });
  }

  /** Why a new client connection is refused at once, if it is. */
  private refusal(transport: Transport): string | null {
    if (this.clientConnections >= (this.options.maxSessions ?? 10_000)) return 'connection limit';
    if (this.unjoined.size >= this.limits.maxPendingSessions)
      return 'too many connections in their handshake';
    const address = transport.info.remoteAddress;
    if (
      address !== undefined &&
      (this.unjoinedByAddress.get(address) ?? 0) >= this.limits.maxPendingPerAddress
    )
      return 'too many connections in their handshake from this address';
    return null;
  }

  // SessionHost

  realmFor(name: string): Realm | undefined {
    const realm = this.realms.get(name);
    if (realm || !this.options.autoCreateRealms || this.closing) return realm;
    this.logger.info(`creating realm ${name} on demand`);
    return this.createRealm({ name, anonymous: true }, true);
  }

  handshaking(session: RouterSession, on: boolean): void {
    const address = session.transport.info.remoteAddress;
    if (on === this.unjoined.has(session)) return;
    if (on) this.unjoined.add(session);
    else this.unjoined.delete(session);
    if (address === undefined) return;
    const n = (this.unjoinedByAddress.get(address) ?? 0) + (on ? 1 : -1);
    if (n > 0) this.unjoinedByAddress.set(address, n);
    else this.unjoinedByAddress.delete(address);
  }

  closed(session: RouterSession): void {
    if (!this.connections.delete(session)) return;
    if (!session.internal) this.clientConnections--;
    this.handshaking(session, false);
  }

  /**
   * Emits a router event. A listener that throws is logged, not let into the routing that
   * raised the event (a REGISTERED or a WELCOME would never be sent).
   */
  private tell<K extends keyof RouterEvents>(event: K, ...args: RouterEvents[K]): void {
    try {
      // Node's typing cannot follow a generic event name through to its arguments.
      (this as EventEmitter).emit(event, ...args);
    } catch (e) {
      this.logger.error(`a '${event}' listener failed: ${errorStack(e)}`);
    }
  }

  private createRealm(config: RealmConfig, onDemand = false): Realm {
    const authenticators = (this.options.authenticators ?? authenticatorsFor)(config);
    const custom = this.options.authorize;
    const policy = custom
      ? functionPolicy((authrole, action, uri) => custom(config, authrole, action, uri))
      : rolePolicy(new Authorizer(config.roles));
    const realm = new Realm(config, authenticators, policy, {
      callTimeoutMs: this.options.callTimeoutMs ?? 0,
      logger: this.logger,
      limits: this.limits,
    });
    realm.on('session-join', (s: RouterSession) => {
      if (!s.internal) this.tell('session-join', sessionSnapshot(s));
    });
    realm.on('session-leave', (s: RouterSession) => {
      if (!s.internal) this.tell('session-leave', sessionSnapshot(s));
      // A realm made for its sessions goes with the last of them, and its retained events with it.
      if (onDemand && !s.internal && realm.clients().length === 0 && this.realms.get(config.name) === realm) {
        this.logger.info(`removing realm ${config.name}, created on demand, now that its last session left`);
        this.removeRealm(config.name);
      }
    });
    this.realms.set(config.name, realm);
    this.forwarder.added(realm);
    if (this.options.metaApi !== false) startMetaApi(this, realm);
    this.tell('realm-create', config.name);
    return realm;
  }
}
