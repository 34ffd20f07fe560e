// PersistentSet alone: the registrations or subscriptions a Connection asks every new session
// for again, with a stand-in session (only `isOpen` is read) and handles as plain records.
import assert from 'node:assert/strict';
import { PersistentSet, type PersistentWatch } from '../../src/client/persistent';
import type { Session } from '../../src/client/session';
import { WampError } from '../../src/wamp/errors';

interface Handle {
  id: number | undefined;
}
const session = (isOpen = true): Session => ({ isOpen }) as unknown as Session;
/** The current handle's id, read afresh (not narrowed by an earlier assertion). */
const idOf = (i: { current: Handle | null }): number | undefined => i.current?.id;
const LOST = 'wamp.error.connection_lost';
const TAKEN = 'wamp.error.procedure_already_exists';

/** A watch that records what it heard. */
function recorder(): PersistentWatch & { heard: string[] } {
  const heard: string[] = [];
  return {
    heard,
    accepted: (reconnect) => heard.push(`accepted ${reconnect}`),
    refused: (e, reconnect) => heard.push(`refused ${e.uri} ${reconnect}`),
    revoked: () => heard.push('revoked'),
  };
}

function set(): { s: PersistentSet<Handle>; undone: Handle[]; events: string[] } {
  const undone: Handle[] = [];
  const events: string[] = [];
  const s = new PersistentSet<Handle>(
    'registration',
    async (h) => {
      undone.push(h);
    },
    {
      restoreError: (i) => events.push(`restoreError ${i.kind} ${i.uri} ${i.error.uri} ${i.reconnect}`),
      revoked: (i) => events.push(`revoked ${i.kind} ${i.uri}`),
    },
  );
  return { s, undone, events };
}

describe('persistent registrations and subscriptions (PersistentSet)', () => {
  it('asks the open session at once, and every new session again (a reconnect)', async () => {
    const { s } = set();
    const w = recorder();
    let asked = 0;
    const item = await s.add(session(), 'com.example.add', async () => ({ id: ++asked }), w);
    assert.equal(item.current?.id, 1);
    s.detach();
    assert.ok(item.current === null, 'no handle between sessions');
    await Promise.all(s.restore(session(), true));
    assert.equal(idOf(item), 2);
    assert.deepEqual(w.heard, ['accepted false', 'accepted true']);
  });

  it('without an open session, keeps it for the next one without asking', async () => {
    const { s } = set();
    let asked = 0;
    const item = await s.add(session(false), 'com.example.add', async () => ({ id: ++asked }));
    assert.equal(asked, 0);
    assert.ok(item.current === null);
    await Promise.all(s.restore(session(), false));
    assert.equal(idOf(item), 1);
  });

  it('a refusal without a watch rejects, and the item is not kept', async () => {
    const { s } = set();
    let asked = 0;
    const ask = async (): Promise<Handle> => {
      asked++;
      throw new WampError(TAKEN);
    };
    await assert.rejects(s.add(session(), 'com.example.add', ask), { uri: TAKEN });
    await Promise.all(s.restore(session(), true));
    assert.equal(asked, 1, 'not asked again');
  });

  it('a refusal with a watch goes to the watch; the item stays wanted and the next session is asked', async () => {
    const { s, events } = set();
    const w = recorder();
    let free = false;
    const ask = async (): Promise<Handle> => {
      if (!free) throw new WampError(TAKEN);
      return { id: 7 };
    };
    const item = await s.add(session(), 'com.example.add', ask, w);
    assert.ok(item.current === null);
    await Promise.all(s.restore(session(), true));
    free = true;
    await Promise.all(s.restore(session(), true));
    assert.equal(idOf(item), 7);
    assert.deepEqual(w.heard, [`refused ${TAKEN} false`, `refused ${TAKEN} true`, 'accepted true']);
    assert.deepEqual(events, [`restoreError registration com.example.add ${TAKEN} true`]);
  });

  it('a session lost while asking is no refusal: silent, and the next session asks again', async () => {
    const { s, events } = set();
    const w = recorder();
    const item = await s.add(
      session(),
      'com.example.add',
      async () => {
        throw new WampError(LOST);
      },
      w,
    );
    await Promise.all(s.restore(session(), true));
    assert.ok(item.current === null);
    assert.deepEqual(w.heard, []);
    assert.deepEqual(events, []);
  });

  it('remove undoes the current handle; a lost session makes undoing a no-op, other errors reach the caller', async () => {
    const lostUndo = new PersistentSet<Handle>(
      'subscription',
      async () => {
        throw new WampError(LOST);
      },
      { restoreError: () => undefined, revoked: () => undefined },
    );
    const a = await lostUndo.add(session(), 'com.example.t', async () => ({ id: 1 }));
    await lostUndo.remove(a);
    const failingUndo = new PersistentSet<Handle>(
      'subscription',
      async () => {
        throw new WampError('wamp.error.no_such_subscription');
      },
      { restoreError: () => undefined, revoked: () => undefined },
    );
    const c = await failingUndo.add(session(), 'com.example.t', async () => ({ id: 9 }));
    await assert.rejects(failingUndo.remove(c), { uri: 'wamp.error.no_such_subscription' });
    const { s, undone } = set();
    const b = await s.add(session(), 'com.example.add', async () => ({ id: 2 }));
    await s.remove(b);
    assert.deepEqual(undone, [{ id: 2 }]);
    assert.equal(b.removed, true);
    await Promise.all(s.restore(session(), true));
    assert.ok(b.current === null, 'a removed item is not asked for again');
  });

  it('an item removed while a new session answers is undone at once', async () => {
    const { s, undone } = set();
    let answer: (h: Handle) => void = () => undefined;
    const item = await s.add(
      session(false),
      'com.example.add',
      () => new Promise<Handle>((r) => (answer = r)),
    );
    const restoring = s.restore(session(), false);
    await s.remove(item);
    answer({ id: 3 });
    await Promise.all(restoring);
    assert.deepEqual(undone, [{ id: 3 }]);
    assert.ok(item.current === null);
  });

  it('revocation: the items whose handle lost its id are told, and come back with the next session', async () => {
    const { s, events } = set();
    const w = recorder();
    const revokedHandle: Handle = { id: 1 };
    const item = await s.add(session(), 'com.example.add', async () => revokedHandle, w);
    const other = await s.add(session(), 'com.example.other', async () => ({ id: 2 }));
    revokedHandle.id = undefined; // what the session does to a revoked handle
    s.revoked({ reason: 'wamp.error.revoked' });
    assert.ok(item.current === null);
    assert.equal(other.current?.id, 2);
    assert.deepEqual(w.heard, ['accepted false', 'revoked']);
    assert.deepEqual(events, ['revoked registration com.example.add']);
  });
});
