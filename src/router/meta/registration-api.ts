// Registration meta API: list, lookup, match, get, list_callees, count_callees, and the
// on_create / on_register / on_unregister / on_delete events. Registrations held only by the
// router's own sessions (the meta procedures themselves) are not reported, as the spec asks.
import type { MetaContext, Procedures } from './meta-peer';
import { idArg, matchOption, stringArg } from './args';
import type { Registration } from '../dealer';
import type { RouterSession } from '../session';
import { ErrorUri, WampError } from '../../wamp/errors';
import type { Dict } from '../../wamp/messages';

export const REGISTRATION_META_FEATURE = 'registration_meta_api';

export function registrationApi(meta: MetaContext): Procedures {
  const dealer = meta.realm.dealer;
  const event = (name: string, details: (s: RouterSession, reg: Registration) => unknown) =>
    meta.on(`registration-${name}`, (s: RouterSession, reg: Registration) => {
      if (!s.internal) meta.publish(`wamp.registration.on_${name}`, [s.id, details(s, reg)]);
    });
  event('create', (_s, reg) => registrationDetails(reg));
  event('register', (_s, reg) => reg.id);
  event('unregister', (_s, reg) => reg.id);
  event('delete', (_s, reg) => reg.id);

  const idOf = (reg: Registration | undefined) => (reg && visible(reg) ? reg.id : null);
  const find = (id: number): Registration => {
    const reg = dealer.get(id);
    if (!reg || !visible(reg)) throw new WampError(ErrorUri.NO_SUCH_REGISTRATION, [`no registration ${id}`]);
    return reg;
  };
  const callees = (reg: Registration) => reg.callees.filter((s) => !s.internal);
  const revoke = (reg: Registration, callee: RouterSession, reason: string): void => {
    dealer.revoke(reg, callee, reason);
    meta.realm.revocations.add({
      at: new Date(),
      kind: 'registration',
      id: reg.id,
      uri: reg.uri,
      match: reg.match,
      session: callee.id,
      authid: callee.authid,
      reason,
    });
  };

  return {
    'wamp.registration.list': () => {
      const lists: Record<string, number[]> = { exact: [], prefix: [], wildcard: [] };
      for (const reg of dealer.list()) if (visible(reg)) lists[reg.match].push(reg.id);
      return [lists];
    },
    'wamp.registration.lookup': ({ args }) => [
      idOf(dealer.lookup(stringArg(args, 0, 'procedure'), matchOption(args[1]))),
    ],
    'wamp.registration.match': ({ args }) => [idOf(dealer.match(stringArg(args, 0, 'procedure')))],
    'wamp.registration.get': ({ args }) => [registrationDetails(find(idArg(args, 0, 'registration')))],
    'wamp.registration.list_callees': ({ args }) => [
      callees(find(idArg(args, 0, 'registration'))).map((s) => s.id),
    ],
    'wamp.registration.count_callees': ({ args }) => [callees(find(idArg(args, 0, 'registration'))).length],
    // Revocation: the router removes callees; those that announced registration_revocation get
    // UNREGISTERED with details {registration, reason}. Returns how many callees were removed.
    'wamp.registration.remove': ({ args, kwargs }) => {
      const reg = find(idArg(args, 0, 'registration'));
      const gone = callees(reg);
      for (const s of gone) revoke(reg, s, revocationReason(kwargs));
      return [gone.length];
    },
    'wamp.registration.remove_callee': ({ args, kwargs }) => {
      const reg = find(idArg(args, 0, 'registration'));
      const callee = callees(reg).find((s) => s.id === idArg(args, 1, 'callee'));
      if (!callee)
        throw new WampError(ErrorUri.NO_SUCH_SESSION, [`session ${String(args[1])} is no callee of it`]);
      revoke(reg, callee, revocationReason(kwargs));
      return [1];
    },
  };
}

/** `reason` from the meta call's kwargs (a URI), else the spec's example reason. */
export function revocationReason(kwargs: Dict): string {
  return typeof kwargs.reason === 'string' && kwargs.reason.length > 0 ? kwargs.reason : ErrorUri.REMOVED;
}

function visible(reg: Registration): boolean {
  return reg.callees.some((s) => !s.internal);
}

export function registrationDetails(reg: Registration): Dict {
  return {
    id: reg.id,
    created: reg.created.toISOString(),
    uri: reg.uri,
    match: reg.match,
    invoke: reg.invoke,
  };
}
