// The runtime half of the editor's router view (a Node-RED plugin): admin HTTP routes under
// /wamp-router-view/, guarded by Node-RED's admin auth with the permissions wamp-router.read and
// wamp-router.write (POSTs only as JSON from the editor's own origin), and a once-a-second watch that pushes changed snapshots to the editor over
// Node-RED's comms channel. The editor half is wamp-router-view.html.
import { errorMessage } from '../src/index';
import { ErrorUri, isWampError, type Router } from './shared/library';
import type { HttpHandler, HttpRequest, HttpResponse, PluginAPI } from './shared/red-types';
import {
  killSession,
  parseCall,
  parseKill,
  parsePublish,
  testCall,
  testPublish,
} from './shared/router-operator';
import { findRouter } from './shared/router-registry';
import { sameOriginJson } from './shared/same-origin-json';
import { RouterWatch } from './shared/router-watch';

const BASE = '/wamp-router-view';
const TICK_MS = 1000;

const STATUS_OF: Record<string, number> = {
  [ErrorUri.INVALID_ARGUMENT]: 400,
  [ErrorUri.INVALID_URI]: 400,
  [ErrorUri.NO_SUCH_REALM]: 404,
  [ErrorUri.NO_SUCH_SESSION]: 404,
};

export = function (RED: PluginAPI): void {
  RED.plugins.registerPlugin('wamp-router-view', { type: 'wamp-router-view' });

  const nameOf = (id: string): string => {
    const node = RED.nodes.getNode(id) as { name?: string } | null;
    return node?.name || id;
  };
  const watch = new RouterWatch(nameOf, (topic, data) => RED.comms.publish(topic, data, false));
  // Unref'd: the watch must never keep a stopping runtime alive.
  setInterval(() => {
    try {
      watch.tick();
    } catch (e) {
      RED.log.error(`wamp-router-view: ${errorMessage(e)}`);
    }
  }, TICK_MS).unref();

  const read = RED.auth.needsPermission('wamp-router.read');
  const write = RED.auth.needsPermission('wamp-router.write');

  /** Runs a handler for a known router; every failure becomes an HTTP answer, never a crash. */
  const withRouter =
    (handle: (router: Router, req: HttpRequest, res: HttpResponse) => Promise<void> | void): HttpHandler =>
    (req, res) => {
      const router = findRouter(req.params.id);
      if (!router)
        return void res
          .status(404)
          .json({ error: 'not_found', message: `no running wamp-router node ${req.params.id}` });
      Promise.resolve()
        .then(() => handle(router, req, res))
        .catch((e: unknown) => {
          const status = isWampError(e) ? STATUS_OF[e.uri] : undefined;
          const message = errorMessage(e);
          if (status) return res.status(status).json({ error: isWampError(e) ? e.uri : 'error', message });
          RED.log.error(`wamp-router-view: ${message}`);
          res.status(500).json({ error: 'internal_error', message });
        });
    };

  RED.httpAdmin.get(`${BASE}/routers`, read, (_req, res) => res.json(watch.list()));
  RED.httpAdmin.get(
    `${BASE}/routers/:id`,
    read,
    withRouter((_router, req, res) => res.json(watch.snapshot(req.params.id))),
  );
  RED.httpAdmin.post(
    `${BASE}/routers/:id/sessions/:session/kill`,
    write,
    sameOriginJson,
    withRouter(async (router, req, res) => {
      await killSession(router, parseKill(req.params.session, req.body));
      res.json({ ok: true });
    }),
  );
  RED.httpAdmin.post(
    `${BASE}/routers/:id/call`,
    write,
    sameOriginJson,
    withRouter(async (router, req, res) => res.json(await testCall(router, parseCall(req.body)))),
  );
  RED.httpAdmin.post(
    `${BASE}/routers/:id/publish`,
    write,
    sameOriginJson,
    withRouter(async (router, req, res) => res.json(await testPublish(router, parsePublish(req.body)))),
  );
};
