// The dealer: routing CALL to INVOCATION and YIELD to RESULT, registrations (single, pattern,
// shared), URIs and authorization, caller identification, progressive results.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { Peer } from './peer';

/** Roles of a callee that does not support call canceling or progressive results. */
const PLAIN_ROLES = { roles: { caller: { features: {} }, callee: { features: {} } } };

describe('router dealer', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(() => router.close());

  describe('a CALL is routed to the callee as INVOCATION and its YIELD returns as RESULT', () => {
    it('passes args and kwargs both ways', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      const reg = await callee.register('com.add');
      const request = caller.sendCall('com.add', {}, [2, 3], { k: 'v' });
      const inv = await callee.next(M.INVOCATION);
      assert.equal(inv[2], reg);
      assert.deepEqual(inv[3], {});
      assert.deepEqual(inv.slice(4), [[2, 3], { k: 'v' }]);
      callee.send([M.YIELD, inv[1], {}, [5], { sum: true }]);
      assert.deepEqual(await caller.answer(request, M.RESULT), [M.RESULT, request, {}, [5], { sum: true }]);
    });

    it('answers ERROR wamp.error.no_such_procedure without a callee', async () => {
      const caller = await Peer.join(router);
      const request = caller.sendCall('com.none');
      const err = await caller.answer(request, M.RESULT);
      assert.deepEqual(err.slice(0, 5), [M.ERROR, M.CALL, request, {}, 'wamp.error.no_such_procedure']);
    });

    it('forwards the callee ERROR with its args and kwargs', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('com.fail');
      const request = caller.sendCall('com.fail');
      const inv = await callee.next(M.INVOCATION);
      callee.send([M.ERROR, M.INVOCATION, inv[1], {}, 'com.error.oops', ['bad'], { code: 7 }]);
      assert.deepEqual(await caller.answer(request, M.RESULT), [
        M.ERROR,
        M.CALL,
        request,
        {},
        'com.error.oops',
        ['bad'],
        { code: 7 },
      ]);
    });
  });

  describe('REGISTER of an existing procedure is ERROR wamp.error.procedure_already_exists', () => {
    it('refuses a second single registration, even from the same session', async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      await a.register('p');
      for (const p of [a, b]) {
        const req = p.request();
        p.send([M.REGISTER, req, {}, 'p']);
        assert.equal((await p.answer(req, M.REGISTERED))[4], 'wamp.error.procedure_already_exists');
      }
    });

    it('allows the same URI with another match policy', async () => {
      const a = await Peer.join(router);
      const id1 = await a.register('p');
      const id2 = await a.register('p', { match: 'prefix' });
      assert.notEqual(id1, id2);
    });
  });

  describe('UNREGISTER removes a registration; an unknown one is ERROR wamp.error.no_such_registration', () => {
    it('unregisters, then calls fail', async () => {
      const a = await Peer.join(router);
      const caller = await Peer.join(router);
      const id = await a.register('p');
      const req = a.request();
      a.send([M.UNREGISTER, req, id]);
      assert.deepEqual(await a.answer(req, M.UNREGISTERED), [M.UNREGISTERED, req]);
      assert.equal((await caller.answer(caller.sendCall('p'), M.RESULT))[4], 'wamp.error.no_such_procedure');
      const req2 = a.request();
      a.send([M.UNREGISTER, req2, id]);
      assert.equal((await a.answer(req2, M.UNREGISTERED))[4], 'wamp.error.no_such_registration');
    });

    it("refuses to unregister another session's registration", async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const id = await a.register('p');
      const req = b.request();
      b.send([M.UNREGISTER, req, id]);
      assert.equal((await b.answer(req, M.UNREGISTERED))[4], 'wamp.error.no_such_registration');
    });
  });

  describe('URIs and authorization: invalid URIs are wamp.error.invalid_uri, wamp. is reserved, refusals are wamp.error.not_authorized', () => {
    it('refuses invalid and reserved URIs', async () => {
      const a = await Peer.join(router);
      for (const uri of ['wamp.session.count', 'has space', 'a..b']) {
        const req = a.request();
        a.send([M.REGISTER, req, {}, uri]);
        assert.equal((await a.answer(req, M.REGISTERED))[4], 'wamp.error.invalid_uri', uri);
      }
      assert.equal((await a.answer(a.sendCall('x y'), M.RESULT))[4], 'wamp.error.invalid_uri');
    });

    it('asks authorize() for call and register', async () => {
      await router.close();
      router = new Router({
        realms: [{ name: 'realm1' }],
        authorize: (_r, _role, action, uri) => !(action === 'call' && uri === 'secret') && uri !== 'noreg',
      });
      const a = await Peer.join(router);
      await a.register('secret');
      assert.equal((await a.answer(a.sendCall('secret'), M.RESULT))[4], 'wamp.error.not_authorized');
      const req = a.request();
      a.send([M.REGISTER, req, {}, 'noreg']);
      assert.equal((await a.answer(req, M.REGISTERED))[4], 'wamp.error.not_authorized');
    });
  });

  describe('pattern-based registrations: exact, then longest prefix, then the wildcard with the longest literal runs', () => {
    it('routes by precedence and gives INVOCATION details.procedure on pattern matches', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      const ids: Record<string, number> = {
        exact: await callee.register('a1.b2.c3.d4.e55'),
        short: await callee.register('a1.b2.c3', { match: 'prefix' }),
        long: await callee.register('a1.b2.c3.d4', { match: 'prefix' }),
        w4: await callee.register('a1.b2..d4.e5', { match: 'wildcard' }),
        w5: await callee.register('a1.b2.c3..e5', { match: 'wildcard' }),
        w6: await callee.register('a1.b2..d4.e5..g7', { match: 'wildcard' }),
        w7: await callee.register('a1.b2..d4..f6.g7', { match: 'wildcard' }),
      };
      const cases: [string, string][] = [
        ['a1.b2.c3.d4.e55', 'exact'],
        ['a1.b2.c3.d98.e74', 'short'],
        ['a1.b2.c3.d4.e325', 'long'],
        ['a1.b2.c55.d4.e5', 'w4'],
        ['a1.b2.c88.d4.e5.f6.g7', 'w6'],
      ];
      for (const [uri, want] of cases) {
        const request = caller.sendCall(uri);
        const inv = await callee.next(M.INVOCATION);
        assert.equal(inv[2], ids[want], uri);
        assert.deepEqual(inv[3], want === 'exact' ? {} : { procedure: uri });
        callee.send([M.YIELD, inv[1], {}]);
        await caller.answer(request, M.RESULT);
      }
      assert.equal(
        (await caller.answer(caller.sendCall('a2.b2.c2.d2.e2'), M.RESULT))[4],
        'wamp.error.no_such_procedure',
      );
    });

    it('prefers the longer first literal run among wildcards (a1.b2.c3..e5 over a1.b2..d4.e5)', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('a1.b2..d4.e5', { match: 'wildcard' });
      const w5 = await callee.register('a1.b2.c3..e5', { match: 'wildcard' });
      caller.sendCall('a1.b2.c3.d4.e5');
      assert.equal((await callee.next(M.INVOCATION))[2], w5);
    });
  });

  describe('shared registration: callees that all give the same invoke policy share one registration', () => {
    async function shared(invoke: string, n: number) {
      const callees = await Promise.all(Array.from({ length: n }, () => Peer.join(router)));
      const ids: number[] = [];
      for (const c of callees) ids.push(await c.register('shared.p', { invoke }));
      assert.ok(
        ids.every((id) => id === ids[0]),
        'one registration ID',
      );
      return callees;
    }

    /** Calls shared.p once and answers it from the callee that got it: that callee's index. */
    async function callOnce(caller: Peer, callees: Peer[]): Promise<number> {
      const request = caller.sendCall('shared.p');
      await Promise.all(callees.map((c) => c.sync()));
      const k = callees.findIndex((c) => c.queued(M.INVOCATION).length > 0);
      const inv = await callees[k].next(M.INVOCATION);
      callees[k].send([M.YIELD, inv[1], {}]);
      await caller.answer(request, M.RESULT);
      return k;
    }

    it('roundrobin cycles through callees in order', async () => {
      const callees = await shared('roundrobin', 3);
      const caller = await Peer.join(router);
      const seen: number[] = [];
      for (let i = 0; i < 6; i++) seen.push(await callOnce(caller, callees));
      assert.deepEqual(seen, [0, 1, 2, 0, 1, 2]);
    });

    for (const [invoke, want] of [
      ['first', 0],
      ['last', 2],
    ] as const) {
      it(`${invoke} always picks the ${invoke} callee`, async () => {
        const callees = await shared(invoke, 3);
        const caller = await Peer.join(router);
        for (let i = 0; i < 3; i++) {
          const request = caller.sendCall('shared.p');
          const inv = await callees[want].next(M.INVOCATION);
          callees[want].send([M.YIELD, inv[1], {}]);
          await caller.answer(request, M.RESULT);
        }
        await Promise.all(callees.map((c) => c.sync()));
        assert.deepEqual(
          callees.map((c) => c.queued(M.INVOCATION).length),
          [0, 0, 0],
        );
      });
    }

    it('random picks among the callees', async () => {
      const callees = await shared('random', 2);
      const caller = await Peer.join(router);
      for (let i = 0; i < 4; i++) await callOnce(caller, callees);
    });

    it('refuses a conflicting invoke policy with procedure_already_exists and a clear message', async () => {
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      await a.register('p', { invoke: 'roundrobin' });
      const req = b.request();
      b.send([M.REGISTER, req, { invoke: 'random' }, 'p']);
      const err = await b.answer(req, M.REGISTERED);
      assert.equal(err[4], 'wamp.error.procedure_already_exists');
      assert.match(String((err[5] as unknown[])[0]), /roundrobin.*random/);
      const req2 = b.request();
      b.send([M.REGISTER, req2, { invoke: 'single' }, 'p']);
      assert.equal((await b.answer(req2, M.REGISTERED))[4], 'wamp.error.procedure_already_exists');
    });

    it('an unknown invoke policy is a protocol violation (as the spec test vectors say): ABORT', async () => {
      const a = await Peer.join(router);
      a.send([M.REGISTER, a.request(), { invoke: 'sometimes' }, 'p']);
      await a.protocolViolation(/invoke/);
    });
  });

  describe('caller identification: disclose_me gives INVOCATION caller, caller_authid, caller_authrole', () => {
    it('discloses when asked', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('p');
      caller.sendCall('p', { disclose_me: true });
      const inv = await callee.next(M.INVOCATION);
      assert.deepEqual(inv[3], {
        caller: caller.sessionId,
        caller_authid: caller.welcome.authid,
        caller_authrole: 'anonymous',
      });
    });
  });

  describe('progressive call results: YIELD progress → RESULT progress when the caller asked and the callee announced it', () => {
    it('forwards progress, then the final result', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('p');
      const request = caller.sendCall('p', { receive_progress: true });
      const inv = await callee.next(M.INVOCATION);
      assert.deepEqual(inv[3], { receive_progress: true });
      callee.send([M.YIELD, inv[1], { progress: true }, [1]]);
      callee.send([M.YIELD, inv[1], { progress: true }, [2]]);
      callee.send([M.YIELD, inv[1], {}, [3]]);
      assert.deepEqual(await caller.answer(request, M.RESULT), [M.RESULT, request, { progress: true }, [1]]);
      assert.deepEqual(await caller.answer(request, M.RESULT), [M.RESULT, request, { progress: true }, [2]]);
      assert.deepEqual(await caller.answer(request, M.RESULT), [M.RESULT, request, {}, [3]]);
    });

    it('does not ask a callee that did not announce progressive_call_results', async () => {
      const callee = await Peer.join(router, 'realm1', PLAIN_ROLES);
      const caller = await Peer.join(router);
      await callee.register('p');
      caller.sendCall('p', { receive_progress: true });
      assert.deepEqual((await callee.next(M.INVOCATION))[3], {});
    });
  });
});
