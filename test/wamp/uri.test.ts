import assert from 'node:assert/strict';
import { isReservedUri, isValidPattern, isValidUri, matches, matchesWildcard } from '../../src/wamp';

describe('URIs', () => {
  describe('loose URIs: components without whitespace, dots or #', () => {
    it('accepts', () => {
      for (const u of ['com', 'com.myapp.add', 'com.MyApp.Add-1', 'a.b.c_d']) assert.ok(isValidUri(u), u);
    });
    it('refuses', () => {
      for (const u of ['', '.com', 'com.', 'com..b', 'com.my app', 'com.#', 5, null])
        assert.ok(!isValidUri(u), String(u));
    });
  });
  describe('strict URIs: lower-case letters, digits and _ only', () => {
    it('accepts and refuses', () => {
      assert.ok(isValidUri('com.myapp.add_2', { strict: true }));
      assert.ok(!isValidUri('com.MyApp', { strict: true }));
      assert.ok(!isValidUri('com.my-app', { strict: true }));
    });
  });
  describe('empty components are allowed in wildcard patterns', () => {
    it('accepts empty components', () => {
      for (const u of ['com..update', '.a.b', 'a.b.', '..'])
        assert.ok(isValidUri(u, { allowEmpty: true }), u);
      assert.ok(isValidPattern('com..update', 'wildcard'));
      assert.ok(!isValidPattern('com..update', 'exact'));
    });
    it('prefix patterns may end with a dot', () => {
      assert.ok(isValidPattern('com.myapp.', 'prefix'));
      assert.ok(isValidPattern('com.myapp', 'prefix'));
      assert.ok(!isValidPattern('', 'prefix'));
    });
  });
  it('wamp. is the reserved namespace', () => {
    assert.ok(isReservedUri('wamp.session.count'));
    assert.ok(!isReservedUri('wampy.thing'));
  });
  describe('matching', () => {
    it('prefix matches by string prefix', () => {
      assert.ok(matches('com.myapp.add', 'com.myapp', 'prefix'));
      assert.ok(!matches('com.other', 'com.myapp', 'prefix'));
    });
    it('wildcard matches same component count, empty components matching any', () => {
      assert.ok(matchesWildcard('com.myapp.create', 'com..create'));
      assert.ok(!matchesWildcard('com.myapp.x.create', 'com..create'));
      assert.ok(!matchesWildcard('com.myapp.delete', 'com..create'));
      assert.ok(matchesWildcard('a.b.c', '..'));
    });
    it('exact matches only itself', () => {
      assert.ok(matches('a.b', 'a.b', 'exact'));
      assert.ok(!matches('a.b.c', 'a.b', 'exact'));
    });
  });
});
