// Testaments: events a session leaves behind. `wamp.session.add_testament` stores one for the
// caller; when the session ends (GOODBYE, transport lost, killed) its testaments are published
// through the broker like any event. Without session resumption a session is detached and
// destroyed at the same moment, so `detached` ones go first, then `destroyed` ones, each in the
// order they were added (as the spec asks); `flush_testaments` drops one scope's.
import type { MetaContext, Procedures } from './meta-peer';
import { dictArg, invalid, listArg, stringArg } from './args';
import type { RouterSession } from '../session';
import { copyValue } from '../../wamp/copy';
import { nestsDeeperThan } from '../../wamp/depth';
import { ErrorUri, WampError } from '../../wamp/errors';
import { randomId } from '../../wamp/ids';
import { MessageType as M, type Args, type Dict, type Kwargs } from '../../wamp/messages';
import { badDictKey, isAbsent } from '../../wamp/options';

export const TESTAMENT_META_FEATURE = 'testament_meta_api';

const SCOPES = ['detached', 'destroyed'] as const;
type Scope = (typeof SCOPES)[number];

interface Testament {
  topic: string;
  args: Args;
  kwargs: Kwargs;
  options: Dict;
}

export function testamentApi(meta: MetaContext): Procedures {
  const realm = meta.realm;
  const bySession = new Map<RouterSession, Record<Scope, Testament[]>>();

  const fire = (s: RouterSession): void => {
    const testaments = bySession.get(s);
    bySession.delete(s);
    if (!testaments) return;
    for (const scope of SCOPES)
      for (const t of testaments[scope]) meta.publish(t.topic, t.args, t.kwargs, t.options);
  };
  meta.on('session-leave', fire);
  // The realm or router is shutting down: every session's testaments go out now, while their
  // subscribers are still there to receive them.
  meta.on('closing', () => {
    for (const s of [...bySession.keys()]) fire(s);
  });

  return {
    'wamp.session.add_testament': ({ args, kwargs, caller }) => {
      const topic = stringArg(args, 0, 'topic');
      const payload: [Args, Kwargs] = [listArg(args[1], 'args'), dictArg(args[2], 'kwargs')];
      // Kept until the session leaves: a copy, or an in-process author's later edits would go out.
      if (nestsDeeperThan(payload, realm.limits.maxDepth))
        throw invalid(`the testament is nested deeper than ${realm.limits.maxDepth} levels`);
      const [testamentArgs, testamentKwargs] = copyValue(payload);
      const testament: Testament = {
        topic,
        args: testamentArgs,
        kwargs: testamentKwargs,
        options: publishOptions(dictArg(kwargs.publish_options, 'publish_options'), caller),
      };
      const scope = scopeOf(kwargs.scope);
      // Checked now, as the caller's own PUBLISH would be: the router's peer publishes it later
      // and may publish anywhere, so a testament must not carry more rights than its author.
      const refused = realm.permit(caller, 'publish', topic);
      if (refused) throw refused;
      let mine = bySession.get(caller);
      if (!mine) bySession.set(caller, (mine = { detached: [], destroyed: [] }));
      const max = realm.limits.maxTestamentsPerSession;
      if (mine.detached.length + mine.destroyed.length >= max) {
        realm.logger.warn(`session ${caller.id}: refused a testament: ${max} testaments held`);
        throw new WampError(ErrorUri.LIMIT_EXCEEDED, [`a session may leave at most ${max} testaments`]);
      }
      mine[scope].push(testament);
      return [randomId()];
    },
    'wamp.session.flush_testaments': ({ kwargs, caller }) => {
      const scope = scopeOf(kwargs.scope);
      const mine = bySession.get(caller);
      const flushed = mine?.[scope].length ?? 0;
      if (mine) mine[scope] = [];
      return [flushed];
    },
  };
}

function scopeOf(value: unknown): Scope {
  const scope = value ?? 'destroyed';
  if (!SCOPES.includes(scope as Scope))
    throw invalid(`scope must be 'detached' or 'destroyed', not ${JSON.stringify(scope)}`);
  return scope as Scope;
}

/**
 * The options the testament is published with. Acknowledgement has no one to go to and
 * exclusion of the publisher means nothing once it is gone; disclosure names the author, not
 * the router's peer that publishes for it.
 */
function publishOptions(requested: Dict, author: RouterSession): Dict {
  const bad = badDictKey(M.PUBLISH, [M.PUBLISH, 0, requested, '']);
  if (bad) throw invalid(`publish option ${bad} has the wrong type`);
  const options: Dict = {};
  for (const [key, value] of Object.entries(requested)) {
    if (key !== 'acknowledge' && key !== 'exclude_me' && !key.startsWith('_') && !isAbsent(value))
      options[key] = value;
  }
  if (options.disclose_me === true)
    options._on_behalf_of = { session: author.id, authid: author.authid, authrole: author.authrole };
  return options;
}
