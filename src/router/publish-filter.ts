// Subscriber black- and whitelisting (PUBLISH exclude/eligible by session, authid, authrole)
// plus publisher exclusion. Every list given must admit a receiver: the lists combine with AND.
import { ErrorUri, WampError } from '../wamp/errors';
import type { Dict } from '../wamp/messages';

export interface Receiver {
  id: number;
  authid: string;
  authrole: string;
}

export interface PublishFilter {
  /** True when no list restricts delivery at all (the common case, checked once per publish). */
  readonly open: boolean;
  accepts(receiver: Receiver): boolean;
}

const ID_KEYS = ['exclude', 'eligible'] as const;
const STRING_KEYS = ['exclude_authid', 'exclude_authrole', 'eligible_authid', 'eligible_authrole'] as const;

/** Reads the filter from PUBLISH options; a malformed list is a WampError (invalid_argument). */
export function parsePublishFilter(options: Dict, publisherId: number): PublishFilter | WampError {
  const lists: Partial<Record<(typeof ID_KEYS)[number] | (typeof STRING_KEYS)[number], Set<unknown>>> = {};
  for (const key of [...ID_KEYS, ...STRING_KEYS]) {
    const v = options[key];
    if (v === undefined) continue;
    const isIds = key === 'exclude' || key === 'eligible';
    if (!Array.isArray(v) || !v.every((x) => (isIds ? typeof x === 'number' : typeof x === 'string'))) {
      return new WampError(ErrorUri.INVALID_ARGUMENT, [
        `PUBLISH option ${key} must be a list of ${isIds ? 'session IDs' : 'strings'}`,
      ]);
    }
    lists[key] = new Set(v);
  }
  if (options.exclude_me !== undefined && typeof options.exclude_me !== 'boolean') {
    return new WampError(ErrorUri.INVALID_ARGUMENT, ['PUBLISH option exclude_me must be a boolean']);
  }
  const excludeMe = options.exclude_me !== false;
  const { exclude, eligible, exclude_authid, exclude_authrole, eligible_authid, eligible_authrole } = lists;
  const open = !excludeMe && Object.keys(lists).length === 0;
  return {
    open,
    accepts(r: Receiver): boolean {
      if (excludeMe && r.id === publisherId) return false;
      if (exclude?.has(r.id) || exclude_authid?.has(r.authid) || exclude_authrole?.has(r.authrole))
        return false;
      if (eligible && !eligible.has(r.id)) return false;
      if (eligible_authid && !eligible_authid.has(r.authid)) return false;
      if (eligible_authrole && !eligible_authrole.has(r.authrole)) return false;
      return true;
    },
  };
}
