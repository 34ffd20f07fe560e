import assert from 'node:assert/strict';
import { buildConnectionOptions } from '../../nodes/shared/connection-config';
import { argsFromMsg, payloadOf, putArgs, sessionIds } from '../../nodes/shared/payload';
import type { NodeMessage } from '../../nodes/shared/red-types';
import { buildRealms } from '../../nodes/shared/router-config';
import { publishRouter, waitForRouter, withdrawRouter } from '../../nodes/shared/router-registry';
import { Router } from '../../src/router';

const noLocal = (): never => {
  throw new Error('not used');
};

describe('nodes/shared', function () {
  describe('payload mapping', function () {
    it('payload is the one argument, else kwargs when there are no args, else the list', function () {
      assert.equal(payloadOf([7], { a: 1 }), 7);
      assert.deepEqual(payloadOf([], { a: 1 }), { a: 1 });
      assert.deepEqual(payloadOf([1, 2], {}), [1, 2]);
      assert.deepEqual(payloadOf([], {}), []);
    });

    it('msg.payload is the single argument; undefined means none', function () {
      assert.deepEqual(argsFromMsg({ payload: 'x' }), { args: ['x'], kwargs: {} });
      assert.deepEqual(argsFromMsg({}), { args: [], kwargs: {} });
    });

    it('msg.args/msg.kwargs win over msg.payload when the flow set them', function () {
      assert.deepEqual(argsFromMsg({ payload: 123, args: [1, 2] }), { args: [1, 2], kwargs: {} });
      assert.deepEqual(argsFromMsg({ payload: 123, kwargs: { k: 1 } }), { args: [], kwargs: { k: 1 } });
    });

    it('on an emitted message, a changed payload wins over unchanged args; changed args win; untouched passes through', function () {
      const emitted = (): NodeMessage => {
        const m: NodeMessage = { _wamp: { invocationId: 'i' } };
        putArgs(m, [1, 2], { k: 1 });
        return m;
      };
      assert.deepEqual((emitted()._wamp as { invocationId: string }).invocationId, 'i');
      assert.deepEqual(argsFromMsg({ ...emitted(), payload: 3 }), { args: [3], kwargs: {} });
      assert.deepEqual(argsFromMsg({ ...emitted(), payload: 3, args: [9] }), { args: [9], kwargs: { k: 1 } });
      assert.deepEqual(argsFromMsg(emitted()), { args: [1, 2], kwargs: { k: 1 } });
      // A changed payload with changed kwargs: both are meant (`msg.payload = x; msg.kwargs = {...}`).
      assert.deepEqual(argsFromMsg({ ...emitted(), payload: 3, kwargs: { by: 'flow' } }), {
        args: [3],
        kwargs: { by: 'flow' },
      });
    });

    it('session ids come from a list or a comma-separated string', function () {
      assert.deepEqual(sessionIds('1, 2 3'), [1, 2, 3]);
      assert.deepEqual(sessionIds([4, '5']), [4, 5]);
      assert.equal(sessionIds(''), undefined);
      assert.equal(sessionIds('x'), undefined);
    });
  });

  describe('wamp-connection form', function () {
    it('accepts ws, wss, rs, rss, http and https URLs and refuses others with a readable message', function () {
      for (const url of [
        'ws://h:1/ws',
        'wss://h/ws',
        'rs://h:8080',
        'rss://h:8080',
        'http://h:1880/wamp',
        'https://h/ws',
      ]) {
        assert.equal(
          buildConnectionOptions({ id: 'c', type: 't', url, realm: 'r' }, {}, noLocal, () => undefined)
            .options.url,
          url,
        );
      }
      assert.throws(
        () =>
          buildConnectionOptions(
            { id: 'c', type: 't', url: 'mqtt://h', realm: 'r' },
            {},
            noLocal,
            () => undefined,
          ),
        /not valid/,
      );
    });

    it('needs a realm, an authid for authentication and the matching secret', function () {
      const base = { id: 'c', type: 't', url: 'ws://h/ws' };
      assert.throws(
        () => buildConnectionOptions({ ...base, realm: ' ' }, {}, noLocal, () => undefined),
        /no realm/,
      );
      assert.throws(
        () =>
          buildConnectionOptions(
            { ...base, realm: 'r', authmethod: 'wampcra' },
            {},
            noLocal,
            () => undefined,
          ),
        /authid/,
      );
      assert.throws(
        () =>
          buildConnectionOptions(
            { ...base, realm: 'r', authmethod: 'wampcra', authid: 'a' },
            {},
            noLocal,
            () => undefined,
          ),
        /secret/,
      );
      const o = buildConnectionOptions(
        { ...base, realm: 'r', authmethod: 'wampcra', authid: 'a' },
        { secret: 's', ticket: 't' },
        noLocal,
        () => undefined,
      ).options;
      assert.deepEqual([o.authid, o.authmethods, o.secret, o.ticket], ['a', ['wampcra'], 's', undefined]);
    });

    it('secure URLs take the TLS options of the tls-config node; reconnect settings are in ms', function () {
      const o = buildConnectionOptions(
        {
          id: 'c',
          type: 't',
          url: 'wss://h/ws',
          realm: 'r',
          reconnectDelay: '0.5',
          reconnectMaxDelay: 10,
          maxRetries: 3,
        },
        {},
        noLocal,
        () => ({ rejectUnauthorized: false }),
      ).options;
      assert.deepEqual(o.tls, { rejectUnauthorized: false });
      // A refused join is retried at the longest delay the form allows, not at a pace of its own.
      assert.deepEqual(o.reconnect, {
        enabled: true,
        initialDelayMs: 500,
        maxDelayMs: 10000,
        maxRetries: 3,
        slowRetryMs: 10000,
      });
    });

    it('the publish queue: on by default (1000 publications, 1 MB), bounds from the form, off when unticked', function () {
      const build = (extra: object) =>
        buildConnectionOptions(
          { id: 'c', type: 't', url: 'ws://h/ws', realm: 'r', ...extra },
          {},
          noLocal,
          () => undefined,
        ).options;
      assert.deepEqual([build({}).publishQueue, build({}).publishQueueBytes], [1000, 1024 * 1024]);
      const o = build({ queueSize: '5', queueKB: 2 });
      assert.deepEqual([o.publishQueue, o.publishQueueBytes], [5, 2048]);
      const off = build({ publishQueue: false, queueSize: 5 });
      assert.deepEqual([off.publishQueue, off.publishQueueBytes], [0, 0]);
    });
  });

  describe('wamp-router form', function () {
    it('builds realms with users (secrets from credentials) and roles', function () {
      const realms = buildRealms(
        {
          realms: [
            { name: 'r1', anonymous: false },
            { name: 'r2', anonymousRole: 'guest' },
          ],
          accounts: [
            { realm: 'r1', authid: 'alice', role: 'admin', method: 'ticket' },
            { realm: 'r1', authid: 'bob', role: 'user', method: 'wampcra' },
          ],
          roles: JSON.stringify([
            { realm: 'r1', name: 'user', permissions: [{ uri: 'com.', match: 'prefix', call: true }] },
          ]),
        },
        JSON.stringify({ 'r1/alice': 't1', 'r1/bob': 's1' }),
      );
      assert.deepEqual(realms, [
        {
          name: 'r1',
          anonymous: false,
          users: [
            { authid: 'alice', role: 'admin', ticket: 't1' },
            { authid: 'bob', role: 'user', secret: 's1' },
          ],
          roles: [{ name: 'user', permissions: [{ uri: 'com.', match: 'prefix', call: true }] }],
        },
        { name: 'r2', anonymous: { role: 'guest' }, users: [] },
      ]);
    });

    it('refuses a form with no realm, a user without secret, or roles that are not JSON', function () {
      assert.throws(() => buildRealms({ realms: [] }, undefined), /no realm/);
      assert.throws(
        () =>
          buildRealms(
            { realms: [{ name: 'r' }], accounts: [{ realm: 'r', authid: 'a', method: 'ticket' }] },
            '{}',
          ),
        /no ticket secret/,
      );
      assert.throws(
        () => buildRealms({ realms: [{ name: 'r' }], roles: '[oops' }, undefined),
        /not valid JSON/,
      );
    });

    it('admits anonymous sessions by default only in a realm without users, as the CLI; ticked, always', function () {
      const users = [{ realm: 'r1', authid: 'alice', role: 'user', method: 'ticket', slot: 0 }];
      const realms = buildRealms(
        {
          realms: [{ name: 'r1' }, { name: 'r2', anonymousRole: 'guest' }, { name: 'r3', anonymous: true }],
          accounts: [...users, { realm: 'r3', authid: 'bob', role: 'user', method: 'ticket', slot: 1 }],
        },
        undefined,
        (n) => ['t-alice', 't-bob'][n],
      );
      assert.deepEqual(
        realms.map((r) => [r.name, r.anonymous]),
        [
          ['r1', false],
          ['r2', { role: 'guest' }],
          ['r3', true],
        ],
      );
      // Each user's secret comes from its own credential slot.
      assert.equal(realms[0].users![0].ticket, 't-alice');
      assert.equal(realms[2].users![0].ticket, 't-bob');
    });
  });

  describe('router registry', function () {
    it('a connection waiting for a router gets it when it is published, or an error after the wait', async function () {
      const router = new Router({ realms: [{ name: 'r' }] });
      const waiting = waitForRouter('late', 1000);
      publishRouter('late', router);
      assert.equal(await waiting, router);
      withdrawRouter('late', router);
      await assert.rejects(waitForRouter('late', 10), /not running/);
      await router.close();
    });
  });
});
