// wamp-connection: one shared WAMP session per config node, opened for the first user node and
// closed after the last, with its state pushed to every user as node status.
import {
  buildConnectionOptions,
  type Built,
  type WampConnectionCredentials,
  type WampConnectionDef,
} from './shared/connection-config';
import {
  type ConnectionDetail,
  getConnectionNode,
  type WampConnectionNode,
  type WampUser,
} from './shared/connection-node';
import { AUTH_REFUSALS, ErrorUri, errorMessage } from '../src/index';
import { Connection, type ConnectionStatus as Status, type Transport } from './shared/library';
import type { Node, NodeAPI, NodeStatus, TlsConfigNode } from './shared/red-types';
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

/** The status key for a connection that failed (a fatal ABORT, or no more retries), by its URI. */
function failureOf(
  s: Extract<Status, { state: 'failed' }>,
): 'auth-failed' | 'no-realm' | 'gave-up' | 'failed' {
  const uri = s.error?.uri;
  if (uri !== undefined && AUTH_REFUSALS.has(uri)) return 'auth-failed';
  if (uri === ErrorUri.NO_SUCH_REALM) return 'no-realm';
  if (s.gaveUp) return 'gave-up';
  return 'failed';
}

export = function (RED: NodeAPI): void {
  function WampConnection(this: WampConnectionNode, def: WampConnectionDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const creds = (node.credentials ?? {}) as WampConnectionCredentials;
    const users = new Map<string, WampUser>();
    const autoConnect = def.autoConnect !== false && String(def.autoConnect) !== 'false';
    let conn: Connection | null = null;
    let status: NodeStatus = { fill: 'red', shape: 'ring', text: 'wamp-connection.status.disconnected' };
    let isConnected = false;
    /** Set once an outage has been logged: one line per outage, nothing per retry. */
    let outageLogged = false;
    /** Publications the queue dropped during this outage (warned once, counted on reconnect). */
    let droppedInOutage = 0;
    /** The last status in full, for the editor: the status text is short. */
    let last: { status: Status | { state: 'config-error'; reason: string }; since: Date } = {
      status: { state: 'closed' },
      since: new Date(),
    };
    /** Set by a "disconnect" action: nothing opens the connection until a "connect" action. */
    let held = false;

    let built: Built | null = null;
    let configError: string | null = null;
    try {
      built = buildConnectionOptions(def, creds, localTransport, tlsOptions);
    } catch (e) {
      configError = errorMessage(e);
      last = { status: { state: 'config-error', reason: configError }, since: new Date() };
      status = { fill: 'red', shape: 'dot', text: 'wamp-connection.status.config-error' };
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

    /** Where the connection goes, for the log: the URL, or the in-process router by name. */
    function endpoint(): string {
      if (def.transport !== 'local') return (def.url ?? '').trim();
      const router = def.router ? (RED.nodes.getNode(def.router) as Node | null) : null;
      return RED._('wamp-connection.log.in-process', { router: router?.name || def.router || '' });
    }

    function statusFor(user: WampUser): NodeStatus {
      return (isConnected && user.ownStatus?.()) || status;
    }

    function push(next: NodeStatus): void {
      status = next;
      for (const u of users.values()) u.status(statusFor(u));
    }

    /** Short texts (Node-RED's guide: under 20 characters); the detail goes to the log. */
    function statusOf(s: Status): NodeStatus {
      switch (s.state) {
        case 'connecting':
          return { fill: 'yellow', shape: 'ring', text: 'wamp-connection.status.connecting' };
        case 'connected':
          // With several routers, which one it is on (a value: the runtime's language).
          return {
            fill: 'green',
            shape: 'dot',
            text:
              s.url && (built?.urlCount ?? 1) > 1
                ? RED._('wamp-connection.status.connected-to', { realm: s.realm, url: s.url })
                : 'wamp-connection.status.connected',
          };
        case 'disconnected':
          return s.retryInMs !== undefined
            ? {
                fill: 'red',
                shape: 'ring',
                text: RED._('wamp-connection.status.retrying', { seconds: Math.ceil(s.retryInMs / 1000) }),
              }
            : { fill: 'red', shape: 'ring', text: 'wamp-connection.status.disconnected' };
        case 'failed':
          return { fill: 'red', shape: 'dot', text: `wamp-connection.status.${failureOf(s)}` };
        default:
          return { fill: 'red', shape: 'ring', text: 'wamp-connection.status.disconnected' };
      }
    }

    /** Logs like core MQTT's: one line when connected, one when an outage starts, none per retry. */
    function logStatus(s: Status, wasConnected: boolean): void {
      const where = endpoint();
      switch (s.state) {
        case 'connected': {
          outageLogged = false;
          node.log(
            RED._('wamp-connection.log.connected', {
              endpoint: where,
              realm: s.realm,
              authid: String(s.details.authid ?? ''),
              authrole: String(s.details.authrole ?? ''),
            }),
          );
          if (droppedInOutage > 0)
            node.warn(RED._('wamp-connection.log.dropped-total', { count: droppedInOutage }));
          droppedInOutage = 0;
          return;
        }
        case 'disconnected': {
          if (outageLogged) return;
          outageLogged = true;
          const key = wasConnected ? 'wamp-connection.log.lost' : 'wamp-connection.log.unreachable';
          const retry =
            s.retryInMs !== undefined
              ? RED._('wamp-connection.log.retry-in', { seconds: Math.ceil(s.retryInMs / 1000) })
              : RED._('wamp-connection.log.no-retry');
          node.warn(RED._(key, { endpoint: where, reason: s.reason, retry }));
          return;
        }
        case 'failed': {
          if (outageLogged && !wasConnected) return;
          outageLogged = true;
          node.error(RED._('wamp-connection.errors.failed', { endpoint: where, error: s.reason }));
          return;
        }
        case 'closed':
          if (wasConnected) node.log(RED._('wamp-connection.log.closed', { endpoint: where }));
          outageLogged = false;
          return;
        default:
          return;
      }
    }

    /** The connection, created on first need; registrations made on it persist across reconnects. */
    function get(): Connection {
      if (configError || !built)
        throw new Error(RED._('wamp-connection.errors.bad-config', { error: configError }));
      if (conn) return conn;
      const c = new Connection(built.options);
      conn = c;
      let up = false; // this connection's own state, also while it is being shut
      c.on('status', (s: Status) => {
        const wasUp = up;
        up = s.state === 'connected';
        logStatus(s, wasUp);
        if (conn !== c) return; // a connection being closed after its last user left
        last = { status: s, since: new Date() };
        const wasConnected = isConnected;
        isConnected = up;
        push(statusOf(s));
        if (s.state === 'connected' && s.url && (built?.urlCount ?? 1) > 1)
          node.log(RED._('wamp-connection.log.connected-to', { url: s.url, realm: s.realm }));
        if (wasConnected && !isConnected) for (const u of users.values()) u.wampLost?.();
      });
      // Refused registrations and subscriptions are reported by the nodes that asked for them.
      c.on('publishDropped', (info: { topic: string; reason: string }) => {
        if (droppedInOutage++ === 0)
          node.warn(
            RED._(`wamp-connection.log.dropped-${info.reason === 'bytes' ? 'bytes' : 'count'}`, {
              topic: info.topic,
              count: built?.options.publishQueue,
              kb: Math.round((built?.options.publishQueueBytes ?? 0) / 1024),
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
      user.status(statusFor(user));
    };

    node.refresh = (user: WampUser): void => {
      if (users.has(user.id)) user.status(statusFor(user));
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

    node.detail = (): ConnectionDetail => {
      const s = last.status;
      const d: ConnectionDetail = {
        state: s.state,
        endpoint: endpoint(),
        realm: def.realm ?? '',
        since: last.since.toISOString(),
        queued: conn?.queuedPublishes ?? 0,
        dropped: droppedInOutage,
        users: users.size,
        refused: [...users.values()].flatMap((u) =>
          (u.refusals?.() ?? []).map((error) => ({ node: u.id, name: u.name ?? '', type: u.type, error })),
        ),
      };
      if (s.state === 'connected') {
        d.sessionId = s.sessionId;
        d.realm = s.realm;
        d.authid = String(s.details.authid ?? '');
        d.authrole = String(s.details.authrole ?? '');
      }
      if ('reason' in s) d.reason = s.reason;
      if (s.state === 'disconnected' && s.retryInMs !== undefined)
        d.nextRetry = new Date(last.since.getTime() + s.retryInMs).toISOString();
      return d;
    };

    Object.defineProperty(node, 'connected', { get: () => isConnected });
    Object.defineProperty(node, 'realm', { get: () => def.realm ?? '' });

    node.on('close', (_removed: boolean, done: () => void) => {
      shut().then(done, done);
    });
  }

  // The detail behind the short status, shown in the connection's dialog.
  if (RED.httpAdmin) {
    const read = RED.auth?.needsPermission('wamp-connection.read') ?? ((_q, _r, next) => next());
    RED.httpAdmin.get('/wamp-connection/:id/state', read, (req, res) => {
      const n = getConnectionNode(RED, req.params.id);
      if (!n) return void res.status(404).json({ error: 'not_found', message: 'not deployed' });
      res.json(n.detail());
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
