// The router's handshake with real authenticators and roles: what a user configures on the
// wamp-router node (users with ticket, WAMP-CRA, cryptosign; roles with permissions).
import assert from 'node:assert/strict';
import { Router, LoginThrottle } from '../../src/router';
import type { RealmConfig } from '../../src/router/config';
import { deriveCraKey, publicKeyHexOf, signCraChallenge, signCryptosignChallenge } from '../../src/wamp/auth';
import { MessageType as M } from '../../src/wamp';
import { ALL_ROLES, Peer, type Msg } from './peer';

const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';

const realm: RealmConfig = {
  name: 'secure',
  anonymous: false,
  users: [
    { authid: 'sensor', role: 'device', ticket: 's3cret-ticket' },
    { authid: 'alice', role: 'admin', secret: 'alice-password' },
    { authid: 'bob', role: 'device', secret: 'bob-password', salt: 'pepper', iterations: 100, keylen: 32 },
    { authid: 'edge', role: 'device', pubkey: publicKeyHexOf(SEED) },
  ],
  roles: [
    {
      name: 'admin',
      permissions: [
        { uri: 'com.', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
      ],
    },
    {
      name: 'device',
      permissions: [
        { uri: 'com.sensors.', match: 'prefix', publish: true },
        { uri: 'com.cmd.reboot', call: true },
      ],
    },
  ],
};

async function hello(
  router: Router,
  authid: string,
  authmethods: string[],
  authextra: Record<string, unknown> = {},
): Promise<[Peer, Msg]> {
  const peer = new Peer(router.connectLocal());
  peer.send([M.HELLO, 'secure', { roles: ALL_ROLES, authid, authmethods, authextra }]);
  const first = await peer.next([M.CHALLENGE, M.ABORT, M.WELCOME]);
  return [peer, first];
}

async function answer(peer: Peer, signature: string): Promise<Msg> {
  peer.send([M.AUTHENTICATE, signature, {}]);
  return peer.next([M.WELCOME, M.ABORT]);
}

describe('router authentication and authorization', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [realm], goodbyeTimeoutMs: 50 });
  });
  afterEach(async () => router.close());

  describe('ticket', () => {
    it('welcomes the right ticket with authid, authrole, authmethod, authprovider', async () => {
      const [peer, challenge] = await hello(router, 'sensor', ['ticket']);
      assert.deepEqual(challenge.slice(0, 2), [M.CHALLENGE, 'ticket']);
      const welcome = await answer(peer, 's3cret-ticket');
      assert.equal(welcome[0], M.WELCOME);
      const d = welcome[2] as Record<string, unknown>;
      assert.deepEqual(
        [d.authid, d.authrole, d.authmethod, d.authprovider],
        ['sensor', 'device', 'ticket', 'static'],
      );
    });
    it('aborts a wrong ticket with wamp.error.authentication_failed', async () => {
      const [peer] = await hello(router, 'sensor', ['ticket']);
      const abort = await answer(peer, 'guess');
      assert.deepEqual(abort.slice(0, 3), [M.ABORT, abort[1], 'wamp.error.authentication_failed']);
    });
  });

  describe('WAMP-CRA', () => {
    it('welcomes a correct HMAC signature of the challenge', async () => {
      const [peer, challenge] = await hello(router, 'alice', ['wampcra']);
      const extra = challenge[2] as { challenge: string };
      assert.equal(JSON.parse(extra.challenge).authid, 'alice');
      assert.equal((await answer(peer, signCraChallenge('alice-password', extra.challenge)))[0], M.WELCOME);
    });
    it('salted: sends salt, iterations, keylen and accepts the PBKDF2-derived key', async () => {
      const [peer, challenge] = await hello(router, 'bob', ['wampcra']);
      const extra = challenge[2] as { challenge: string; salt: string; iterations: number; keylen: number };
      assert.deepEqual([extra.salt, extra.iterations, extra.keylen], ['pepper', 100, 32]);
      const key = deriveCraKey('bob-password', extra);
      assert.equal((await answer(peer, signCraChallenge(key, extra.challenge)))[0], M.WELCOME);
    });
    it('aborts a wrong secret, and an unknown user, with the same answer', async () => {
      const [p1, c1] = await hello(router, 'alice', ['wampcra']);
      const wrong = await answer(p1, signCraChallenge('not-it', (c1[2] as { challenge: string }).challenge));
      const [p2, c2] = await hello(router, 'mallory', ['wampcra']);
      assert.equal(c2[0], M.CHALLENGE, 'an unknown user is challenged too: no hint who exists');
      const unknown = await answer(p2, signCraChallenge('x', (c2[2] as { challenge: string }).challenge));
      assert.equal(wrong[2], 'wamp.error.authentication_failed');
      assert.deepEqual(unknown.slice(1), wrong.slice(1));
    });
  });

  describe('cryptosign', () => {
    it('welcomes an Ed25519 signature of the challenge by the configured key', async () => {
      const [peer, challenge] = await hello(router, 'edge', ['cryptosign'], { pubkey: publicKeyHexOf(SEED) });
      const hex = (challenge[2] as { challenge: string }).challenge;
      assert.match(hex, /^[0-9a-f]{64}$/);
      const welcome = await answer(peer, signCryptosignChallenge(SEED, hex));
      assert.equal(welcome[0], M.WELCOME);
      assert.equal((welcome[2] as Record<string, unknown>).authid, 'edge');
    });
    it('aborts a signature by another key', async () => {
      const [peer, challenge] = await hello(router, 'edge', ['cryptosign'], { pubkey: publicKeyHexOf(SEED) });
      const other = '1'.repeat(64);
      const abort = await answer(
        peer,
        signCryptosignChallenge(other, (challenge[2] as { challenge: string }).challenge),
      );
      assert.equal(abort[2], 'wamp.error.authentication_failed');
    });
  });

  it("aborts with wamp.error.no_auth_method when the realm offers none of the client's methods", async () => {
    const [, abort] = await hello(router, 'x', ['anonymous']);
    assert.deepEqual(abort.slice(0, 3), [M.ABORT, abort[1], 'wamp.error.no_auth_method']);
  });

  it("picks the method by the client's order of preference", async () => {
    const [, challenge] = await hello(router, 'alice', ['ticket', 'wampcra']);
    assert.deepEqual(challenge.slice(0, 2), [M.CHALLENGE, 'ticket']);
  });

  describe('brute-force logins are slowed', () => {
    it('refuses even the right ticket while an authid is throttled after repeated failures', async () => {
      await router.close();
      let now = 0;
      router = new Router({
        realms: [realm],
        goodbyeTimeoutMs: 50,
        loginThrottle: new LoginThrottle({ freeFailures: 2, baseDelayMs: 1000, now: () => now }),
      });
      for (let i = 0; i < 3; i++) {
        const [peer] = await hello(router, 'sensor', ['ticket']);
        assert.equal((await answer(peer, `guess-${i}`))[2], 'wamp.error.authentication_failed');
      }
      const [, refused] = await hello(router, 'sensor', ['ticket']);
      assert.equal(refused[0], M.ABORT, 'refused without a challenge');
      assert.equal(refused[2], 'wamp.error.authentication_failed');
      now += 60_000;
      const [peer, challenge] = await hello(router, 'sensor', ['ticket']);
      assert.equal(challenge[0], M.CHALLENGE, 'allowed again after the delay');
      assert.equal((await answer(peer, 's3cret-ticket'))[0], M.WELCOME);
    });
  });

  describe('authorization by role', () => {
    async function login(authid: string, secret: string): Promise<Peer> {
      const [peer, challenge] = await hello(router, authid, ['wampcra']);
      const welcome = await answer(
        peer,
        signCraChallenge(secret, (challenge[2] as { challenge: string }).challenge),
      );
      assert.equal(welcome[0], M.WELCOME);
      return peer;
    }
    it('grants what a role permits and refuses the rest with wamp.error.not_authorized', async () => {
      const admin = await login('alice', 'alice-password');
      const device = await login(
        'bob',
        deriveCraKey('bob-password', { salt: 'pepper', iterations: 100, keylen: 32 }),
      );
      await admin.register('com.cmd.reboot');
      const reg = device.request();
      device.send([M.REGISTER, reg, {}, 'com.cmd.other']);
      const refused = await device.answer(reg, M.REGISTERED);
      assert.deepEqual(refused.slice(0, 5), [
        M.ERROR,
        M.REGISTER,
        reg,
        refused[3],
        'wamp.error.not_authorized',
      ]);
      const sub = device.request();
      device.send([M.SUBSCRIBE, sub, {}, 'com.sensors.temp']);
      assert.equal((await device.answer(sub, M.SUBSCRIBED))[4], 'wamp.error.not_authorized');
      const pub = device.request();
      device.send([M.PUBLISH, pub, { acknowledge: true }, 'com.sensors.temp', [20]]);
      assert.equal((await device.answer(pub, M.PUBLISHED))[0], M.PUBLISHED);
      const call = device.request();
      device.send([M.CALL, call, {}, 'com.cmd.reboot']);
      const inv = await admin.next(M.INVOCATION);
      admin.send([M.YIELD, inv[1], {}, ['ok']]);
      assert.deepEqual((await device.answer(call, M.RESULT)).slice(3), [['ok']]);
    });
  });
});
