import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import type { Authenticator, AuthOutcome } from '../../src/router/auth/authenticator';
import type { SessionInfo } from '../../src/router/session';
import { MessageType as M } from '../../src/wamp/messages';
import { ALL_ROLES, Peer } from './peer';

const HELLO_DETAILS = { roles: ALL_ROLES };

/** A ticket-like authenticator for the handshake: one CHALLENGE, the signature must be "letmein". */
class FakeTicket implements Authenticator {
  readonly method = 'ticket';
  begin(): AuthOutcome {
    return {
      kind: 'challenge',
      method: 'ticket',
      extra: {},
      verify: (signature) =>
        signature === 'letmein'
          ? {
              kind: 'welcome',
              identity: {
                authid: 'joe',
                authrole: 'user',
                authmethod: 'ticket',
                authprovider: 'static',
                authextra: { x: 1 },
              },
            }
          : { kind: 'abort', reason: 'wamp.error.authentication_failed', message: 'bad login' },
    };
  }
}

describe('router session', () => {
  let router: Router;
  afterEach(() => router.close());

  describe('HELLO is answered by WELCOME (anonymous by default)', () => {
    it('welcomes with roles, authid, authrole, authmethod, authprovider and realm', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const p = await Peer.join(router);
      assert.ok(p.sessionId >= 1 && p.sessionId <= 2 ** 53);
      type Features = { features: Record<string, boolean> };
      const d = p.welcome as {
        realm: string;
        authid: string;
        authrole: string;
        authmethod: string;
        authprovider: string;
        roles: { broker: Features; dealer: Features };
      };
      assert.equal(d.realm, 'realm1');
      assert.equal(d.authrole, 'anonymous');
      assert.equal(d.authmethod, 'anonymous');
      assert.equal(d.authprovider, 'static');
      assert.equal(typeof d.authid, 'string');
      assert.ok(d.authid.length > 0);
      assert.equal(d.roles.broker.features.pattern_based_subscription, true);
      assert.equal(d.roles.broker.features.event_retention, true);
      assert.equal(d.roles.dealer.features.call_canceling, true);
      assert.equal(d.roles.dealer.features.progressive_call_results, true);
      assert.equal(d.roles.dealer.features.shared_registration, true);
      assert.equal(
        d.roles.dealer.features.sharded_registration,
        undefined,
        'only what is implemented is announced',
      );
    });

    it('gives distinct anonymous authids and session IDs', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      assert.notEqual(a.sessionId, b.sessionId);
      assert.notEqual(a.welcome.authid, b.welcome.authid);
    });
  });

  describe('an unknown realm is refused with ABORT wamp.error.no_such_realm', () => {
    it('aborts and closes', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'nope', HELLO_DETAILS]);
      const abort = await p.next(M.ABORT);
      assert.equal(abort[2], 'wamp.error.no_such_realm');
      await p.closed;
    });

    it('creates the realm on first HELLO when autoCreateRealms is set', async () => {
      router = new Router({ autoCreateRealms: true });
      const p = await Peer.join(router, 'made.up');
      assert.equal(p.welcome.realm, 'made.up');
      assert.equal(router.sessions('made.up').length, 1);
    });
  });

  describe('the first authenticator whose method the HELLO offers is used', () => {
    it('aborts with wamp.error.no_auth_method when none matches', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'realm1', { ...HELLO_DETAILS, authmethods: ['ticket'] }]);
      const abort = await p.next(M.ABORT);
      assert.equal(abort[2], 'wamp.error.no_auth_method');
      await p.closed;
    });

    it('treats absent authmethods as anonymous, which a realm without anonymous refuses', async () => {
      router = new Router({ realms: [{ name: 'realm1', anonymous: false }] });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'realm1', HELLO_DETAILS]);
      assert.equal((await p.next(M.ABORT))[2], 'wamp.error.no_auth_method');
    });

    it('runs CHALLENGE → AUTHENTICATE → WELCOME with the identity from the authenticator', async () => {
      router = new Router({ realms: [{ name: 'realm1' }], authenticators: () => [new FakeTicket()] });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'realm1', { ...HELLO_DETAILS, authmethods: ['wampcra', 'ticket'], authid: 'joe' }]);
      const challenge = await p.next(M.CHALLENGE);
      assert.deepEqual(challenge, [M.CHALLENGE, 'ticket', {}]);
      p.send([M.AUTHENTICATE, 'letmein', {}]);
      const welcome = await p.next(M.WELCOME);
      assert.deepEqual(
        { ...(welcome[2] as object), roles: undefined },
        {
          realm: 'realm1',
          authid: 'joe',
          authrole: 'user',
          authmethod: 'ticket',
          authprovider: 'static',
          authextra: { x: 1 },
          roles: undefined,
        },
      );
    });

    it('aborts with the authenticator reason on a wrong signature', async () => {
      router = new Router({ realms: [{ name: 'realm1' }], authenticators: () => [new FakeTicket()] });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'realm1', { ...HELLO_DETAILS, authmethods: ['ticket'] }]);
      await p.next(M.CHALLENGE);
      p.send([M.AUTHENTICATE, 'wrong', {}]);
      const abort = await p.next(M.ABORT);
      assert.equal(abort[2], 'wamp.error.authentication_failed');
      assert.equal((abort[1] as { message?: unknown }).message, 'bad login');
      // No Arguments element: Autobahn|Python 22 refuses an ABORT longer than three elements.
      assert.equal(abort.length, 3);
      await p.closed;
      assert.equal(router.sessionCount, 0);
    });

    it("picks by the client's order of preference among the methods the realm offers", async () => {
      router = new Router({
        realms: [{ name: 'realm1' }],
        authenticators: () => [
          new FakeTicket(),
          {
            method: 'anonymous',
            begin: () => ({
              kind: 'welcome',
              identity: {
                authid: 'a',
                authrole: 'anonymous',
                authmethod: 'anonymous',
                authprovider: 'static',
              },
            }),
          },
        ],
      });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'realm1', { ...HELLO_DETAILS, authmethods: ['cryptosign', 'ticket', 'anonymous'] }]);
      await p.next(M.CHALLENGE);
      const q = new Peer(router.connectLocal());
      q.send([M.HELLO, 'realm1', { ...HELLO_DETAILS, authmethods: ['anonymous', 'ticket'] }]);
      assert.equal((await q.next(M.WELCOME))[0], M.WELCOME);
    });
  });

  describe('GOODBYE is answered with GOODBYE wamp.close.goodbye_and_out', () => {
    it('answers, ends the session and emits session-leave', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const left = new Promise<SessionInfo>((resolve) => router.once('session-leave', resolve));
      const p = await Peer.join(router);
      p.send([M.GOODBYE, {}, 'wamp.close.normal']);
      const bye = await p.next(M.GOODBYE);
      assert.equal(bye[2], 'wamp.close.goodbye_and_out');
      const info = await left;
      assert.equal(info.id, p.sessionId);
      assert.equal(info.realm, 'realm1');
      assert.equal(router.sessionCount, 0);
    });

    it('allows a new HELLO on the same transport after GOODBYE', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const p = await Peer.join(router);
      p.send([M.GOODBYE, {}, 'wamp.close.normal']);
      await p.next(M.GOODBYE);
      p.send([M.HELLO, 'realm1', HELLO_DETAILS]);
      const welcome = await p.next(M.WELCOME);
      assert.notEqual(welcome[1], p.sessionId);
    });
  });

  describe('the router reports its sessions', () => {
    it('emits session-join and lists SessionInfo with counters', async () => {
      router = new Router({ realms: [{ name: 'realm1' }, { name: 'realm2' }] });
      const joined = new Promise<SessionInfo>((resolve) => router.once('session-join', resolve));
      const p = await Peer.join(router);
      await Peer.join(router, 'realm2');
      assert.equal((await joined).id, p.sessionId);
      await p.sync();
      assert.equal(router.sessionCount, 2);
      const [info] = router.sessions('realm1');
      assert.equal(info.id, p.sessionId);
      assert.equal(info.authrole, 'anonymous');
      assert.equal(info.authmethod, 'anonymous');
      assert.equal(info.transport.type, 'local');
      assert.ok(info.joinedAt instanceof Date);
      assert.equal(info.messagesIn, 2);
      assert.equal(info.messagesOut, 2);
      assert.equal(router.sessions().length, 2);
      assert.deepEqual(router.sessions('nope'), []);
    });
  });

  describe('close() says GOODBYE wamp.close.system_shutdown to every session', () => {
    it('sends GOODBYE, closes every transport and resolves', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const a = await Peer.join(router);
      const b = await Peer.join(router);
      const pending = new Peer(router.connectLocal()); // no HELLO yet
      await router.close();
      assert.equal((await a.next(M.GOODBYE))[2], 'wamp.close.system_shutdown');
      assert.equal((await b.next(M.GOODBYE))[2], 'wamp.close.system_shutdown');
      await Promise.all([a.closed, b.closed, pending.closed]);
      assert.equal(router.sessionCount, 0);
    });

    it('closes a peer that never answers the GOODBYE', async () => {
      router = new Router({ realms: [{ name: 'realm1' }], goodbyeTimeoutMs: 50 });
      const a = await Peer.join(router);
      (a as unknown as { saidGoodbye: boolean }).saidGoodbye = true; // it will not answer
      const t0 = Date.now();
      await router.close();
      await a.closed;
      assert.ok(Date.now() - t0 < 500);
    });
  });

  describe('removeRealm ends its sessions with GOODBYE wamp.close.close_realm', () => {
    it('says GOODBYE and refuses new HELLOs for it', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const a = await Peer.join(router);
      router.removeRealm('realm1');
      assert.equal((await a.next(M.GOODBYE))[2], 'wamp.close.close_realm');
      await a.closed;
      const b = new Peer(router.connectLocal());
      b.send([M.HELLO, 'realm1', HELLO_DETAILS]);
      assert.equal((await b.next(M.ABORT))[2], 'wamp.error.no_such_realm');
    });
  });

  describe('ABORT from a client is never answered and ends the session', () => {
    it('closes without a reply', async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      const p = await Peer.join(router);
      p.send([M.ABORT, {}, 'wamp.close.normal']);
      await p.closed;
      assert.deepEqual(p.received, []);
      assert.equal(router.sessionCount, 0);
    });
  });

  describe("trusted sessions (the router's own peers, e.g. the meta API) skip authentication and may use wamp.", () => {
    it('welcomes without authentication and allows wamp. registrations and publications', async () => {
      router = new Router({ realms: [{ name: 'realm1', anonymous: false }], authorize: () => false });
      const meta = new Peer(router.connectLocal({ trusted: true }));
      meta.send([M.HELLO, 'realm1', { roles: ALL_ROLES }]);
      const welcome = await meta.next(M.WELCOME);
      assert.equal((welcome[2] as Record<string, unknown>).authrole, 'trusted');
      // Not a meta procedure: the router's own meta peer holds those already.
      await meta.register('wamp.example.count');
      const req = meta.request();
      meta.send([M.PUBLISH, req, { acknowledge: true }, 'wamp.session.on_join', [{}]]);
      assert.equal((await meta.answer(req, M.PUBLISHED))[0], M.PUBLISHED);
    });
  });
});
