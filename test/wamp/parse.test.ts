import assert from 'node:assert/strict';
import {
  CANCEL_MODES,
  INVOKE_POLICIES,
  MATCH_POLICIES,
  MAX_ID,
  MessageType as M,
  parseMessage,
} from '../../src/wamp';

function refused(value: unknown, why: RegExp): void {
  const r = parseMessage(value);
  assert.equal(r.ok, false, `refused: ${String(value)}`);
  if (!r.ok) {
    assert.equal(r.error.uri, 'wamp.error.protocol_violation');
    assert.match(r.error.message, why);
  }
}

function accepted(value: unknown): void {
  const r = parseMessage(value);
  assert.ok(r.ok, `accepted: ${JSON.stringify(value)}: ${!r.ok && r.error.message}`);
}

describe('parseMessage', () => {
  describe('a message is a non-empty list starting with a known type code', () => {
    it('refuses non-lists and empty lists', () => {
      for (const v of [null, undefined, 42, 'x', {}, [], Buffer.from([1])]) refused(v, /non-empty list/);
    });
    it('refuses a non-integer type code', () => {
      refused(['1', 'realm', {}], /not an integer/);
      refused([1.5, 'realm', {}], /not an integer/);
    });
    it('refuses unknown message types without throwing', () => {
      for (const code of [0, 7, 9, 99, 337, -1]) refused([code, 1, {}], /unknown message type/);
    });
  });

  describe('a message type plus its length fixes its layout', () => {
    it('refuses wrong arity', () => {
      refused([M.HELLO, 'realm'], /HELLO has 2 elements, expected 3/);
      refused([M.HELLO, 'realm', {}, {}], /expected 3/);
      refused([M.CALL, 1, {}], /CALL has 3 elements, expected 4..6/);
      refused([M.CALL, 1, {}, 'a.b', [], {}, 'extra'], /expected 4..6/);
      refused([M.PUBLISHED, 1], /expected 3/);
    });
    it('accepts every message of the basic and advanced profiles', () => {
      const all: unknown[][] = [
        [M.HELLO, 'realm1', { roles: {} }],
        [M.WELCOME, 1, {}],
        [M.ABORT, {}, 'wamp.error.no_such_realm'],
        [M.ABORT, {}, 'wamp.error.no_such_realm', ['no'], { a: 1 }],
        [M.CHALLENGE, 'ticket', {}],
        [M.AUTHENTICATE, 'secret', {}],
        [M.GOODBYE, {}, 'wamp.close.normal'],
        [M.ERROR, M.CALL, 1, {}, 'com.err', [1], { k: 2 }],
        [M.PUBLISH, 1, {}, 'com.topic'],
        [M.PUBLISHED, 1, 2],
        [M.SUBSCRIBE, 1, { match: 'prefix' }, 'com.'],
        [M.SUBSCRIBED, 1, 2],
        [M.UNSUBSCRIBE, 1, 2],
        [M.UNSUBSCRIBED, 1],
        [M.UNSUBSCRIBED, 0, { subscription: 5, reason: 'wamp.error.x' }],
        [M.EVENT, 1, 2, {}, [1]],
        [M.CALL, 1, {}, 'com.proc', [1, 2]],
        [M.CANCEL, 1, { mode: 'kill' }],
        [M.RESULT, 1, {}, [], { a: 1 }],
        [M.REGISTER, 1, { invoke: 'roundrobin' }, 'com.proc'],
        [M.REGISTERED, 1, 2],
        [M.UNREGISTER, 1, 2],
        [M.UNREGISTERED, 1],
        [M.INVOCATION, 1, 2, {}],
        [M.INTERRUPT, 1, { mode: 'killnowait' }],
        [M.YIELD, 1, { progress: true }, ['partial']],
      ];
      for (const m of all) accepted(m);
    });
  });

  describe('IDs are integers in 1..2^53', () => {
    it('accepts the bounds', () => {
      accepted([M.PUBLISHED, 1, MAX_ID]);
    });
    it('refuses zero, negatives, fractions, beyond 2^53, strings and bigints', () => {
      for (const bad of [0, -1, 1.5, MAX_ID + 2, '5', 5n, null, NaN, Infinity])
        refused([M.PUBLISHED, 1, bad], /ID in 1..2\^53/);
    });
    it('allows request 0 only where the router revokes (UNREGISTERED/UNSUBSCRIBED)', () => {
      accepted([M.UNREGISTERED, 0, { registration: 3 }]);
      refused([M.REGISTERED, 0, 1], /ID/);
    });
  });

  describe('URIs', () => {
    it('refuses one that starts with NUL: JSON peers would read it as bytes', () => {
      refused([M.ERROR, M.INVOCATION, 1, {}, '\u0000not-binary'], /element 4 must be a URI string/);
      refused([M.PUBLISH, 1, {}, '\u0000x'], /must be a URI string/);
    });
  });

  describe('details and options are dicts, Arguments a list, ArgumentsKw a dict', () => {
    it('refuses non-dict details/options', () => {
      refused([M.HELLO, 'realm', []], /must be a dict/);
      refused([M.CALL, 1, null, 'a.b'], /must be a dict/);
      refused([M.SUBSCRIBE, 1, 'x', 'a.b'], /must be a dict/);
    });
    it('refuses non-list Arguments and non-dict ArgumentsKw', () => {
      refused([M.CALL, 1, {}, 'a.b', { not: 'a list' }], /Arguments must be a list/);
      refused([M.CALL, 1, {}, 'a.b', [], ['not a dict']], /ArgumentsKw must be a dict/);
      refused([M.EVENT, 1, 2, {}, 'binary'], /Arguments must be a list/);
    });
    it('reads null Arguments/ArgumentsKw (as some peers send them) as absent', () => {
      const r = parseMessage([M.RESULT, 1, {}, null, null]);
      assert.ok(r.ok);
      if (r.ok) assert.deepEqual(r.message, [M.RESULT, 1, {}]);
      const k = parseMessage([M.RESULT, 1, {}, null, { a: 1 }]);
      assert.ok(k.ok);
      if (k.ok) assert.deepEqual(k.message, [M.RESULT, 1, {}, [], { a: 1 }]);
      const a = parseMessage([M.RESULT, 1, {}, [1], null]);
      assert.ok(a.ok);
      if (a.ok) assert.deepEqual(a.message, [M.RESULT, 1, {}, [1]]);
    });
    it('refuses an ERROR for a request type that cannot fail', () => {
      refused([M.ERROR, M.HELLO, 1, {}, 'wamp.error.x'], /request message type/);
    });
    it('refuses well-known options with the wrong type, naming the key', () => {
      refused([M.CALL, 1, { timeout: -5 }, 'a.b'], /timeout/);
      refused([M.CALL, 1, { receive_progress: 'yes' }, 'a.b'], /receive_progress/);
      refused([M.REGISTER, 1, { invoke: 'everyone' }, 'a.b'], /invoke/);
      refused([M.CANCEL, 1, { mode: 'explode' }], /mode/);
      refused([M.PUBLISH, 1, { eligible: ['x'] }, 'a.b'], /eligible/);
    });
    it('ignores unknown keys, even ones named like Object.prototype members', () => {
      for (const key of ['hasOwnProperty', 'isPrototypeOf', 'constructor', 'toString', 'x_custom'])
        accepted([M.CALL, 1, { [key]: 1 }, 'a.b']);
    });
    it('checks every key of the options interfaces against the policy lists', () => {
      for (const match of MATCH_POLICIES) accepted([M.SUBSCRIBE, 1, { match }, 'a.b']);
      for (const invoke of INVOKE_POLICIES) accepted([M.REGISTER, 1, { invoke }, 'a.b']);
      for (const mode of CANCEL_MODES) accepted([M.INTERRUPT, 1, { mode }]);
      refused([M.SUBSCRIBE, 1, { match: 'EXACT' }, 'a.b'], /match/);
      refused([M.INVOCATION, 1, 2, { progress: 'more' }], /progress/);
    });
    it("reads options and details set to null or undefined as not given, and leaves the sender's dict alone", () => {
      const options = { match: undefined, get_retained: null, custom: 1 };
      const r = parseMessage([M.SUBSCRIBE, 1, options, 'a.b']);
      assert.ok(r.ok);
      if (r.ok) assert.deepEqual(r.message, [M.SUBSCRIBE, 1, { custom: 1 }, 'a.b']);
      assert.ok('match' in options, 'a copy is cleaned, not the input');
      for (const m of [
        [M.CALL, 1, { timeout: null, receive_progress: undefined }, 'a.b', [1], { k: null }],
        [M.YIELD, 1, { progress: null }, [1]],
        [M.HELLO, 'realm1', { roles: { caller: {} }, authid: null, authmethods: undefined }],
        [M.UNREGISTERED, 0, { registration: 5, reason: null }],
      ]) {
        const p = parseMessage(m);
        assert.ok(p.ok, JSON.stringify(m));
        if (!p.ok) continue;
        const layoutDicts = p.message.filter((x, i) => i > 0 && typeof x === 'object' && !Array.isArray(x));
        const options = layoutDicts[0] as Record<string, unknown>;
        for (const v of Object.values(options))
          assert.ok(v !== null && v !== undefined, JSON.stringify(p.message));
      }
      // ArgumentsKw is the application's: its nulls stay.
      const call = parseMessage([M.CALL, 1, { timeout: null }, 'a.b', [1], { k: null }]);
      assert.ok(call.ok && (call.message[5] as Record<string, unknown>).k === null);
    });
    it('still refuses a well-known option of a wrong real type', () => {
      refused([M.SUBSCRIBE, 1, { match: 5 }, 'a.b'], /match/);
      refused([M.YIELD, 1, { progress: 'no' }, [1]], /progress/);
      refused([M.PUBLISH, 1, { acknowledge: 0 }, 'a.b'], /acknowledge/);
    });
    it('ignores unknown option keys', () => {
      accepted([M.CALL, 1, { _custom_key: [1, 2], whatever: 'x' }, 'a.b']);
    });
  });
});
