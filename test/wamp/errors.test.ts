import assert from 'node:assert/strict';
import {
  AUTH_REFUSALS,
  ErrorUri,
  errorMessage,
  errorStack,
  toWampError,
  WampError,
} from '../../src/wamp/errors';

describe('errors as values', () => {
  describe('a message from anything thrown', () => {
    it("an Error's message; anything else as a string", () => {
      assert.equal(errorMessage(new TypeError('bad')), 'bad');
      assert.equal(errorMessage('plain'), 'plain');
      assert.equal(errorMessage(42), '42');
      assert.equal(errorMessage(undefined), 'undefined');
    });
    it("the stack, for internal errors' logs, when there is one", () => {
      assert.match(errorStack(new Error('deep')), /^Error: deep\n\s+at /);
      assert.equal(errorStack('no stack'), 'no stack');
    });
  });

  describe('toWampError: a WampError keeps its URI, anything else gets the one given', () => {
    it("keeps a transport's payload_size_exceeded as it is", () => {
      const e = new WampError(ErrorUri.PAYLOAD_SIZE_EXCEEDED, ['too long']);
      assert.equal(toWampError(e, ErrorUri.INVALID_ARGUMENT), e);
    });
    it('wraps a plain Error with the given URI and its message', () => {
      const e = toWampError(new Error('boom'), ErrorUri.RUNTIME_ERROR);
      assert.equal(e.uri, 'wamp.error.runtime_error');
      assert.deepEqual(e.args, ['boom']);
    });
  });

  describe('authentication refusals are known by their ABORT URI', () => {
    it('names the URIs routers use to refuse an identity', () => {
      for (const uri of [
        'wamp.error.not_authorized',
        'wamp.error.authentication_failed',
        'wamp.error.no_such_principal',
        'wamp.error.no_auth_method',
        'wamp.error.no_matching_auth_method',
        'wamp.error.cannot_authenticate',
      ])
        assert.ok(AUTH_REFUSALS.has(uri), uri);
      assert.ok(!AUTH_REFUSALS.has(ErrorUri.NO_SUCH_REALM));
      assert.ok(!AUTH_REFUSALS.has(ErrorUri.CONNECTION_LOST));
    });
  });
});
