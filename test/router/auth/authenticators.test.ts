// Each authentication method on its own: success, wrong secret, unknown user, missing
// credentials; and the one failure answer whatever went wrong.
import assert from 'node:assert/strict';
import {
  AnonymousAuthenticator,
  CryptosignAuthenticator,
  TicketAuthenticator,
  WampCraAuthenticator,
} from '../../../src/router/auth';
import type { UserConfig } from '../../../src/router/config';
import {
  deriveCraKey,
  publicKeyHexOf,
  signCraChallenge,
  signCryptosignChallenge,
} from '../../../src/wamp/auth';
import { answer, assertChallenge, assertFailed, assertWelcome, hello } from './helpers';

interface AutobahnCra {
  auth_cra: {
    derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string;
    sign(key: string, challenge: string): string;
  };
}
const autobahn = require('autobahn') as AutobahnCra;

const SEED_ALICE = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
const SEED_BOB = 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd';
const SEED_STRANGER = '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b';

const USERS: UserConfig[] = [
  {
    authid: 'alice',
    role: 'admin',
    ticket: 't1ck3t',
    secret: 'cra-secret',
    pubkey: publicKeyHexOf(SEED_ALICE),
  },
  {
    authid: 'bob',
    role: 'user',
    secret: 'b0b-password',
    salt: 'pepper',
    iterations: 100,
    keylen: 32,
    pubkey: publicKeyHexOf(SEED_BOB).toUpperCase(),
  },
  { authid: 'carol', role: 'user' },
];

describe('anonymous authentication', () => {
  it('welcomes at once with a random authid, the configured role and provider static', () => {
    const a = new AnonymousAuthenticator('guest');
    const id1 = assertWelcome(a.begin(hello({ authmethods: ['anonymous'], authid: 'i-claim-to-be-admin' })));
    const id2 = assertWelcome(a.begin(hello({ authmethods: ['anonymous'] })));
    assert.equal(id1.authrole, 'guest');
    assert.equal(id1.authmethod, 'anonymous');
    assert.equal(id1.authprovider, 'static');
    assert.notEqual(id1.authid, 'i-claim-to-be-admin', 'a claimed authid is not granted');
    assert.notEqual(id1.authid, id2.authid);
    assert.match(id1.authid, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
  });

  it("the role defaults to 'anonymous'", () => {
    assert.equal(assertWelcome(new AnonymousAuthenticator().begin(hello())).authrole, 'anonymous');
  });
});

describe('ticket authentication', () => {
  const auth = new TicketAuthenticator(USERS);

  it('CHALLENGE is [4, "ticket", {}] and the right ticket is welcomed', () => {
    const c = assertChallenge(auth.begin(hello({ authid: 'alice' })), 'ticket');
    assert.deepEqual(c.extra, {});
    const id = assertWelcome(c.verify('t1ck3t', {}));
    assert.deepEqual(id, {
      authid: 'alice',
      authrole: 'admin',
      authmethod: 'ticket',
      authprovider: 'static',
    });
  });

  it('a wrong ticket fails', () => {
    assertFailed(answer(auth.begin(hello({ authid: 'alice' })), 'ticket', () => 't1ck3T'));
    assertFailed(answer(auth.begin(hello({ authid: 'alice' })), 'ticket', () => 't1ck3t '));
    assertFailed(answer(auth.begin(hello({ authid: 'alice' })), 'ticket', () => ''));
  });

  it('an unknown authid is challenged like a known one and then fails', () => {
    const c = assertChallenge(auth.begin(hello({ authid: 'mallory' })), 'ticket');
    assert.deepEqual(c.extra, {});
    assertFailed(c.verify('t1ck3t', {}));
    assertFailed(answer(auth.begin(hello({ authid: 'mallory' })), 'ticket', () => ''));
  });

  it('a user without a ticket is treated as unknown', () => {
    assertFailed(answer(auth.begin(hello({ authid: 'carol' })), 'ticket', () => ''));
    assertFailed(answer(auth.begin(hello({ authid: 'bob' })), 'ticket', () => 'b0b-password'));
  });

  it('a HELLO without authid fails at once', () => {
    assertFailed(auth.begin(hello()));
  });

  it('a challenge accepts one answer only (no replay)', () => {
    const c = assertChallenge(auth.begin(hello({ authid: 'alice' })), 'ticket');
    assertFailed(c.verify('wrong', {}));
    assertFailed(c.verify('t1ck3t', {}));
  });
});

describe('WAMP-CRA authentication', () => {
  const auth = new WampCraAuthenticator(USERS);

  it('the challenge names the user, role, method, provider and session', () => {
    const c = assertChallenge(auth.begin(hello({ authid: 'alice', sessionId: 777 })), 'wampcra');
    assert.deepEqual(Object.keys(c.extra), ['challenge'], 'no salt for an unsalted user');
    const fields = JSON.parse(c.extra.challenge as string) as Record<string, unknown>;
    assert.equal(fields.authid, 'alice');
    assert.equal(fields.authrole, 'admin');
    assert.equal(fields.authmethod, 'wampcra');
    assert.equal(fields.authprovider, 'static');
    assert.equal(fields.session, 777);
  });

  it('the HMAC of the challenge with the secret is welcomed (signed by Autobahn|JS)', () => {
    const out = answer(auth.begin(hello({ authid: 'alice' })), 'wampcra', (x) =>
      autobahn.auth_cra.sign('cra-secret', x.challenge as string),
    );
    assert.deepEqual(assertWelcome(out), {
      authid: 'alice',
      authrole: 'admin',
      authmethod: 'wampcra',
      authprovider: 'static',
    });
  });

  it('a salted user gets salt, iterations and keylen, and signs with the derived key', () => {
    const c = assertChallenge(auth.begin(hello({ authid: 'bob' })), 'wampcra');
    assert.equal(c.extra.salt, 'pepper');
    assert.equal(c.extra.iterations, 100);
    assert.equal(c.extra.keylen, 32);
    // What an Autobahn|JS client does with these fields.
    const key = autobahn.auth_cra.derive_key(
      'b0b-password',
      c.extra.salt as string,
      c.extra.iterations as number,
      c.extra.keylen as number,
    );
    assert.equal(
      assertWelcome(c.verify(autobahn.auth_cra.sign(key, c.extra.challenge as string), {})).authid,
      'bob',
    );
  });

  it('a salted user signing with the raw password fails; the cached key keeps working', () => {
    assertFailed(
      answer(auth.begin(hello({ authid: 'bob' })), 'wampcra', (x) =>
        signCraChallenge('b0b-password', x.challenge as string),
      ),
    );
    const key = deriveCraKey('b0b-password', { salt: 'pepper', iterations: 100, keylen: 32 });
    for (let i = 0; i < 2; i++) {
      assertWelcome(
        answer(auth.begin(hello({ authid: 'bob' })), 'wampcra', (x) =>
          signCraChallenge(key, x.challenge as string),
        ),
      );
    }
  });

  it('a blank salt means unsalted; blank iterations and keylen mean the defaults', () => {
    const form = new WampCraAuthenticator([
      { authid: 'plain', role: 'user', secret: 'pw', salt: '' },
      { authid: 'salty', role: 'user', secret: 'pw', salt: 'NaCl', iterations: 0, keylen: 0 },
    ]);
    const plain = assertChallenge(form.begin(hello({ authid: 'plain' })), 'wampcra');
    assert.equal(plain.extra.salt, undefined);
    assertWelcome(plain.verify(signCraChallenge('pw', plain.extra.challenge as string), {}));
    const salty = assertChallenge(form.begin(hello({ authid: 'salty' })), 'wampcra');
    assert.equal(salty.extra.iterations, 1000);
    assert.equal(salty.extra.keylen, 32);
    const key = autobahn.auth_cra.derive_key('pw', 'NaCl');
    assertWelcome(salty.verify(autobahn.auth_cra.sign(key, salty.extra.challenge as string), {}));
  });

  it('a wrong secret fails, and so does a signature of another challenge', () => {
    assertFailed(
      answer(auth.begin(hello({ authid: 'alice' })), 'wampcra', (x) =>
        signCraChallenge('cra-secreT', x.challenge as string),
      ),
    );
    const old = assertChallenge(auth.begin(hello({ authid: 'alice' })), 'wampcra');
    const replayed = signCraChallenge('cra-secret', old.extra.challenge as string);
    assertFailed(answer(auth.begin(hello({ authid: 'alice' })), 'wampcra', () => replayed));
  });

  it('an unknown authid gets a plausible challenge and then fails', () => {
    const c = assertChallenge(auth.begin(hello({ authid: 'mallory' })), 'wampcra');
    const fields = JSON.parse(c.extra.challenge as string) as Record<string, unknown>;
    assert.equal(fields.authid, 'mallory');
    assert.equal(fields.authrole, 'admin', 'a configured role, not a telltale one');
    assertFailed(c.verify(signCraChallenge('', c.extra.challenge as string), {}));
  });

  it('a user without a secret is treated as unknown; no authid fails at once', () => {
    assertFailed(
      answer(auth.begin(hello({ authid: 'carol' })), 'wampcra', (x) =>
        signCraChallenge('', x.challenge as string),
      ),
    );
    assertFailed(auth.begin(hello()));
  });
});

describe('WAMP-Cryptosign authentication', () => {
  const auth = new CryptosignAuthenticator(USERS);
  const sign = (seed: string) => (extra: Record<string, unknown>) =>
    signCryptosignChallenge(seed, extra.challenge as string);

  it('HELLO authextra.pubkey selects the user without an authid', () => {
    const c = assertChallenge(
      auth.begin(hello({ authextra: { pubkey: publicKeyHexOf(SEED_ALICE) } })),
      'cryptosign',
    );
    assert.match(c.extra.challenge as string, /^[0-9a-f]{64}$/);
    assert.equal(c.extra.channel_binding, null);
    const id = assertWelcome(c.verify(sign(SEED_ALICE)(c.extra), {}));
    assert.equal(id.authid, 'alice');
    assert.equal(id.authrole, 'admin');
    assert.equal(id.authmethod, 'cryptosign');
    assert.equal(id.authprovider, 'static');
  });

  it('matches public keys regardless of hex case', () => {
    const out = answer(
      auth.begin(hello({ authextra: { pubkey: publicKeyHexOf(SEED_BOB) } })),
      'cryptosign',
      sign(SEED_BOB),
    );
    assert.equal(assertWelcome(out).authid, 'bob');
  });

  it("pubkey with the matching authid is welcomed; with another user's authid it fails", () => {
    assertWelcome(
      answer(
        auth.begin(hello({ authid: 'alice', authextra: { pubkey: publicKeyHexOf(SEED_ALICE) } })),
        'cryptosign',
        sign(SEED_ALICE),
      ),
    );
    assertFailed(
      answer(
        auth.begin(hello({ authid: 'bob', authextra: { pubkey: publicKeyHexOf(SEED_ALICE) } })),
        'cryptosign',
        sign(SEED_ALICE),
      ),
    );
  });

  it("an authid alone selects that user's public key", () => {
    assert.equal(
      assertWelcome(answer(auth.begin(hello({ authid: 'bob' })), 'cryptosign', sign(SEED_BOB))).authid,
      'bob',
    );
  });

  it('an authid listed once per device: each key logs in, the authid alone does not choose', () => {
    const devices = new CryptosignAuthenticator([
      { authid: 'dave', role: 'device', pubkey: publicKeyHexOf(SEED_ALICE) },
      { authid: 'dave', role: 'device', pubkey: publicKeyHexOf(SEED_BOB) },
    ]);
    for (const seed of [SEED_ALICE, SEED_BOB]) {
      const out = answer(
        devices.begin(hello({ authid: 'dave', authextra: { pubkey: publicKeyHexOf(seed) } })),
        'cryptosign',
        sign(seed),
      );
      assert.equal(assertWelcome(out).authid, 'dave');
    }
    assertFailed(answer(devices.begin(hello({ authid: 'dave' })), 'cryptosign', sign(SEED_ALICE)));
  });

  it('a signature by another key fails', () => {
    assertFailed(
      answer(
        auth.begin(hello({ authextra: { pubkey: publicKeyHexOf(SEED_ALICE) } })),
        'cryptosign',
        sign(SEED_BOB),
      ),
    );
    assertFailed(answer(auth.begin(hello({ authid: 'alice' })), 'cryptosign', sign(SEED_STRANGER)));
  });

  it('a tampered signature fails', () => {
    const out = answer(auth.begin(hello({ authid: 'alice' })), 'cryptosign', (x) => {
      const s = sign(SEED_ALICE)(x);
      return (s[0] === '0' ? '1' : '0') + s.slice(1);
    });
    assertFailed(out);
  });

  it('an unknown public key or authid is challenged and then fails', () => {
    assertFailed(
      answer(
        auth.begin(hello({ authextra: { pubkey: publicKeyHexOf(SEED_STRANGER) } })),
        'cryptosign',
        sign(SEED_STRANGER),
      ),
    );
    assertFailed(answer(auth.begin(hello({ authid: 'mallory' })), 'cryptosign', sign(SEED_STRANGER)));
  });

  it('a user without a public key is treated as unknown', () => {
    assertFailed(answer(auth.begin(hello({ authid: 'carol' })), 'cryptosign', sign(SEED_STRANGER)));
  });

  it('neither pubkey nor authid, or a malformed pubkey, fails at once', () => {
    assertFailed(auth.begin(hello()));
    assertFailed(auth.begin(hello({ authextra: { pubkey: 'abc' } })));
    assertFailed(auth.begin(hello({ authextra: { pubkey: 42 } })));
  });
});

describe('a failed login says the same whatever was wrong', () => {
  it('unknown user, missing credentials, wrong secret and wrong signature give one identical ABORT', () => {
    const ticket = new TicketAuthenticator(USERS);
    const cra = new WampCraAuthenticator(USERS);
    const cs = new CryptosignAuthenticator(USERS);
    const outcomes = [
      answer(ticket.begin(hello({ authid: 'nobody' })), 'ticket', () => 'x'),
      answer(ticket.begin(hello({ authid: 'carol' })), 'ticket', () => 'x'),
      answer(ticket.begin(hello({ authid: 'alice' })), 'ticket', () => 'x'),
      answer(cra.begin(hello({ authid: 'nobody' })), 'wampcra', () => 'x'),
      answer(cra.begin(hello({ authid: 'alice' })), 'wampcra', () => 'x'),
      answer(cs.begin(hello({ authid: 'carol' })), 'cryptosign', () => 'x'),
      answer(cs.begin(hello({ authid: 'alice' })), 'cryptosign', () => '00'.repeat(96)),
      ticket.begin(hello()),
    ];
    for (const o of outcomes) assert.deepEqual(o, outcomes[0]);
    assertFailed(outcomes[0]);
  });
});
