// The one option reader: what a saved form field means, whether the editor saved it as a boolean
// or number, or a hand-written flow holds a string, or nothing at all.
import assert from 'node:assert/strict';
import { choice, flag, numberOption, oneOf, secondsAsMs } from '../../nodes/shared/options';

describe('reading a node’s options (nodes/shared/options.ts)', () => {
  describe('flag: a checkbox', () => {
    it('true and "true" are on, false and "false" off, whatever the default', () => {
      for (const fallback of [true, false]) {
        assert.equal(flag(true, fallback), true);
        assert.equal(flag('true', fallback), true);
        assert.equal(flag(false, fallback), false);
        assert.equal(flag('false', fallback), false);
      }
    });
    it('absent, blank or anything else reads as the form’s default (off unless given)', () => {
      for (const v of [undefined, null, '', 'yes', 1, 0])
        for (const fallback of [true, false]) assert.equal(flag(v, fallback), fallback, String(v));
      assert.equal(flag(undefined), false);
    });
  });

  describe('numberOption: a number field', () => {
    it('numbers and numeric strings of at least the minimum', () => {
      assert.equal(numberOption(5, 1), 5);
      assert.equal(numberOption(' 2.5 ', 1), 2.5);
      assert.equal(numberOption(0, 1), 0);
      assert.equal(numberOption(0, 1, 1), 1, 'below the minimum');
    });
    it('absent, blank, negative or not a number reads as the default', () => {
      for (const v of [undefined, null, '', '  ', 'ten', '10s', -1, Number.NaN, Number.POSITIVE_INFINITY, {}])
        assert.equal(numberOption(v, 7), 7, String(v));
    });
  });

  describe('secondsAsMs: a time limit in seconds', () => {
    it('a positive number of seconds in milliseconds; 0, blank or invalid: the default', () => {
      assert.equal(secondsAsMs('1.5', undefined), 1500);
      assert.equal(secondsAsMs(20, 0), 20_000);
      for (const v of [0, '0', '', undefined, 'x', -3]) {
        assert.equal(secondsAsMs(v, undefined), undefined, String(v));
        assert.equal(secondsAsMs(v, 0), 0, String(v));
      }
    });
  });

  describe('oneOf / choice: one of a set of words', () => {
    const MATCHES = ['exact', 'prefix', 'wildcard'] as const;
    it('a listed word is taken as it is', () => {
      assert.equal(oneOf('prefix', MATCHES), 'prefix');
      assert.equal(choice('wildcard', MATCHES, 'exact'), 'wildcard');
    });
    it('anything else: undefined from oneOf (to report it), the default from choice', () => {
      for (const v of [undefined, '', 'Prefix', 'regex', 1, ['prefix']]) {
        assert.equal(oneOf(v, MATCHES), undefined, String(v));
        assert.equal(choice(v, MATCHES, 'exact'), 'exact', String(v));
      }
    });
  });
});
