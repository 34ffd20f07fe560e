// wamp-connection: one shared WAMP session per config node, opened for the first user node and
// closed after the last, with its state pushed to every user as node status.
import {
  buildConnectionOptions,
  type Built,
  type WampConnectionCredentials,
  type WampConnectionDef,
} from './shared/connection-config';
import type { WampConnectionNode, WampUser } from './shared/connection-node';
import { Connection, type ConnectionStatus as Status, type Transport } from './shared/library';
import type { NodeAPI, NodeStatus, TlsConfigNode } from './shared/red-types';
import { waitForRouter } from './shared/router-registry';
import { within } from './shared/within';

/** How long an in-process connection waits for its wamp-router node before a retry. */
const ROUTER_WAIT_MS = 3000;
/** How long a request waits for a connection attempt under way (e.g. at deploy) before failing. */
const READY_WAIT_MS = 5000;
/** Node-RED waits 15 s for close handlers; a session must not hold a redeploy longer than this. */
const CLOSE_GRACE_MS = 5000;
/** How long `msg.action = "connect"` waits for the session before reporting an error. */
const CONNECT_WAIT_MS = 10000;

export = function (RED: NodeAPI): void {
  function WampConnection(this: WampConnectionNode, def: WampConnectionDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const creds = (node.credentials ?? {}) as WampConnectionCredentials;
    const users = new Map<string, WampUser>();
    const autoConnect = def.autoConnect !== false && String(def.autoConnect) !== 'false';
    let conn: Connection | null = null;
    let status: NodeStatus = {
      fill: 'red',
      shape: 'ring',
      text: RED._('wamp-connection.status.disconnected'),
    };
    let isConnected = false;
    /** Set by a "disconnect" action: nothing opens the connection until a "connect" action. */
    let held = false;

    let built: Built | null = null;
    let configError: string | null = null;
    try {
      built = buildConnectionOptions(def, creds, localTransport, tlsOptions);
    } catch (e) {
      configError = (e as Error).message;
      status = {
        fill: 'red',
        shape: 'dot',
        text: RED._('wamp-connection.status.config-error', { error: configError }),
      };
      node.error(RED._('wamp-connection.errors.bad-config', { error: configError }));
    }

    async function localTransport(routerId: string): Promise<Transport> {
      const router = await waitForRouter(routerId, ROUTER_WAIT_MS);
      return router.connectLocal();
    }

    function tlsOptions(): Record<string, unknown> | undefined {
      if (!def.tls) return undefined;
      const tlsNode = RED.nodes.getNode(def.tls) as TlsConfigNode | null;
      if (!tlsNode) return undefined;
      const opts: Record<string, unknown> = {};
      tlsNode.addTLSOptions(opts);
      // Verification is on unless the tls-config node turns it off; that opt-out must be seen.
      if (opts.rejectUnauthorized === false)
        node.warn(RED._('wamp-connection.errors.tls-unverified', { endpoint: (def.url ?? '').trim() }));
      return opts;
    }

    function push(next: NodeStatus): void {
      status = next;
      for (const u of users.values()) u.status(next);
    }

    function statusOf(s: Status): NodeStatus {
      switch (s.state) {
        case 'connecting':
          return { fill: 'yellow', shape: 'ring', text: RED._('wamp-connection.status.connecting') };
        case 'connected':
          return {
            fill: 'green',
            shape: 'dot',
            // With several routers, which one it is on.
            text:
              s.url && (built?.urlCount ?? 1) > 1
                ? RED._('wamp-connection.status.connected-to', { realm: s.realm, url: s.url })
                : RED._('wamp-connection.status.connected', { realm: s.realm }),
          };
        case 'disconnected':
          return s.retryInMs !== undefined
            ? {
                fill: 'red',
                shape: 'ring',
                text: RED._('wamp-connection.status.retrying', { seconds: Math.ceil(s.retryInMs / 1000) }),
              }
            : { fill: 'red', shape: 'ring', text: RED._('wamp-connection.status.disconnected') };
        case 'failed':
          return /authenticat|not_authorized|no_matching_auth|no_auth_method/i.test(s.reason)
            ? {
                fill: 'red',
                shape: 'dot',
                text: RED._('wamp-connection.status.auth-failed', { error: s.reason }),
              }
            : { fill: 'red', shape: 'dot', text: RED._('wamp-connection.status.error', { error: s.reason }) };
        default:
          return { fill: 'red', shape: 'ring', text: RED._('wamp-connection.status.disconnected') };
      }
    }

    /** The connection, created on first need; registrations made on it persist across reconnects. */
    function get(): Connection {
      if (configError || !built)
        throw new Error(RED._('wamp-connection.errors.bad-config', { error: configError }));
      if (conn) return conn;
      const c = new Connection(built.options);
      conn = c;
      c.on('status', (s: Status) => {
        if (conn !== c) return; // a connection being closed after its last user left
        const wasConnected = isConnected;
        isConnected = s.state === 'connected';
        push(statusOf(s));
        if (s.state === 'connected' && s.url && (built?.urlCount ?? 1) > 1)
          node.log(RED._('wamp-connection.log.connected-to', { url: s.url, realm: s.realm }));
        if (s.state === 'failed')
          node.error(RED._('wamp-connection.errors.failed', { endpoint: built?.endpoint, error: s.reason }));
        if (wasConnected && !isConnected) for (const u of users.values()) u.wampLost?.();
      });
      c.on('restoreError', (info: { kind: string; uri: string; error: Error }) => {
        node.error(
          RED._('wamp-connection.errors.restore', {
            kind: info.kind,
            uri: info.uri,
            error: info.error.message,
          }),
        );
      });
      return c;
    }

    function open(): Connection {
      const c = get();
      c.open();
      return c;
    }

    async function shut(): Promise<void> {
      const c = conn;
      conn = null;
      const wasConnected = isConnected;
      isConnected = false;
      if (!c) return;
      if (wasConnected) for (const u of users.values()) u.wampLost?.();
      await within(c.close(), CLOSE_GRACE_MS);
    }

    node.register = (user: WampUser): void => {
      users.set(user.id, user);
      if (!configError && autoConnect && !held) open();
      user.status(status);
    };

    node.deregister = (user: WampUser, done: () => void): void => {
      users.delete(user.id);
      if (users.size > 0 || !conn) return done();
      shut().then(done, done);
    };

    node.ready = async (): Promise<Connection> => {
      if (held) return get();
      const c = open();
      if (isConnected || c.status.state !== 'connecting') return c;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(settle, READY_WAIT_MS);
        function settle(): void {
          clearTimeout(timer);
          c.off('status', onStatus);
          resolve();
        }
        function onStatus(s: Status): void {
          if (s.state !== 'connecting') settle();
        }
        c.on('status', onStatus);
      });
      return c;
    };
    node.connection = (): Connection => get();

    node.connect = async (): Promise<void> => {
      held = false;
      await open().connected(CONNECT_WAIT_MS);
    };
    node.disconnect = async (): Promise<void> => {
      held = true;
      if (conn) await within(conn.close(), CLOSE_GRACE_MS);
    };

    Object.defineProperty(node, 'connected', { get: () => isConnected });
    Object.defineProperty(node, 'realm', { get: () => def.realm ?? '' });

    node.on('close', (_removed: boolean, done: () => void) => {
      shut().then(done, done);
    });
  }

  RED.nodes.registerType('wamp-connection', WampConnection, {
    credentials: {
      ticket: { type: 'password' },
      secret: { type: 'password' },
      privateKey: { type: 'password' },
    },
  });
};
