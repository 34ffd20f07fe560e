// Attacks on what a role may reach (issue "Hold against a hostile client"): pattern
// subscriptions and registrations beyond the grant, the meta API in default realms, and WAMP-CRA
// telling who exists. Each test performs the attack and shows it fails.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import type { RoleConfig } from '../../src/router/config';
import type { Authenticator, AuthOutcome, HelloInfo } from '../../src/router/auth/authenticator';
import { WampCraAuthenticator } from '../../src/router/auth';
import type { Listener } from '../../src/transports/listener';
import { MessageType as M } from '../../src/wamp/messages';
import { ALL_ROLES, Peer } from '../router/peer';
import { openJsonWs, type JsonWs } from './attack-client';

/** HELLO authid "name@role" logs in as that role (a stand-in for any real login). */
class RoleLogin implements Authenticator {
  readonly method = 'anonymous';
  begin(hello: HelloInfo): AuthOutcome {
    const [authid, authrole = 'anonymous'] = (hello.authid ?? `anon${hello.sessionId}`).split('@');
    return { kind: 'welcome', identity: { authid, authrole, authmethod: 'anonymous', authprovider: 'test' } };
  }
}

const joinAs = (router: Router, login: string): Promise<Peer> =>
  Peer.join(router, 'realm1', { roles: ALL_ROLES, authid: login });

async function refusal(p: Peer, message: unknown[], reply: number): Promise<unknown> {
  p.send(message);
  const m = await p.answer(message[1] as number, reply);
  return m[0] === M.ERROR ? m[4] : 'accepted';
}

const everything = { call: true, register: true, publish: true, subscribe: true };

describe('attacks on what a role may reach fail', function () {
  this.timeout(30_000);
  let router: Router;
  afterEach(() => router?.close());

  describe('a pattern is granted only as far as the role grants every URI it can match', () => {
    const roles: RoleConfig[] = [
      { name: 'admin', permissions: [{ uri: 'com.', match: 'prefix', ...everything }] },
      {
        name: 'device',
        permissions: [
          { uri: 'com.app.status', match: 'exact', subscribe: true },
          { uri: 'com.pub.', match: 'prefix', subscribe: true },
          { uri: 'com.pub.secret.', match: 'prefix', subscribe: false },
          { uri: 'com.svc.echo', match: 'exact', register: true },
          { uri: 'com.svc2.', match: 'prefix', register: true },
          { uri: 'com.svc2.admin.', match: 'prefix', register: false },
        ],
      },
    ];
    beforeEach(() => {
      router = new Router({ realms: [{ name: 'realm1', roles }], authenticators: () => [new RoleLogin()] });
    });

    it('an exact grant does not allow a prefix or wildcard subscription or registration', async () => {
      const device = await joinAs(router, 'd@device');
      for (const [match, uri] of [
        ['prefix', 'com.app.status'],
        ['wildcard', 'com.app.'],
      ])
        assert.equal(
          await refusal(device, [M.SUBSCRIBE, device.request(), { match }, uri], M.SUBSCRIBED),
          'wamp.error.not_authorized',
        );
      assert.equal(
        await refusal(
          device,
          [M.REGISTER, device.request(), { match: 'prefix' }, 'com.svc.echo'],
          M.REGISTERED,
        ),
        'wamp.error.not_authorized',
      );
      // The exact ones stay allowed.
      await device.subscribe('com.app.status');
      await device.register('com.svc.echo');
      // A call to what the prefix registration would have caught finds no callee.
      const admin = await joinAs(router, 'a@admin');
      assert.equal(
        (await admin.call('com.svc.echo_admin.reset_password'))[4],
        'wamp.error.no_such_procedure',
      );
    });

    it('a deny inside a grant is kept for prefix and wildcard subscriptions, retained events included', async () => {
      const admin = await joinAs(router, 'a@admin');
      admin.send([M.PUBLISH, admin.request(), { retain: true }, 'com.pub.secret.key', ['retained secret']]);
      admin.send([M.PUBLISH, admin.request(), { retain: true }, 'com.pub.news', ['retained news']]);
      await admin.sync();
      const device = await joinAs(router, 'd@device');
      await device.subscribe('com.pub.', { match: 'prefix', get_retained: true });
      await device.subscribe('com.pub..', { match: 'wildcard', get_retained: true });
      admin.send([M.PUBLISH, admin.request(), {}, 'com.pub.secret.key', ['live secret']]);
      admin.send([M.PUBLISH, admin.request(), {}, 'com.pub.news', ['live news']]);
      admin.send([M.PUBLISH, admin.request(), {}, 'com.pub.a.b', ['live a.b']]);
      await admin.sync();
      await device.sync();
      const got = device.queued(M.EVENT).map((e) => (e[4] as string[])[0]);
      assert.ok(!got.some((g) => g.includes('secret')), `no secret delivered: ${JSON.stringify(got)}`);
      assert.ok(got.includes('retained news') && got.includes('live news') && got.includes('live a.b'));
      // The admin, granted all of it, gets the secret.
      const admin2 = await joinAs(router, 'b@admin');
      await admin2.subscribe('com.pub.', { match: 'prefix', get_retained: true });
      await admin2.sync();
      assert.ok(admin2.queued(M.EVENT).some((e) => (e[4] as string[])[0] === 'retained secret'));
    });

    it('a deny inside a registration grant: the call is never invoked at that callee', async () => {
      const device = await joinAs(router, 'd@device');
      await device.register('com.svc2.', { match: 'prefix' });
      const admin = await joinAs(router, 'a@admin');
      assert.equal((await admin.call('com.svc2.admin.reset_password'))[4], 'wamp.error.no_such_procedure');
      const req = admin.request();
      admin.send([M.CALL, req, {}, 'com.svc2.ping']);
      const inv = await device.next(M.INVOCATION);
      assert.equal((inv[3] as Record<string, unknown>).procedure, 'com.svc2.ping');
      assert.equal(device.queued(M.INVOCATION).length, 0);
    });
  });

  describe('the meta API of default realms', () => {
    let listener: Listener;
    const open: JsonWs[] = [];
    afterEach(() => {
      for (const c of open.splice(0)) c.ws.close();
    });
    async function joinWs(details: Record<string, unknown> = {}): Promise<JsonWs> {
      const c = await openJsonWs(listener.url);
      open.push(c);
      c.send([M.HELLO, 'realm1', { roles: ALL_ROLES, ...details }]);
      await c.next(M.WELCOME);
      return c;
    }
    async function callWs(c: JsonWs, procedure: string, args: unknown[] = []): Promise<unknown[]> {
      const request = Math.floor(Math.random() * 1e9) + 1;
      c.send([M.CALL, request, {}, procedure, args]);
      return c.nextWhere(
        (m) => (m[0] === M.RESULT && m[1] === request) || (m[0] === M.ERROR && m[2] === request),
      );
    }

    it('in a realm with no users, anonymous may not kill others or see their addresses; the read-only meta API and app URIs stay open', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      listener = await router.listen({ host: '127.0.0.1', port: 0 });
      const victim = await joinWs();
      const attacker = await joinWs();
      attacker.send([M.SUBSCRIBE, 1, {}, 'wamp.session.on_join']);
      await attacker.next(M.SUBSCRIBED);
      for (const kill of [
        'wamp.session.kill_all',
        'wamp.session.kill_by_authrole',
        'wamp.session.kill_by_authid',
      ]) {
        const m = await callWs(attacker, kill, kill === 'wamp.session.kill_all' ? [] : ['anonymous']);
        assert.equal(m[4], 'wamp.error.not_authorized', kill);
      }
      const list = await callWs(attacker, 'wamp.session.list');
      assert.equal((list[3] as number[][])[0].length, 2, 'read-only meta API open');
      const victimId = (list[3] as number[][])[0].find((id) => id !== undefined)!;
      const details = await callWs(attacker, 'wamp.session.get', [victimId]);
      const transport = ((details[3] as Record<string, unknown>[])[0].transport ?? {}) as Record<
        string,
        unknown
      >;
      assert.equal(transport.remote_address, undefined);
      assert.equal(transport.type, 'websocket');
      // A third session joins: the on_join the attacker sees carries no address.
      await joinWs();
      const ev = await attacker.next(M.EVENT);
      const joined = (ev[4] as Record<string, unknown>[])[0];
      assert.equal((joined.transport as Record<string, unknown>).remote_address, undefined);
      assert.equal(victim.ws.readyState, 1, 'the victim is still connected');
      // Application URIs are open.
      attacker.send([M.PUBLISH, 2, { acknowledge: true }, 'com.any.topic', []]);
      await attacker.next(M.PUBLISHED);
    });

    it('in a realm with users but no roles, a device may not kill by authid or read addresses; a role granting them by name may', async () => {
      const users = [
        { authid: 'device1', role: 'device', ticket: 't1' },
        { authid: 'ops', role: 'ops', ticket: 't2' },
      ];
      router = new Router({ realms: [{ name: 'realm1', users }] });
      listener = await router.listen({ host: '127.0.0.1', port: 0 });
      const login = async (authid: string, ticket: string): Promise<JsonWs> => {
        const c = await openJsonWs(listener.url);
        open.push(c);
        c.send([M.HELLO, 'realm1', { roles: ALL_ROLES, authid, authmethods: ['ticket'] }]);
        await c.next(M.CHALLENGE);
        c.send([M.AUTHENTICATE, ticket, {}]);
        await c.next(M.WELCOME);
        return c;
      };
      const device = await login('device1', 't1');
      device.send([M.SUBSCRIBE, 1, {}, 'wamp.session.on_join']);
      await device.next(M.SUBSCRIBED);
      const ops = await login('ops', 't2');
      const ev = await device.next(M.EVENT);
      assert.equal(
        ((ev[4] as Record<string, unknown>[])[0].transport as Record<string, unknown>).remote_address,
        undefined,
      );
      assert.equal(
        (await callWs(device, 'wamp.session.kill_by_authid', ['ops']))[4],
        'wamp.error.not_authorized',
      );
      assert.equal(ops.ws.readyState, 1);
      await router.close();

      // With a role that names them, an operator may.
      router = new Router({
        realms: [
          {
            name: 'realm1',
            users,
            roles: [
              { name: 'device', permissions: [{ uri: 'com.', match: 'prefix', ...everything }] },
              {
                name: 'ops',
                permissions: [
                  { uri: 'wamp.session.', match: 'prefix', call: true, subscribe: true },
                  { uri: 'com.', match: 'prefix', ...everything },
                ],
              },
            ],
          },
        ],
      });
      listener = await router.listen({ host: '127.0.0.1', port: 0 });
      const ops2 = await login('ops', 't2');
      ops2.send([M.SUBSCRIBE, 1, {}, 'wamp.session.on_join']);
      await ops2.next(M.SUBSCRIBED);
      const device2 = await login('device1', 't1');
      const seen = await ops2.next(M.EVENT);
      assert.equal(
        ((seen[4] as Record<string, unknown>[])[0].transport as Record<string, unknown>).remote_address,
        '127.0.0.1',
      );
      assert.deepEqual((await callWs(ops2, 'wamp.session.kill_by_authid', ['device1']))[3], [1]);
      await device2.closed;
    });
  });

  describe('WAMP-CRA does not tell who exists', () => {
    it('an unknown authid gets a challenge of the same shape, with a salt that is the same on every try', () => {
      const cra = new WampCraAuthenticator([
        { authid: 'alice', role: 'user', secret: 'pw1', salt: 'salt-a', iterations: 1000, keylen: 32 },
        { authid: 'bob', role: 'user', secret: 'pw2', salt: 'salt-b', iterations: 1000, keylen: 32 },
      ]);
      const extra = (authid: string): Record<string, unknown> => {
        const out = cra.begin({ realm: 'r', sessionId: 1, authid, authmethods: ['wampcra'], authextra: {} });
        assert.equal(out.kind, 'challenge');
        return out.kind === 'challenge' ? out.extra : {};
      };
      const known = extra('alice');
      const unknown = extra('mallory');
      assert.deepEqual(Object.keys(unknown).sort(), Object.keys(known).sort());
      assert.equal(unknown.iterations, 1000);
      assert.equal(unknown.keylen, 32);
      assert.equal(typeof unknown.salt, 'string');
      assert.equal(extra('mallory').salt, unknown.salt, 'deterministic: asking twice tells nothing');
      assert.notEqual(extra('eve').salt, unknown.salt);
      // Unsalted users: no salt for anyone.
      const plain = new WampCraAuthenticator([{ authid: 'alice', role: 'user', secret: 'pw' }]);
      const out = plain.begin({
        realm: 'r',
        sessionId: 1,
        authid: 'nobody',
        authmethods: ['wampcra'],
        authextra: {},
      });
      assert.ok(out.kind === 'challenge' && !('salt' in out.extra));
    });
  });
});
