// Subscriber black- and whitelisting (PUBLISH exclude/eligible by session, authid, authrole)
// plus publisher exclusion. Every list given must admit a receiver: the lists combine with AND.
import type { PublishOptions } from '../wamp/options';

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

/**
 * The filter of PUBLISH options. Their types were checked by the parser (wamp/options.ts), and
 * the meta API's testaments pass the same check, so a list here is a list of the right items.
 */
export function parsePublishFilter(options: PublishOptions, publisherId: number): PublishFilter {
  const sets = {
    exclude: setOf(options.exclude),
    eligible: setOf(options.eligible),
    exclude_authid: setOf(options.exclude_authid),
    exclude_authrole: setOf(options.exclude_authrole),
    eligible_authid: setOf(options.eligible_authid),
    eligible_authrole: setOf(options.eligible_authrole),
  };
  const excludeMe = options.exclude_me !== false;
  const { exclude, eligible, exclude_authid, exclude_authrole, eligible_authid, eligible_authrole } = sets;
  const open = !excludeMe && Object.values(sets).every((set) => set === undefined);
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

function setOf<T>(list: T[] | undefined): Set<T> | undefined {
  return list === undefined ? undefined : new Set(list);
}
