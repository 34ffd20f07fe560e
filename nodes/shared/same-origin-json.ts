// A guard for the admin POST routes of this package: only a JSON body from the editor's own
// origin. Without adminAuth (the `npm start` default) Node-RED's admin API is open to any page
// the user visits, and a cross-site form can post `text/plain` or form data without asking the
// browser's CORS check; a JSON body with a foreign Origin cannot be sent that way, so refusing
// both stops such a page from acting as the editor (Node-RED's own admin API expects JSON too).
import type { HttpHandler, HttpRequest } from './red-types';

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Why the request is refused, or null: a non-JSON body, or an Origin other than this server. */
export function crossSiteRefusal(req: HttpRequest): string | null {
  const type = (header(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') return 'the body must be application/json';
  const origin = header(req, 'origin');
  // Tools (curl, scripts) send no Origin; browsers always do on a POST.
  if (origin === undefined) return null;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `the request comes from another origin (${origin})`;
  }
  const own = [header(req, 'host'), header(req, 'x-forwarded-host')].filter((h): h is string => !!h);
  return own.some((h) => h.split(',')[0].trim().toLowerCase() === host.toLowerCase())
    ? null
    : `the request comes from another origin (${origin})`;
}

export const sameOriginJson: HttpHandler = (req, res, next) => {
  const refusal = crossSiteRefusal(req);
  if (refusal) return void res.status(403).json({ error: 'forbidden', message: refusal });
  next();
};
