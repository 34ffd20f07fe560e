// wamp-connection: one shared WAMP session per config node, opened for the first user node and
// closed after the last, with its state pushed to every user as node status. The state and its
// rules live in SharedConnection (shared/shared-connection.ts); this file builds it from the form
// and lends it Node-RED's log, catalogue and TLS and router nodes.
import {
  buildConnectionOptions,
  type WampConnectionCredentials,
  type WampConnectionDef,
} from './shared/connection-config';
import { getConnectionNode, type WampConnectionNode } from './shared/connection-node';
import { errorMessage, type Transport } from './shared/library';
import { flag } from './shared/options';
import type { Node, NodeAPI, TlsConfigNode } from './shared/red-types';
import { waitForRouter } from './shared/router-registry';
import { SharedConnection, type SharedConnectionSettings } from './shared/shared-connection';

/** How long an in-process connection waits for its wamp-router node before a retry. */
const ROUTER_WAIT_MS = 3000;

export = function (RED: NodeAPI): void {
  function WampConnection(this: WampConnectionNode, def: WampConnectionDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const creds = (node.credentials ?? {}) as WampConnectionCredentials;

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

    let built: SharedConnectionSettings['built'];
    try {
      built = buildConnectionOptions(def, creds, localTransport, tlsOptions);
    } catch (e) {
      built = { error: errorMessage(e) };
    }
    const shared = new SharedConnection(
      { built, realm: def.realm ?? '', autoConnect: flag(def.autoConnect, true) },
      {
        _: (key, substitutions) => RED._(key, substitutions),
        log: (m) => node.log(m),
        warn: (m) => node.warn(m),
        error: (m) => node.error(m),
        endpoint: () => {
          if (def.transport !== 'local') return (def.url ?? '').trim();
          const router = def.router ? (RED.nodes.getNode(def.router) as Node | null) : null;
          return RED._('wamp-connection.log.in-process', { router: router?.name || def.router || '' });
        },
      },
    );

    node.register = (user) => shared.register(user);
    node.refresh = (user) => shared.refresh(user);
    node.deregister = (user, done) => shared.deregister(user, done);
    node.ready = () => shared.ready();
    node.connection = () => shared.connection();
    node.connect = () => shared.connect();
    node.disconnect = () => shared.disconnect();
    node.detail = () => shared.detail();
    Object.defineProperty(node, 'connected', { get: () => shared.connected });
    Object.defineProperty(node, 'realm', { get: () => def.realm ?? '' });

    node.on('close', (_removed: boolean, done: () => void) => {
      shared.close().then(done, done);
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
