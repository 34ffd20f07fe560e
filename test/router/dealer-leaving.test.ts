// The dealer when a peer leaves: a callee's pending calls fail, a caller's pending invocations are
// interrupted, and a leaving callee's registrations go.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { Peer } from './peer';

describe('router dealer', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(() => router.close());

  describe('a callee that leaves fails its pending calls with wamp.error.canceled', () => {
    it('answers the caller when the callee transport closes', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('p');
      const request = caller.sendCall('p');
      await callee.next(M.INVOCATION);
      callee.close();
      assert.equal((await caller.answer(request, M.RESULT))[4], 'wamp.error.canceled');
      assert.equal(
        (await caller.answer(caller.sendCall('p'), M.RESULT))[4],
        'wamp.error.no_such_procedure',
        'its registration is gone',
      );
    });
  });

  describe('a caller that leaves has its pending invocations interrupted', () => {
    it('sends INTERRUPT to a callee with call_canceling, and drops its late YIELD', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('p');
      caller.sendCall('p');
      const inv = await callee.next(M.INVOCATION);
      caller.close();
      assert.deepEqual((await callee.next(M.INTERRUPT)).slice(0, 2), [M.INTERRUPT, inv[1]]);
      callee.send([M.YIELD, inv[1], {}]);
      await callee.sync();
      assert.ok(callee.isOpen);
    });
  });

  describe('a leaving callee loses its registrations, and empty ones are deleted', () => {
    it('emits registration events on the realm', async () => {
      const realm = router.realm('realm1')!;
      const seen: string[] = [];
      for (const e of [
        'registration-create',
        'registration-register',
        'registration-unregister',
        'registration-delete',
      ])
        realm.on(e, () => seen.push(e));
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      await a.register('p', { invoke: 'roundrobin' });
      await b.register('p', { invoke: 'roundrobin' });
      a.close();
      await a.closed;
      b.close();
      await b.closed;
      await (await Peer.join(router)).sync();
      assert.deepEqual(seen, [
        'registration-create',
        'registration-register',
        'registration-register',
        'registration-unregister',
        'registration-unregister',
        'registration-delete',
      ]);
      assert.deepEqual(
        realm.dealer.list().filter((r) => r.callees.some((s) => !s.internal)),
        [],
        'only the meta procedures are left',
      );
    });
  });
});
