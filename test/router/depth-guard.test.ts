// The router's nesting limit on in-process payloads (src/router/depth-guard.ts): judged as they
// arrive when small, when a network receiver needs them encoded when large; either way the
// verdict follows the payload's state as last sent.
import assert from 'node:assert/strict';
import { arrivesTooDeep, leavesTooDeep } from '../../src/router/depth-guard';
import { nestsDeeperThan, nestsDeeperWithin } from '../../src/wamp/depth';
import { MessageType as M, type WampMessage } from '../../src/wamp/messages';

const MAX = 8;

/** A list nested `levels` deep: [[[...]]]. */
function nested(levels: number): unknown[] {
  let v: unknown[] = [];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
}

/** Wide and shallow: more values than a payload judged on arrival may have. */
function wide(n: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) o[`k${i}`] = { i };
  return o;
}

const publish = (args: unknown[], kwargs: Record<string, unknown> = {}): WampMessage =>
  [M.PUBLISH, 1, {}, 'com.t', args, kwargs] as WampMessage;
const event = (args: unknown[], kwargs: Record<string, unknown> = {}): WampMessage =>
  [M.EVENT, 2, 3, {}, args, kwargs] as WampMessage;

describe('router depth guard: in-process payloads', () => {
  it('nestsDeeperWithin agrees with nestsDeeperThan within its budget, and says undefined beyond it', () => {
    for (const levels of [1, 2, 7, 8, 9, 30]) {
      const v = nested(levels);
      assert.equal(nestsDeeperWithin(v, MAX, 256), nestsDeeperThan(v, MAX), `${levels} levels`);
    }
    assert.equal(nestsDeeperWithin(wide(10), MAX, 256), false);
    assert.equal(nestsDeeperWithin(wide(1000), MAX, 256), undefined);
    assert.equal(nestsDeeperWithin({}, MAX, 256), false);
    // A list longer than the budget is given up on at once; one with room is read to the end.
    assert.equal(nestsDeeperWithin(new Array(1000).fill(0), MAX, 256), undefined);
    assert.equal(nestsDeeperWithin([0, 0, nested(MAX + 1)], MAX, 256), true);
    assert.equal(nestsDeeperWithin([...new Array(300).fill(0), nested(MAX + 1)], MAX, 256), undefined);
    // A cyclic value (possible in-process) ends at the depth limit or the budget.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(nestsDeeperWithin(cyclic, MAX, 256), true);
  });

  for (const [what, deepPayload, okPayload] of [
    // The message is one level and its Arguments list another: a payload may nest MAX - 2.
    ['small', () => nested(MAX - 1), () => nested(MAX - 2)],
    ['large', () => ({ ...wide(400), deep: nested(MAX + 1) }), () => wide(400)],
    ['long', () => [...new Array(400).fill(1), nested(MAX - 1)], () => new Array(400).fill(1)],
  ] as const) {
    it(`a ${what} payload too deep reaches in-process receivers but is refused to network ones`, () => {
      const args = [deepPayload()];
      const msg = publish(args);
      // Arriving from an in-process sender: not refused (in-process receivers take it by reference).
      assert.equal(arrivesTooDeep(msg, MAX, true), false);
      assert.equal(leavesTooDeep(event(args), MAX), true);
      // The same from the network: refused as it arrives.
      assert.equal(arrivesTooDeep(msg, MAX, false), true);
    });

    it(`a ${what} payload within the limit goes to network receivers`, () => {
      const args = [okPayload()];
      assert.equal(arrivesTooDeep(publish(args), MAX, true), false);
      assert.equal(leavesTooDeep(event(args), MAX), false);
    });

    it(`a ${what} payload sent again after the sender changed it is judged as it is now`, () => {
      const args: unknown[] = [okPayload()];
      assert.equal(arrivesTooDeep(publish(args), MAX, true), false);
      assert.equal(leavesTooDeep(event(args), MAX), false);
      args[0] = deepPayload();
      assert.equal(arrivesTooDeep(publish(args), MAX, true), false);
      assert.equal(leavesTooDeep(event(args), MAX), true);
      args[0] = okPayload();
      assert.equal(arrivesTooDeep(publish(args), MAX, true), false);
      assert.equal(leavesTooDeep(event(args), MAX), false);
    });
  }

  it('keyword arguments are judged like arguments', () => {
    const kwargs = { a: nested(MAX + 1) };
    assert.equal(arrivesTooDeep(publish([], kwargs), MAX, true), false);
    assert.equal(leavesTooDeep(event([], kwargs), MAX), true);
  });
});
