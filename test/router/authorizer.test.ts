// Role-based authorization, table-driven: the most specific permission matching a URI decides.
import assert from 'node:assert/strict';
import { Authorizer } from '../../src/router/authorizer';
import type { Action, RoleConfig } from '../../src/router/config';
import type { MatchPolicy } from '../../src/wamp/options';

const ROLES: RoleConfig[] = [
  {
    name: 'user',
    permissions: [
      { uri: 'com.app.', match: 'prefix', call: true, subscribe: true },
      { uri: 'com.app.admin.', match: 'prefix', call: false, subscribe: false },
      { uri: 'com.app.admin.status', call: true },
      { uri: 'com.app..event', match: 'wildcard', publish: true, subscribe: true },
      { uri: 'com..', match: 'wildcard', register: true },
      { uri: 'com.app.x.', match: 'prefix', register: false, call: true },
      { uri: 'wamp.session.', match: 'prefix', call: true, subscribe: true },
    ],
  },
  {
    name: 'backend',
    permissions: [
      { uri: 'com.app.', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
      { uri: 'com.app.secret', match: 'exact' },
    ],
  },
  { name: 'nobody', permissions: [] },
];

type Row = [role: string, action: Action, uri: string, allowed: boolean, why: string];

const TABLE: Row[] = [
  ['user', 'call', 'com.app.add', true, 'prefix grant'],
  ['user', 'subscribe', 'com.app.news', true, 'prefix grant'],
  ['user', 'publish', 'com.app.news', false, 'action not granted by the prefix'],
  ['user', 'call', 'com.app.admin.reset', false, 'longer prefix denies inside a shorter grant'],
  ['user', 'call', 'com.app.admin.status', true, 'exact beats the longer prefix'],
  ['user', 'subscribe', 'com.app.admin.status', false, 'the exact rule decides alone, without subscribe'],
  ['user', 'publish', 'com.app.door.event', false, 'a matching prefix beats a wildcard'],
  ['user', 'publish', 'org.app.door.event', false, 'nothing matches'],
  ['user', 'register', 'com.x.y', true, 'wildcard with the same number of components'],
  ['user', 'register', 'com.x.y.z', false, 'wildcard needs the same number of components'],
  ['user', 'register', 'com.app.x.y', false, 'prefix denying register beats the wildcard'],
  ['user', 'call', 'com.app.x.y', true, 'prefix'],
  ['user', 'call', 'com.ap', false, 'not a prefix match'],
  ['user', 'call', 'wamp.session.count', true, 'meta API granted by prefix'],
  ['user', 'call', 'wamp.registration.list', false, 'other meta API not granted'],
  ['backend', 'register', 'com.app.add', true, 'prefix grant'],
  ['backend', 'publish', 'com.app.anything.deep', true, 'prefix covers any depth'],
  ['backend', 'call', 'com.app.secret', false, 'exact rule without actions denies everything'],
  ['backend', 'call', 'com.app.secret.more', true, 'exact does not extend to longer URIs'],
  ['nobody', 'call', 'com.app.add', false, 'a role without permissions'],
  ['stranger', 'call', 'com.app.add', false, 'an unknown role'],
  ['', 'subscribe', 'com.app.add', false, 'an empty role'],
];

describe('Authorizer', () => {
  describe('with roles configured, the most specific matching permission decides', () => {
    const authz = new Authorizer(ROLES);
    for (const [role, action, uri, allowed, why] of TABLE) {
      it(`${role || '(empty)'} ${action} ${uri} → ${allowed ? 'allow' : 'deny'} (${why})`, () => {
        assert.equal(authz.authorize(role, action, uri), allowed);
      });
    }
    it('enforces', () => assert.equal(authz.enforcing, true));
  });

  describe('match defaults to exact', () => {
    const authz = new Authorizer([{ name: 'r', permissions: [{ uri: 'com.a', call: true }] }]);
    const rows: [string, boolean][] = [
      ['com.a', true],
      ['com.a.b', false],
      ['com.ab', false],
    ];
    for (const [uri, allowed] of rows) {
      it(`${uri} → ${allowed ? 'allow' : 'deny'}`, () =>
        assert.equal(authz.authorize('r', 'call', uri), allowed));
    }
  });

  describe('among wildcards the one with more literal components wins', () => {
    const authz = new Authorizer([
      {
        name: 'r',
        permissions: [
          { uri: 'com..', match: 'wildcard', publish: true },
          { uri: 'com.secret.', match: 'wildcard', publish: false },
        ],
      },
    ]);
    it('com.open.x → allow', () => assert.equal(authz.authorize('r', 'publish', 'com.open.x'), true));
    it('com.secret.x → deny', () => assert.equal(authz.authorize('r', 'publish', 'com.secret.x'), false));
  });

  it('a role listed twice has the permissions of both entries', () => {
    const authz = new Authorizer([
      { name: 'r', permissions: [{ uri: 'a.b', call: true }] },
      { name: 'r', permissions: [{ uri: 'c.', match: 'prefix', subscribe: true }] },
    ]);
    assert.equal(authz.authorize('r', 'call', 'a.b'), true);
    assert.equal(authz.authorize('r', 'subscribe', 'c.d'), true);
  });

  describe('without roles everything is allowed', () => {
    for (const roles of [undefined, []]) {
      it(`roles: ${JSON.stringify(roles)}`, () => {
        const authz = new Authorizer(roles);
        assert.equal(authz.enforcing, false);
        for (const action of ['call', 'register', 'publish', 'subscribe'] as Action[]) {
          assert.equal(authz.authorize('anyone', action, 'com.any.thing'), true);
        }
      });
    }
  });
  describe('a pattern is granted as far as the role grants every URI it can match', () => {
    const authz = new Authorizer([
      {
        name: 'r',
        permissions: [
          { uri: 'com.app.status', subscribe: true },
          { uri: 'com.pub.', match: 'prefix', subscribe: true },
          { uri: 'com.pub.secret.', match: 'prefix', subscribe: false },
          { uri: 'com.pub.exact_secret', subscribe: false },
          { uri: 'com.open.', match: 'prefix', subscribe: true },
          { uri: 'com.open.also.', match: 'prefix', subscribe: true },
          { uri: 'dev..status', match: 'wildcard', subscribe: true },
          { uri: 'dev.x9.status', subscribe: false },
        ],
      },
    ]);
    const cases: Array<[string, MatchPolicy, string]> = [
      ['com.app.status', 'exact', 'all'],
      ['com.app.status', 'prefix', 'none'],
      ['com.app.', 'wildcard', 'none'],
      ['com.pub.', 'prefix', 'some'],
      ['com.pub.news.', 'prefix', 'all'],
      ['com.pub.secret.', 'prefix', 'none'],
      ['com.pub..', 'wildcard', 'some'],
      ['com.pub.news..', 'wildcard', 'all'],
      ['com.open.', 'prefix', 'all'],
      ['com.open', 'prefix', 'none'],
      ['dev..status', 'wildcard', 'some'],
      ['dev.x1.status', 'exact', 'all'],
      ['dev..other', 'wildcard', 'none'],
      ['..status', 'wildcard', 'none'],
    ];
    for (const [pattern, match, grant] of cases)
      it(`${match} ${pattern} → ${grant}`, () =>
        assert.equal(authz.grant('r', 'subscribe', pattern, match), grant));
    it('an unknown role gets none; without roles all', () => {
      assert.equal(authz.grant('x', 'subscribe', 'com.', 'prefix'), 'none');
      assert.equal(new Authorizer(undefined).grant('x', 'subscribe', 'com.', 'prefix'), 'all');
    });
  });

  describe('the router namespace is granted only by name', () => {
    it('a blanket grant does not name wamp.; a wamp. permission does; no roles never', () => {
      const blanket = new Authorizer([
        { name: 'r', permissions: [{ uri: '', match: 'prefix', call: true }] },
      ]);
      assert.equal(blanket.authorize('r', 'call', 'wamp.session.kill_all'), true);
      assert.equal(blanket.grantsByName('r', 'call', 'wamp.session.kill_all'), false);
      const named = new Authorizer([
        { name: 'r', permissions: [{ uri: 'wamp.session.', match: 'prefix', call: true }] },
      ]);
      assert.equal(named.grantsByName('r', 'call', 'wamp.session.kill_all'), true);
      assert.equal(named.grantsByName('r', 'subscribe', 'wamp.session.on_join'), false);
      assert.equal(new Authorizer(undefined).grantsByName('r', 'call', 'wamp.session.kill'), false);
    });
  });
});
