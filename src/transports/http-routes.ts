// Plain HTTP requests under a path prefix of someone else's server (Node-RED's), taken before
// the server's own request handler sees them. Node emits 'request' to every listener, so one
// listener per server stands in for the ones it found and passes them every request that no
// prefix claims. It stays when the last prefix goes (passing everything through): socket.io and
// others attach the same way, wrapping the listeners they find, and putting the originals back
// under such a wrapper would have every request answered twice.
import type http from 'node:http';
import type https from 'node:https';

type Server = http.Server | https.Server;
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, rest: string) => void;
type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const installed = new WeakMap<Server, Map<string, Handler>>();

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
  let prefixes = installed.get(server);
  if (!prefixes) {
    const originals = server.listeners('request') as RequestListener[];
    const routes = new Map<string, Handler>();
    prefixes = routes;
    const dispatcher: RequestListener = (req, res) => {
      const path = pathOf(req.url);
      for (const [p, h] of routes) {
        if (path.startsWith(`${p}/`)) {
          h(req, res, path.slice(p.length));
          return;
        }
      }
      for (const l of originals) l.call(server, req, res);
    };
    server.removeAllListeners('request');
    server.on('request', dispatcher);
    installed.set(server, routes);
  }
  if (prefixes.has(base)) throw new Error(`the path ${base} already serves WAMP long-poll`);
  prefixes.set(base, handler);
  const routes = prefixes;
  return () => {
    if (routes.get(base) === handler) routes.delete(base);
  };
}
