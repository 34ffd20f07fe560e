import assert from 'node:assert/strict';
import { IdSequence, isValidId, MAX_ID, randomId } from '../../src/wamp';

describe('IDs', () => {
  it('global IDs are random integers in 1..2^53', () => {
    const seen = new Set<number>();
    let high = 0;
    for (let i = 0; i < 10000; i++) {
      const id = randomId();
      assert.ok(isValidId(id), String(id));
      seen.add(id);
      if (id > 2 ** 52) high++;
    }
    assert.equal(seen.size, 10000, 'no collisions in 10k draws');
    // Half the range lies above 2^52: the draw must reach it (uniform over all 53 bits).
    assert.ok(high > 4000 && high < 6000, `upper half drawn ${high} times`);
  });
  it('session-scope IDs count up from 1 and wrap after 2^53', () => {
    const seq = new IdSequence();
    assert.deepEqual([seq.next(), seq.next(), seq.next()], [1, 2, 3]);
    (seq as unknown as { last: number }).last = MAX_ID - 1;
    assert.equal(seq.next(), MAX_ID);
    assert.equal(seq.next(), 1);
  });
});
