// What an operator does to a running router from the editor: kill a session, call a procedure,
// publish an event. Each request is checked first (a bad one throws a WampError, which the HTTP
// layer answers with 400 or 404); then it runs through a short-lived session of the router's
// own, trusted (the operator is already authorized by Node-RED's admin auth) and internal (so
// the view does not show the tester's session coming and going). A kill goes through the meta
// API's wamp.session.kill, like any WAMP operator tool would.
import { CloseUri, ErrorUri, isValidUri, isWampError, Session, WampError, type Router } from './library';

export const DEFAULT_CALL_TIMEOUT_MS = 10000;
const MAX_CALL_TIMEOUT_MS = 300000;

export interface CallRequest {
  realm: string;
  procedure: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  timeout: number;
}

export interface PublishRequest {
  realm: string;
  topic: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  acknowledge: boolean;
}

export interface KillRequest {
  session: number;
  reason: string;
  message?: string;
}

/** A WAMP outcome to show: the answer, or the error the router or callee gave. */
export type Answer<T> =
  | ({ ok: true } & T)
  | { ok: false; error: { uri: string; args: unknown[]; kwargs: Record<string, unknown>; message: string } };

const bad = (text: string): WampError => new WampError(ErrorUri.INVALID_ARGUMENT, [text]);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function body(v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw bad('the request body must be a JSON object');
  return v;
}

function uri(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || v === '') throw bad(`${key} is required`);
  if (!isValidUri(v)) throw new WampError(ErrorUri.INVALID_URI, [`${key} "${v}" is not a valid WAMP URI`]);
  return v;
}

function payload(b: Record<string, unknown>): { args: unknown[]; kwargs: Record<string, unknown> } {
  if (b.args !== undefined && !Array.isArray(b.args)) throw bad('args must be an array');
  if (b.kwargs !== undefined && !isObject(b.kwargs)) throw bad('kwargs must be an object');
  return {
    args: (b.args as unknown[] | undefined) ?? [],
    kwargs: (b.kwargs as Record<string, unknown> | undefined) ?? {},
  };
}

export function parseCall(v: unknown): CallRequest {
  const b = body(v);
  const timeout = b.timeout ?? DEFAULT_CALL_TIMEOUT_MS;
  if (
    typeof timeout !== 'number' ||
    !Number.isInteger(timeout) ||
    timeout <= 0 ||
    timeout > MAX_CALL_TIMEOUT_MS
  ) {
    throw bad(`timeout must be a whole number of milliseconds from 1 to ${MAX_CALL_TIMEOUT_MS}`);
  }
  return { realm: uri(b, 'realm'), procedure: uri(b, 'procedure'), ...payload(b), timeout };
}

export function parsePublish(v: unknown): PublishRequest {
  const b = body(v);
  if (b.acknowledge !== undefined && typeof b.acknowledge !== 'boolean')
    throw bad('acknowledge must be true or false');
  return {
    realm: uri(b, 'realm'),
    topic: uri(b, 'topic'),
    ...payload(b),
    acknowledge: b.acknowledge !== false,
  };
}

export function parseKill(sessionParam: unknown, v: unknown): KillRequest {
  const b = v === undefined ? {} : body(v);
  const session =
    typeof sessionParam === 'string' && /^[0-9]{1,16}$/.test(sessionParam) ? Number(sessionParam) : NaN;
  if (!Number.isSafeInteger(session) || session <= 0)
    throw bad(`"${String(sessionParam)}" is not a session ID`);
  const reason = b.reason === undefined || b.reason === '' ? CloseUri.KILLED : b.reason;
  if (!isValidUri(reason))
    throw new WampError(ErrorUri.INVALID_URI, [`reason "${String(reason)}" is not a valid WAMP URI`]);
  if (b.message !== undefined && typeof b.message !== 'string') throw bad('message must be a string');
  const message = typeof b.message === 'string' && b.message.trim() !== '' ? b.message.trim() : undefined;
  return message === undefined ? { session, reason } : { session, reason, message };
}

/** Ends a client session with GOODBYE `reason` (and `message`); throws no_such_session. */
export async function killSession(router: Router, req: KillRequest): Promise<void> {
  const realm = router.sessions().find((s) => s.id === req.session)?.realm;
  if (!realm) throw new WampError(ErrorUri.NO_SUCH_SESSION, [`no session ${req.session}`]);
  const kwargs: Record<string, unknown> = { reason: req.reason };
  if (req.message !== undefined) kwargs.message = req.message;
  await asOperator(router, realm, (s) => s.call('wamp.session.kill', [req.session], kwargs));
}

export async function testCall(
  router: Router,
  req: CallRequest,
): Promise<Answer<{ args: unknown[]; kwargs: Record<string, unknown>; ms: number }>> {
  const started = Date.now();
  return answer(router, req.realm, async (s) => {
    const r = await s.call(req.procedure, req.args, req.kwargs, { timeout: req.timeout });
    return { args: r.args, kwargs: r.kwargs, ms: Date.now() - started };
  });
}

export async function testPublish(
  router: Router,
  req: PublishRequest,
): Promise<Answer<{ publication: number | null }>> {
  return answer(router, req.realm, async (s) => {
    const r = await s.publish(req.topic, req.args, req.kwargs, { acknowledge: req.acknowledge });
    return { publication: r.publicationId ?? null };
  });
}

async function answer<T>(router: Router, realm: string, act: (s: Session) => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, ...(await asOperator(router, realm, act)) };
  } catch (e) {
    if (!isWampError(e) || e.uri === ErrorUri.NO_SUCH_REALM) throw e;
    return { ok: false, error: { uri: e.uri, args: e.args, kwargs: e.kwargs, message: e.message } };
  }
}

async function asOperator<T>(router: Router, realm: string, act: (s: Session) => Promise<T>): Promise<T> {
  // Only existing realms: the editor must not create realms on a router that does so on demand.
  if (!router.realmNames().includes(realm))
    throw new WampError(ErrorUri.NO_SUCH_REALM, [`no realm ${realm}`]);
  const session = new Session(router.connectLocal({ trusted: true, internal: true }), { realm });
  await session.join();
  try {
    return await act(session);
  } finally {
    await session.leave();
  }
}
