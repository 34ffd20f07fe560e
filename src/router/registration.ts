// A registration at the dealer and the rules of shared registration: who may join one, and which
// of its callees a call goes to by its invoke policy.
import type { RouterSession } from './session';
import type { InvokePolicy, MatchPolicy } from '../wamp/options';

export interface Registration {
  readonly id: number;
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly invoke: InvokePolicy;
  readonly created: Date;
  /** In registration order: `first` and `last` pick from its ends. */
  readonly callees: RouterSession[];
  /**
   * Callees whose role allows only part of what the pattern matches: a call goes to them only
   * if their role allows its procedure.
   */
  readonly checked: Set<RouterSession>;
  /** The next index for `roundrobin`. */
  turn: number;
  /** INVOCATIONs sent for it so far: what an operator's view shows as calls served. */
  calls: number;
}

/** Why `session` may not join `reg` with policy `invoke`, or null when it may. */
export function sharingConflict(
  reg: Registration,
  invoke: InvokePolicy,
  session: RouterSession,
): string | null {
  if (reg.callees.includes(session)) return `this session already registered "${reg.uri}"`;
  if (reg.invoke === 'single' || invoke === 'single') return `procedure "${reg.uri}" is already registered`;
  if (reg.invoke !== invoke) {
    return `procedure "${reg.uri}" is registered with invoke policy '${reg.invoke}'; cannot share it with invoke policy '${invoke}'`;
  }
  return null;
}

/** The callee the registration's invoke policy picks next. */
export function pick(reg: Registration): RouterSession {
  const callees = reg.callees;
  switch (reg.invoke) {
    case 'single':
    case 'first':
      return callees[0];
    case 'last':
      return callees[callees.length - 1];
    case 'random':
      return callees[Math.floor(Math.random() * callees.length)];
    case 'roundrobin': {
      const callee = callees[reg.turn % callees.length];
      reg.turn = (reg.turn + 1) % callees.length;
      return callee;
    }
  }
}
