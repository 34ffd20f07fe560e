// Plain HTTP requests under a path prefix of someone else's server (Node-RED's), taken before
// the server's own request handler sees them. Node emits 'request' to every listener, so one
// listener per server stands in for the ones it found and passes them every request that no
// prefix claims; when the last prefix goes, the original listeners are put back.
import type http from 'node:http';
import type https from 'node:https';

type Server = http.Server | https.Server;
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, rest: string) => void;
type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Routes {
  prefixes: Map<string, Handler>;
  originals: RequestListener[];
  dispatcher: RequestListener;
}

const installed = new WeakMap<Server, Routes>();

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/**
 * Routes requests whose path is `prefix/...` to `handler` (with the part after the prefix).
 * Returns the function that removes the route. Throws if the prefix is taken on this server.
 */
export function routeHttpRequests(server: Server, prefix: string, handler: Handler): () => void {
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  let routes = installed.get(server);
  if (!routes) {
    const originals = server.listeners('request') as RequestListener[];
    const prefixes = new Map<string, Handler>();
    const dispatcher: RequestListener = (req, res) => {
      const path = pathOf(req.url);
      for (const [p, h] of prefixes) {
        if (path.startsWith(`${p}/`)) {
          h(req, res, path.slice(p.length));
          return;
        }
      }
      for (const l of originals) l.call(server, req, res);
    };
    routes = { prefixes, originals, dispatcher };
    server.removeAllListeners('request');
    server.on('request', dispatcher);
    installed.set(server, routes);
  }
  if (routes.prefixes.has(base)) throw new Error(`the path ${base} already serves WAMP long-poll`);
  routes.prefixes.set(base, handler);
  const r = routes;
  return () => {
    if (r.prefixes.get(base) !== handler) return;
    r.prefixes.delete(base);
    if (r.prefixes.size > 0 || installed.get(server) !== r) return;
    installed.delete(server);
    server.off('request', r.dispatcher);
    for (const l of r.originals) server.on('request', l);
  };
}
