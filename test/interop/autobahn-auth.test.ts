// Every authentication method of the router with Autobahn|JS, a client we did not write, doing
// its own signing: ticket, WAMP-CRA (plain and salted), cryptosign, anonymous; wrong credentials
// too; over each serializer (the challenge's extra and the signature travel in each encoding).
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports';
import { AUTOBAHN_JS, autobahn, openAutobahn } from './autobahn';
const nacl = require('tweetnacl');

const keyPair = nacl.sign.keyPair.fromSeed(Buffer.alloc(32, 7));
const pubkey = Buffer.from(keyPair.publicKey).toString('hex');

describe(`interop: ${AUTOBAHN_JS} authentication against our router`, () => {
  let router: Router;
  let listener: Listener;

  before(async () => {
    router = new Router({
      realms: [
        {
          name: 'open',
        },
        {
          name: 'secure',
          users: [
            { authid: 'sensor', role: 'device', ticket: 'ticket-123' },
            { authid: 'alice', role: 'admin', secret: 'alice-secret' },
            {
              authid: 'bob',
              role: 'admin',
              secret: 'bob-secret',
              salt: 'salt123',
              iterations: 500,
              keylen: 32,
            },
            { authid: 'edge', role: 'device', pubkey },
          ],
        },
      ],
    });
    listener = await router.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => router.close());

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    describe(`WebSocket/${serializer}`, () => {
      function join(
        authid: string,
        authmethods: string[],
        onchallenge: (session: unknown, method: string, extra: Record<string, unknown>) => string,
        authextra?: object,
      ) {
        return openAutobahn({ kind: 'websocket', url: listener.url, serializer }, 'secure', {
          authid,
          authmethods,
          onchallenge,
          authextra,
        });
      }

      it('ticket: joins with the right ticket, with authid and authrole in WELCOME', async () => {
        const c = await join('sensor', ['ticket'], () => 'ticket-123');
        const d = c.details;
        assert.deepEqual(
          [d.authid, d.authrole, d.authmethod, d.authprovider],
          ['sensor', 'device', 'ticket', 'static'],
        );
        await c.close();
      });

      it('ticket: a wrong ticket is refused with wamp.error.authentication_failed', async () => {
        await assert.rejects(
          join('sensor', ['ticket'], () => 'wrong'),
          /authentication_failed/,
        );
      });

      it('WAMP-CRA: Autobahn signs the challenge with its own HMAC', async () => {
        const c = await join('alice', ['wampcra'], (_s, method, extra) => {
          assert.equal(method, 'wampcra');
          return autobahn.auth_cra.sign('alice-secret', extra.challenge);
        });
        await c.close();
      });

      it('WAMP-CRA salted: Autobahn derives the key with PBKDF2 from the salt, iterations and keylen we send', async () => {
        const c = await join('bob', ['wampcra'], (_s, _m, extra) => {
          const key = autobahn.auth_cra.derive_key('bob-secret', extra.salt, extra.iterations, extra.keylen);
          return autobahn.auth_cra.sign(key, extra.challenge);
        });
        await c.close();
      });

      it('WAMP-CRA: a wrong secret is refused', async () => {
        await assert.rejects(
          join('alice', ['wampcra'], (_s, _m, extra) => autobahn.auth_cra.sign('nope', extra.challenge)),
          /authentication_failed/,
        );
      });

      it('cryptosign: Autobahn signs the challenge with Ed25519 (tweetnacl)', async () => {
        const c = await join(
          'edge',
          ['cryptosign'],
          (_s, method, extra) => {
            assert.equal(method, 'cryptosign');
            return autobahn.auth_cryptosign.sign_challenge(keyPair, extra);
          },
          { pubkey },
        );
        await c.close();
      });

      it('cryptosign: a signature by another key is refused', async () => {
        const other = nacl.sign.keyPair.fromSeed(Buffer.alloc(32, 9));
        await assert.rejects(
          join(
            'edge',
            ['cryptosign'],
            (_s, _m, extra) => autobahn.auth_cryptosign.sign_challenge(other, extra),
            {
              pubkey,
            },
          ),
          /authentication_failed/,
        );
      });

      it('anonymous is refused on a realm with users', async () => {
        await assert.rejects(
          openAutobahn({ kind: 'websocket', url: listener.url, serializer }, 'secure'),
          /no_auth_method/,
        );
      });

      it('anonymous joins a realm without users', async () => {
        const c = await openAutobahn({ kind: 'websocket', url: listener.url, serializer }, 'open');
        assert.equal(c.details.authmethod, 'anonymous');
        await c.close();
      });
    });
  }
});
