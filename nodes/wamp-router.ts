// wamp-router: an embedded WAMP router. Reachable in-process by wamp-connection nodes (through
// the router registry), on its own port (WebSocket, RawSocket and HTTP long-poll), and/or at a
// path of Node-RED's own HTTP server (WebSocket and HTTP long-poll).
import { Router, type AttachOptions, type RouterListenOptions } from './shared/library';
import { flag, numberOption, secondsAsMs } from './shared/options';
import type { NodeAPI, NodeDef, Node, TlsConfigNode } from './shared/red-types';
import {
  buildRealms,
  routerCredentialTypes,
  slotCredential,
  type RouterFormDef,
} from './shared/router-config';
import { watchRouter } from './shared/router-events';
import { publishRouter, withdrawRouter } from './shared/router-registry';
import { within } from './shared/within';

interface WampRouterDef extends NodeDef, RouterFormDef {
  usePort?: boolean;
  host?: string;
  port?: number | string;
  path?: string;
  useHttp?: boolean;
  httpPath?: string;
  tls?: string;
  maxPayload?: number | string;
  /** Web origins allowed besides the router's own, separated by commas or white space. */
  origins?: string;
  /** Seconds between WebSocket pings / RawSocket PINGs to each client; 0 turns keepalive off. */
  keepalive?: number | string;
  /** Seconds a client has to answer; a silent one is dropped (and its testaments fire). */
  keepaliveTimeout?: number | string;
  callTimeout?: number | string;
  autoCreateRealms?: boolean;
  /** Output router events (session join/leave, registrations and subscriptions created/deleted). */
  outputEvents?: boolean;
  /** Accept MQTT clients on the router's port and WebSocket paths. */
  mqtt?: boolean;
  /** The realm MQTT clients join; blank = the first realm. */
  mqttRealm?: string;
  /** A port of its own for MQTT (1883 by convention); blank = none. */
  mqttPort?: number | string;
}

interface RouterCredentials {
  /** Flows saved before credential slots: JSON object "realm/authid" → ticket or wampcra secret. */
  secrets?: string;
  /** `secret0`, `secret1`, ...: one user's ticket or wampcra secret each (see router-config.ts). */
  [slot: string]: string | undefined;
}

/** Node-RED waits 15 s for close handlers; keep well inside it. */
const CLOSE_GRACE_MS = 8000;

/** Keepalive defaults: a client gone silent is dropped within about 40 s. */
function keepaliveOf(def: WampRouterDef): { keepaliveMs: number; keepaliveTimeoutMs: number } {
  return {
    keepaliveMs: numberOption(def.keepalive, 30) * 1000,
    keepaliveTimeoutMs: numberOption(def.keepaliveTimeout, 10) * 1000,
  };
}

/** A path as typed, with its leading slash; blank: none (the library's default applies). */
function withSlash(p: string | undefined): string | undefined {
  const s = (p ?? '').trim();
  if (s === '') return undefined;
  return s.startsWith('/') ? s : `/${s}`;
}

/** A host as typed; blank: none (the library's default, 127.0.0.1, applies). */
const hostOf = (def: WampRouterDef): string | undefined => (def.host ?? '').trim() || undefined;

/** What a failed listen says: the address the system names, or the one asked for. */
function listenError(
  RED: NodeAPI,
  e: NodeJS.ErrnoException & { address?: string; port?: number },
  host: string | undefined,
  port: number,
): string {
  if (e.code !== 'EADDRINUSE') return e.message;
  return RED._('wamp-router.errors.port-in-use', { host: e.address ?? host, port: e.port ?? port });
}

function joinPath(root: string, sub: string): string {
  return (root.endsWith('/') ? root.slice(0, -1) : root) + sub;
}

export = function (RED: NodeAPI): void {
  function WampRouter(this: Node<RouterCredentials>, def: WampRouterDef): void {
    RED.nodes.createNode(this, def);
    const closers: Array<() => Promise<void> | void> = [];
    let router: Router | null = null;
    let realmNames: string[] = [];
    let closed = false;

    /** A listening failure stays visible: session counts (in-process users) do not overwrite it. */
    let failed = false;
    const fail = (key: string, error: string): void => {
      failed = true;
      this.status({ fill: 'red', shape: 'dot', text: 'wamp-router.status.error' });
      this.error(RED._(key, { error }));
    };

    try {
      const credentials = this.credentials ?? {};
      const realms = buildRealms(def, credentials.secrets, (n) => credentials[slotCredential(n)]);
      realmNames = realms.map((realm) => realm.name);
      // Each realm's roles authorize (a realm created on demand has none: everything is allowed
      // but the router's privileged meta procedures), as in the CLI.
      router = new Router({
        realms,
        autoCreateRealms: flag(def.autoCreateRealms, false),
        callTimeoutMs: secondsAsMs(def.callTimeout, undefined),
        // Browsers' pages from other origins are refused (and logged as warnings) unless listed.
        allowedOrigins: (def.origins ?? '').split(/[\s,]+/).filter((o) => o !== ''),
        logger: {
          info: (m: unknown) => this.log(m),
          warn: (m: unknown) => this.warn(m),
          error: (m: unknown) => this.error(m),
        },
      });
    } catch (e) {
      fail('wamp-router.errors.bad-config', (e as Error).message);
      return;
    }
    const r = router;
    publishRouter(this.id, r);

    const showCount = (): void => {
      if (closed || failed) return;
      const n = r.sessionCount;
      this.status({
        fill: 'green',
        shape: 'dot',
        text: RED._(n === 1 ? 'wamp-router.status.session' : 'wamp-router.status.sessions', { count: n }),
      });
    };
    r.on('session-join', showCount);
    r.on('session-leave', showCount);
    showCount();
    if (flag(def.outputEvents, false)) {
      const stop = watchRouter(r, (msg) => {
        if (!closed) this.send(msg);
      });
      closers.push(stop);
    }

    const maxPayload = parseInt(String(def.maxPayload ?? ''), 10);
    // Blank: the library's default (16 MiB).
    const maxPayloadBytes = Number.isSafeInteger(maxPayload) && maxPayload > 0 ? maxPayload : undefined;
    const limits = { maxPayload: maxPayloadBytes, ...keepaliveOf(def) };
    const mqttRealm = (def.mqttRealm ?? '').trim() || undefined;
    // Without a realm MQTT clients join the router's first.
    const mqtt = flag(def.mqtt, false) ? { realm: mqttRealm } : undefined;
    if (mqttRealm && mqtt && !realmNames.includes(mqttRealm)) {
      fail('wamp-router.errors.bad-config', RED._('wamp-router.errors.mqtt-realm', { realm: mqttRealm }));
    }
    const tlsOptions = (): Record<string, unknown> | undefined => {
      if (!def.tls) return undefined;
      const tlsNode = RED.nodes.getNode(def.tls) as TlsConfigNode | null;
      const options: Record<string, unknown> = {};
      tlsNode?.addTLSOptions(options);
      return tlsNode ? options : undefined;
    };

    if (flag(def.usePort, false)) {
      const host = hostOf(def);
      const port = parseInt(String(def.port ?? ''), 10);
      const tls = tlsOptions();
      if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
        fail(
          'wamp-router.errors.bad-config',
          RED._('wamp-router.errors.bad-port', { port: String(def.port) }),
        );
      } else {
        // The router closes its listeners with it; one that opens after the node closed is closed here.
        const options: RouterListenOptions = { host, port, path: withSlash(def.path), tls, mqtt, ...limits };
        r.listen(options).then(
          (listener) => {
            if (closed) return void listener.close();
            this.log(RED._('wamp-router.log.listening', { url: listener.url }));
          },
          (e: NodeJS.ErrnoException) =>
            fail('wamp-router.errors.listen-failed', listenError(RED, e, host, port)),
        );
      }
    }

    if (flag(def.useHttp, false)) {
      const server = RED.server;
      const root = typeof RED.settings.httpNodeRoot === 'string' ? RED.settings.httpNodeRoot : '/';
      const path = joinPath(root, withSlash(def.httpPath) ?? '/wamp');
      // As for core websocket nodes: Node-RED's httpNodeAuth covers neither, this setting does.
      const verify = RED.settings.webSocketNodeVerifyClient;
      const verifyClient =
        typeof verify === 'function' ? (verify as AttachOptions['verifyClient']) : undefined;
      if (!server) {
        fail('wamp-router.errors.listen-failed', RED._('wamp-router.errors.no-http-server'));
      } else {
        try {
          r.attach(server, { ...limits, path, mqtt, verifyClient });
          this.log(RED._('wamp-router.log.attached', { path }));
        } catch (e) {
          fail('wamp-router.errors.listen-failed', (e as Error).message);
        }
      }
    }

    const mqttPort = String(def.mqttPort ?? '').trim();
    if (mqtt && mqttPort !== '') {
      const host = hostOf(def);
      const port = parseInt(mqttPort, 10);
      if (!/^\d+$/.test(mqttPort) || port > 65535) {
        fail('wamp-router.errors.bad-config', RED._('wamp-router.errors.bad-port', { port: mqttPort }));
      } else {
        r.listenMqtt({ host, port, tls: tlsOptions(), realm: mqttRealm, maxPayload: maxPayloadBytes }).then(
          (listener) => {
            if (closed) return void listener.close();
            this.log(RED._('wamp-router.log.listening', { url: listener.url }));
          },
          (e: NodeJS.ErrnoException) =>
            fail('wamp-router.errors.listen-failed', listenError(RED, e, host, port)),
        );
      }
    }

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      withdrawRouter(this.id, r);
      const all = closers.splice(0).map((c) => Promise.resolve().then(c));
      within(Promise.all([r.close(), ...all]), CLOSE_GRACE_MS).then(() => {
        this.status({});
        done();
      });
    });
  }

  RED.nodes.registerType('wamp-router', WampRouter, { credentials: routerCredentialTypes() });
};
