// Session meta API: who is in the realm (count, list, get), forced closing (kill, kill_by_authid,
// kill_by_authrole, kill_all), and the on_join / on_leave events. The router's own sessions are
// never reported and cannot be killed. The kill procedures need a role that grants them by name
// (the realm refuses them otherwise), and other sessions' remote address and port are shown only
// to a session whose role grants `wamp.session.get` by name: a device must not learn where the
// others connect from.
import type { MetaContext, Procedures } from './meta-peer';
import { idArg, invalid, stringArg, stringListArg } from './args';
import type { RouterSession } from '../session';
import { CloseUri, ErrorUri, WampError } from '../../wamp/errors';
import type { Dict, Kwargs } from '../../wamp/messages';
import { isValidUri } from '../../wamp/uri';
import type { TransportInfo } from '../../transports/transport';

export const SESSION_META_FEATURE = 'session_meta_api';
const ON_JOIN = 'wamp.session.on_join';
const ON_LEAVE = 'wamp.session.on_leave';

export function sessionApi(meta: MetaContext): Procedures {
  const realm = meta.realm;
  meta.on('session-join', (s: RouterSession) => {
    if (s.internal) return;
    // Full details only to the subscribers who may see them, through the ordinary publish filter.
    const seeing = new Set<number>();
    for (const sub of realm.broker.match(ON_JOIN))
      for (const r of sub.subscribers) if (!r.internal && realm.seesTransportDetails(r)) seeing.add(r.id);
    const ids = [...seeing];
    if (ids.length > 0) meta.publish(ON_JOIN, [sessionDetails(s)], {}, { eligible: ids });
    meta.publish(ON_JOIN, [sessionDetails(s, false)], {}, ids.length > 0 ? { exclude: ids } : {});
  });
  meta.on('session-leave', (s: RouterSession) => {
    if (!s.internal) meta.publish(ON_LEAVE, [s.id, s.authid, s.authrole]);
  });

  const withRoles = (value: unknown): RouterSession[] => {
    const roles = stringListArg(value, 'filter_authroles');
    const clients = realm.clients();
    return roles ? clients.filter((s) => roles.includes(s.authrole)) : clients;
  };
  /** A client session other than `caller`: the spec says no *other* session has the caller's ID. */
  const other = (id: number, caller: RouterSession): RouterSession => {
    const s = realm.sessions.get(id);
    if (!s || s.internal || s === caller) throw new WampError(ErrorUri.NO_SUCH_SESSION, [`no session ${id}`]);
    return s;
  };
  const killAll = (sessions: RouterSession[], caller: RouterSession, kwargs: Kwargs): number => {
    const { reason, message } = closeArgs(kwargs);
    const victims = sessions.filter((s) => s !== caller);
    for (const s of victims) void s.shutdown(reason, message);
    return victims.length;
  };

  return {
    'wamp.session.count': ({ args }) => [withRoles(args[0]).length],
    'wamp.session.list': ({ args }) => [withRoles(args[0]).map((s) => s.id)],
    'wamp.session.get': ({ args, caller }) => {
      const id = idArg(args, 0, 'session');
      const s = realm.sessions.get(id);
      if (!s || s.internal) throw new WampError(ErrorUri.NO_SUCH_SESSION, [`no session ${id}`]);
      return [sessionDetails(s, s === caller || realm.seesTransportDetails(caller))];
    },
    'wamp.session.kill': ({ args, kwargs, caller }) => {
      const { reason, message } = closeArgs(kwargs);
      void other(idArg(args, 0, 'session'), caller).shutdown(reason, message);
      return undefined;
    },
    'wamp.session.kill_by_authid': ({ args, kwargs, caller }) => {
      const authid = stringArg(args, 0, 'authid');
      return [
        killAll(
          realm.clients().filter((s) => s.authid === authid),
          caller,
          kwargs,
        ),
      ];
    },
    'wamp.session.kill_by_authrole': ({ args, kwargs, caller }) => {
      const authrole = stringArg(args, 0, 'authrole');
      return [
        killAll(
          realm.clients().filter((s) => s.authrole === authrole),
          caller,
          kwargs,
        ),
      ];
    },
    'wamp.session.kill_all': ({ kwargs, caller }) => [killAll(realm.clients(), caller, kwargs)],
  };
}

/**
 * The spec's session details: what on_join carries and wamp.session.get returns; without
 * `withAddress`, the transport's remote address and port are left out.
 */
export function sessionDetails(s: RouterSession, withAddress = true): Dict {
  return {
    session: s.id,
    authid: s.authid,
    authrole: s.authrole,
    authmethod: s.identity.authmethod,
    authprovider: s.identity.authprovider,
    transport: transportDetails(s.transport.info, withAddress),
  };
}

function transportDetails(info: TransportInfo, withAddress: boolean): Dict {
  const out: Dict = { type: info.type, serializer: info.serializer, secure: info.secure };
  if (!withAddress) return out;
  if (info.remoteAddress !== undefined) out.remote_address = info.remoteAddress;
  if (info.remotePort !== undefined) out.remote_port = info.remotePort;
  return out;
}

/** GOODBYE reason and message of the kill procedures; the spec's default reason is wamp.close.normal. */
function closeArgs(kwargs: Kwargs): { reason: string; message?: string } {
  const reason = kwargs.reason ?? CloseUri.NORMAL;
  if (!isValidUri(reason))
    throw new WampError(ErrorUri.INVALID_URI, [`reason must be a valid URI, not ${JSON.stringify(reason)}`]);
  const message = kwargs.message ?? undefined;
  if (message !== undefined && typeof message !== 'string') throw invalid('message must be a string');
  return message === undefined ? { reason } : { reason, message };
}
