// Which authenticators a realm offers, and which one a HELLO gets.
import assert from 'node:assert/strict';
import {
  allowsAnonymous,
  authenticatorsFor,
  beginAuthentication,
  chooseAuthenticator,
} from '../../../src/router/auth';
import type { RealmConfig } from '../../../src/router/config';
import { assertChallenge, assertWelcome, hello } from './helpers';

const PUBKEY = 'a'.repeat(64);

const methods = (realm: RealmConfig): string[] => authenticatorsFor(realm).map((a) => a.method);

describe('the authenticators of a realm', () => {
  it('a realm without users is anonymous by default', () => {
    assert.deepEqual(methods({ name: 'r' }), ['anonymous']);
    assert.deepEqual(methods({ name: 'r', users: [] }), ['anonymous']);
  });

  it('a realm with users admits anonymous sessions only when it says so', () => {
    const users = [{ authid: 'u', role: 'user', ticket: 't' }];
    assert.deepEqual(methods({ name: 'r', users }), ['ticket']);
    assert.deepEqual(methods({ name: 'r', users, anonymous: true }), ['ticket', 'anonymous']);
    assert.deepEqual(methods({ name: 'r', users, anonymous: { role: 'guest' } }), ['ticket', 'anonymous']);
  });

  it('anonymous: false closes even a realm without users', () => {
    assert.deepEqual(methods({ name: 'r', anonymous: false }), []);
    assert.equal(allowsAnonymous({ name: 'r', anonymous: false }), false);
  });

  it('offers each method some user has credentials for, strongest first', () => {
    const realm: RealmConfig = {
      name: 'r',
      anonymous: true,
      users: [
        { authid: 'a', role: 'x', ticket: 't' },
        { authid: 'b', role: 'x', secret: 's' },
        { authid: 'c', role: 'x', pubkey: PUBKEY },
      ],
    };
    assert.deepEqual(methods(realm), ['cryptosign', 'wampcra', 'ticket', 'anonymous']);
    assert.deepEqual(methods({ name: 'r', users: [{ authid: 'b', role: 'x', secret: 's' }] }), ['wampcra']);
  });

  it('the anonymous role comes from the config, else anonymous', () => {
    const [guest] = authenticatorsFor({ name: 'r', anonymous: { role: 'guest' } });
    assert.equal(assertWelcome(guest.begin(hello())).authrole, 'guest');
    const [anon] = authenticatorsFor({ name: 'r' });
    assert.equal(assertWelcome(anon.begin(hello())).authrole, 'anonymous');
  });
});

describe("choosing by the client's order of preference", () => {
  const all = authenticatorsFor({
    name: 'r',
    anonymous: true,
    users: [{ authid: 'u', role: 'user', ticket: 't', secret: 's', pubkey: PUBKEY }],
  });

  const cases: [string[], string | undefined][] = [
    [['ticket', 'wampcra'], 'ticket'],
    [['wampcra', 'ticket'], 'wampcra'],
    [['anonymous', 'cryptosign'], 'anonymous'],
    [['scram', 'cryptosign'], 'cryptosign'],
    [['scram', 'tls'], undefined],
    [[], 'anonymous'],
  ];
  for (const [offered, expected] of cases) {
    it(`[${offered.join(', ')}] → ${expected ?? 'none'}`, () => {
      assert.equal(chooseAuthenticator(all, offered)?.method, expected);
    });
  }

  it('a HELLO without authmethods gets nothing from a realm closed to anonymous', () => {
    const closed = authenticatorsFor({ name: 'r', users: [{ authid: 'u', role: 'user', ticket: 't' }] });
    assert.equal(chooseAuthenticator(closed, []), undefined);
  });

  it('beginAuthentication begins the chosen method, or aborts with no_matching_auth_method', () => {
    assertChallenge(beginAuthentication(all, hello({ authid: 'u', authmethods: ['ticket'] })), 'ticket');
    assert.deepEqual(
      beginAuthentication(
        authenticatorsFor({ name: 'r', anonymous: false }),
        hello({ authmethods: ['anonymous'] }),
      ),
      {
        kind: 'abort',
        reason: 'wamp.error.no_matching_auth_method',
        message: 'no matching authentication method',
      },
    );
  });
});
