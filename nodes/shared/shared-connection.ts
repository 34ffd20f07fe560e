// The state behind a wamp-connection config node, apart from Node-RED: one Connection shared by
// the user nodes, opened for the first user and closed after the last (the MQTT broker node's
// register/deregister), its state pushed to every user as node status, and one log line per
// change (as core MQTT: connected, outage, closed; nothing per retry). The node file only builds
// it from the form and hands Node-RED's methods to it, so tests drive it without a runtime.
import type { Built } from './connection-config';
import type { ConnectionDetail, WampUser } from './connection-node';
import { AUTH_REFUSALS, Connection, type ConnectionStatus as Status, ErrorUri } from './library';
import type { NodeStatus } from './red-types';
import { within } from './within';

/** How long a request waits for a connection attempt under way (e.g. at deploy) before failing. */
const READY_WAIT_MS = 5000;
/** Node-RED waits 15 s for close handlers; a session must not hold a redeploy longer than this. */
const CLOSE_GRACE_MS = 5000;
/** How long `msg.action = "connect"` waits for the session before reporting an error. */
const CONNECT_WAIT_MS = 10000;

/** What of a user node the connection needs: where to show status, what to tell it. */
export type ConnectionUserView = Pick<
  WampUser,
  'id' | 'name' | 'type' | 'status' | 'wampLost' | 'ownStatus' | 'refusals'
>;

/** What the connection needs of its node: the catalogue, the log, and where it goes. */
export interface ConnectionHost {
  /** Message catalogue lookup (Node-RED's `RED._`). */
  _(key: string, substitutions?: Record<string, unknown>): string;
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Where the connection goes, for the log: the URL, or the in-process router by name. */
  endpoint(): string;
}

export interface SharedConnectionSettings {
  /** The form turned into Connection options, or what is wrong with the form. */
  built: Built | { error: string };
  /** The realm as configured (shown until a session says otherwise). */
  realm: string;
  /** Open the connection for the first user; off: only requests and "connect" open it. */
  autoConnect: boolean;
}

/** The status key for a connection that failed (a fatal ABORT, or no more retries). */
function failureOf(
  s: Extract<Status, { state: 'failed' }>,
): 'auth-failed' | 'no-realm' | 'gave-up' | 'failed' {
  const uri = s.error?.uri;
  if (uri !== undefined && AUTH_REFUSALS.has(uri)) return 'auth-failed';
  if (uri === ErrorUri.NO_SUCH_REALM) return 'no-realm';
  if (s.gaveUp) return 'gave-up';
  return 'failed';
}

const DISCONNECTED: NodeStatus = { fill: 'red', shape: 'ring', text: 'wamp-connection.status.disconnected' };

export class SharedConnection {
  private readonly users = new Map<string, ConnectionUserView>();
  private readonly built: Built | null;
  private readonly configError: string | null;
  private conn: Connection | null = null;
  private status: NodeStatus = DISCONNECTED;
  private isConnected = false;
  /** Set once an outage has been logged: one line per outage, nothing per retry. */
  private outageLogged = false;
  /** Publications the queue dropped during this outage (warned once, counted on reconnect). */
  private droppedInOutage = 0;
  /** The last status in full, for the editor: the status text is short. */
  private last: { status: Status | { state: 'config-error'; reason: string }; since: Date } = {
    status: { state: 'closed' },
    since: new Date(),
  };
  /** Set by a "disconnect" action: nothing opens the connection until a "connect" action. */
  private held = false;

  constructor(
    private readonly settings: SharedConnectionSettings,
    private readonly host: ConnectionHost,
  ) {
    const b = settings.built;
    this.built = 'error' in b ? null : b;
    this.configError = 'error' in b ? b.error : null;
    if (this.configError !== null) {
      this.last = { status: { state: 'config-error', reason: this.configError }, since: new Date() };
      this.status = { fill: 'red', shape: 'dot', text: 'wamp-connection.status.config-error' };
      host.error(host._('wamp-connection.errors.bad-config', { error: this.configError }));
    }
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Adds a user; the first one opens the connection (when auto-connect is on). */
  register(user: ConnectionUserView): void {
    this.users.set(user.id, user);
    if (!this.configError && this.settings.autoConnect && !this.held) this.open();
    user.status(this.statusFor(user));
  }

  /** Shows the user's status anew: its own state while connected, else the connection's. */
  refresh(user: ConnectionUserView): void {
    if (this.users.has(user.id)) user.status(this.statusFor(user));
  }

  /** Removes a user; after the last one the connection is closed, then `done` is called. */
  deregister(user: ConnectionUserView, done: () => void): void {
    this.users.delete(user.id);
    if (this.users.size > 0 || !this.conn) return done();
    this.close().then(done, done);
  }

  /** The connection for a request: see WampConnectionNode.ready. */
  async ready(): Promise<Connection> {
    if (this.held) return this.get();
    const c = this.open();
    if (this.isConnected || c.status.state !== 'connecting') return c;
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
  }

  /** The connection without opening it; throws when the form is wrong. */
  connection(): Connection {
    return this.get();
  }

  /** `msg.action = "connect"`: opens the session (again); resolves once it is established. */
  async connect(): Promise<void> {
    this.held = false;
    await this.open().connected(CONNECT_WAIT_MS);
  }

  /** `msg.action = "disconnect"`: closes the session and keeps it closed until `connect()`. */
  async disconnect(): Promise<void> {
    this.held = true;
    if (this.conn) await within(this.conn.close(), CLOSE_GRACE_MS);
  }

  /** Closes the connection (the node is closing, or its last user left). */
  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    const wasConnected = this.isConnected;
    this.isConnected = false;
    if (!c) return;
    if (wasConnected) for (const u of this.users.values()) u.wampLost?.();
    await within(c.close(), CLOSE_GRACE_MS);
  }

  /** The detail behind the short status, for the editor. */
  detail(): ConnectionDetail {
    const s = this.last.status;
    const d: ConnectionDetail = {
      state: s.state,
      endpoint: this.host.endpoint(),
      realm: this.settings.realm,
      since: this.last.since.toISOString(),
      queued: this.conn?.queuedPublishes ?? 0,
      dropped: this.droppedInOutage,
      users: this.users.size,
      refused: [...this.users.values()].flatMap((u) =>
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
      d.nextRetry = new Date(this.last.since.getTime() + s.retryInMs).toISOString();
    return d;
  }

  private statusFor(user: ConnectionUserView): NodeStatus {
    return (this.isConnected && user.ownStatus?.()) || this.status;
  }

  private push(next: NodeStatus): void {
    this.status = next;
    for (const u of this.users.values()) u.status(this.statusFor(u));
  }

  private get manyUrls(): boolean {
    return (this.built?.urlCount ?? 1) > 1;
  }

  /** Short texts (Node-RED's guide: under 20 characters); the detail goes to the log. */
  private statusOf(s: Status): NodeStatus {
    const _ = this.host._.bind(this.host);
    switch (s.state) {
      case 'connecting':
        return { fill: 'yellow', shape: 'ring', text: 'wamp-connection.status.connecting' };
      case 'connected':
        // With several routers, which one it is on (a value: the runtime's language).
        return {
          fill: 'green',
          shape: 'dot',
          text:
            s.url && this.manyUrls
              ? _('wamp-connection.status.connected-to', { realm: s.realm, url: s.url })
              : 'wamp-connection.status.connected',
        };
      case 'disconnected':
        return s.retryInMs !== undefined
          ? {
              fill: 'red',
              shape: 'ring',
              text: _('wamp-connection.status.retrying', { seconds: Math.ceil(s.retryInMs / 1000) }),
            }
          : DISCONNECTED;
      case 'failed':
        return { fill: 'red', shape: 'dot', text: `wamp-connection.status.${failureOf(s)}` };
      default:
        return DISCONNECTED;
    }
  }

  /** Logs like core MQTT's: one line when connected, one when an outage starts, none per retry. */
  private logStatus(s: Status, wasConnected: boolean): void {
    const h = this.host;
    const where = h.endpoint();
    switch (s.state) {
      case 'connected': {
        this.outageLogged = false;
        h.log(
          h._('wamp-connection.log.connected', {
            endpoint: where,
            realm: s.realm,
            authid: String(s.details.authid ?? ''),
            authrole: String(s.details.authrole ?? ''),
          }),
        );
        if (this.droppedInOutage > 0)
          h.warn(h._('wamp-connection.log.dropped-total', { count: this.droppedInOutage }));
        this.droppedInOutage = 0;
        return;
      }
      case 'disconnected': {
        if (this.outageLogged) return;
        this.outageLogged = true;
        const key = wasConnected ? 'wamp-connection.log.lost' : 'wamp-connection.log.unreachable';
        const retry =
          s.retryInMs !== undefined
            ? h._('wamp-connection.log.retry-in', { seconds: Math.ceil(s.retryInMs / 1000) })
            : h._('wamp-connection.log.no-retry');
        h.warn(h._(key, { endpoint: where, reason: s.reason, retry }));
        return;
      }
      case 'failed': {
        if (this.outageLogged && !wasConnected) return;
        this.outageLogged = true;
        h.error(h._('wamp-connection.errors.failed', { endpoint: where, error: s.reason }));
        return;
      }
      case 'closed':
        if (wasConnected) h.log(h._('wamp-connection.log.closed', { endpoint: where }));
        this.outageLogged = false;
        return;
      default:
        return;
    }
  }

  /** The connection, created on first need; registrations made on it persist across reconnects. */
  private get(): Connection {
    const built = this.built;
    if (this.configError !== null || !built)
      throw new Error(this.host._('wamp-connection.errors.bad-config', { error: this.configError }));
    if (this.conn) return this.conn;
    const c = new Connection(built.options);
    this.conn = c;
    let up = false; // this connection's own state, also while it is being shut
    c.on('status', (s: Status) => {
      const wasUp = up;
      up = s.state === 'connected';
      this.logStatus(s, wasUp);
      if (this.conn !== c) return; // a connection being closed after its last user left
      this.last = { status: s, since: new Date() };
      const wasConnected = this.isConnected;
      this.isConnected = up;
      this.push(this.statusOf(s));
      if (s.state === 'connected' && s.url && this.manyUrls)
        this.host.log(this.host._('wamp-connection.log.connected-to', { url: s.url, realm: s.realm }));
      if (wasConnected && !this.isConnected) for (const u of this.users.values()) u.wampLost?.();
    });
    // Refused registrations and subscriptions are reported by the nodes that asked for them.
    c.on('publishDropped', (info: { topic: string; reason: string }) => {
      if (this.droppedInOutage++ === 0)
        this.host.warn(
          this.host._(`wamp-connection.log.dropped-${info.reason === 'bytes' ? 'bytes' : 'count'}`, {
            topic: info.topic,
            count: built.options.publishQueue,
            kb: Math.round((built.options.publishQueueBytes ?? 0) / 1024),
          }),
        );
    });
    return c;
  }

  private open(): Connection {
    const c = this.get();
    c.open();
    return c;
  }
}
