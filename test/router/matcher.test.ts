import assert from 'node:assert/strict';
import { literalRuns, Matcher } from '../../src/router/matcher';

describe('router matcher', () => {
  describe('a call is routed by exact match, then the longest prefix, then the best wildcard', () => {
    const m = new Matcher<string>();
    m.set('a1.b2.c3.d4.e55', 'exact', '1');
    m.set('a1.b2.c3', 'prefix', '2');
    m.set('a1.b2.c3.d4', 'prefix', '3');
    m.set('a1.b2..d4.e5', 'wildcard', '4');
    m.set('a1.b2.c3..e5', 'wildcard', '5');
    m.set('a1.b2..d4.e5..g7', 'wildcard', '6');
    m.set('a1.b2..d4..f6.g7', 'wildcard', '7');

    // The examples of the spec's "Calls matching multiple registrations".
    for (const [uri, want] of [
      ['a1.b2.c3.d4.e55', '1'],
      ['a1.b2.c3.d98.e74', '2'],
      ['a1.b2.c3.d4.e325', '3'],
      ['a1.b2.c55.d4.e5', '4'],
      ['a1.b2.c3.d4.e5', '3'], // the prefix a1.b2.c3.d4 beats both wildcards
      ['a1.b2.c88.d4.e5.f6.g7', '6'],
      ['a2.b2.c2.d2.e2', undefined],
    ] as const) {
      it(`${uri} → ${want ?? 'none'}`, () => assert.equal(m.best(uri), want));
    }

    it('picks among wildcards by the longest literal run before each wildcard', () => {
      const w = new Matcher<string>();
      w.set('a1.b2..d4.e5', 'wildcard', '4');
      w.set('a1.b2.c3..e5', 'wildcard', '5');
      assert.equal(w.best('a1.b2.c3.d4.e5'), '5');
      assert.deepEqual(literalRuns('a1.b2..d4.e5..g7'), [2, 2, 1]);
      assert.deepEqual(literalRuns('a1.b2..d4..f6.g7'), [2, 1, 2]);
      assert.deepEqual(literalRuns('..'), [0, 0, 0, 0]);
    });
  });

  describe('a publication reaches every matching subscription', () => {
    it('returns exact, prefix and wildcard matches, nothing else', () => {
      const m = new Matcher<string>();
      m.set('com.a.b', 'exact', 'exact');
      m.set('com.a.b', 'prefix', 'prefix-self');
      m.set('com.', 'prefix', 'prefix');
      m.set('org', 'prefix', 'other-prefix');
      m.set('com..b', 'wildcard', 'wild');
      m.set('com..c', 'wildcard', 'wild-other');
      m.set('com.a', 'wildcard', 'wild-short');
      assert.deepEqual(m.matchAll('com.a.b').sort(), ['exact', 'prefix', 'prefix-self', 'wild'].sort());
      assert.deepEqual(m.matchAll('net.x'), []);
    });
  });

  describe('entries are kept per URI and match policy', () => {
    it('gets, deletes and lists', () => {
      const m = new Matcher<number>();
      m.set('x', 'exact', 1);
      m.set('x', 'prefix', 2);
      m.set('x..', 'wildcard', 3);
      assert.equal(m.get('x', 'exact'), 1);
      assert.equal(m.get('x', 'prefix'), 2);
      assert.equal(m.get('x..', 'wildcard'), 3);
      assert.deepEqual([...m.values()].sort(), [1, 2, 3]);
      m.delete('x', 'prefix');
      m.delete('x..', 'wildcard');
      assert.equal(m.get('x', 'prefix'), undefined);
      assert.equal(m.best('x.y.z'), undefined);
      assert.deepEqual([...m.values()], [1]);
    });
  });
});
