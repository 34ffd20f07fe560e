import assert from 'node:assert/strict';
import { parsePublishFilter, type PublishFilter, type Receiver } from '../../src/router/publish-filter';
import { MessageType as M } from '../../src/wamp/messages';
import { parseMessage } from '../../src/wamp/parse';

const me: Receiver = { id: 1, authid: 'me', authrole: 'user' };
const alice: Receiver = { id: 2, authid: 'alice', authrole: 'admin' };
const bob: Receiver = { id: 3, authid: 'bob', authrole: 'user' };
const all = [me, alice, bob];

function filter(options: Record<string, unknown>): PublishFilter {
  return parsePublishFilter(options, me.id);
}

const admitted = (options: Record<string, unknown>) =>
  all.filter((r) => filter(options).accepts(r)).map((r) => r.authid);

describe('router publish filter', () => {
  describe('publisher exclusion: exclude_me defaults to true', () => {
    it('excludes the publisher unless exclude_me is false', () => {
      assert.deepEqual(admitted({}), ['alice', 'bob']);
      assert.deepEqual(admitted({ exclude_me: false }), ['me', 'alice', 'bob']);
      assert.equal(filter({ exclude_me: false }).open, true);
      assert.equal(filter({}).open, false);
    });
  });

  describe('blacklists: exclude, exclude_authid, exclude_authrole', () => {
    it('removes listed receivers', () => {
      assert.deepEqual(admitted({ exclude: [2] }), ['bob']);
      assert.deepEqual(admitted({ exclude_authid: ['bob'] }), ['alice']);
      assert.deepEqual(admitted({ exclude_authrole: ['admin'], exclude_me: false }), ['me', 'bob']);
    });
  });

  describe('whitelists: eligible, eligible_authid, eligible_authrole', () => {
    it('admits only listed receivers', () => {
      assert.deepEqual(admitted({ eligible: [1, 3] }), ['bob']);
      assert.deepEqual(admitted({ eligible_authid: ['alice'] }), ['alice']);
      assert.deepEqual(admitted({ eligible_authrole: ['user'], exclude_me: false }), ['me', 'bob']);
      assert.deepEqual(admitted({ eligible: [] }), []);
    });
  });

  describe('all lists combine with AND', () => {
    it('needs every whitelist and no blacklist', () => {
      assert.deepEqual(admitted({ eligible_authrole: ['user', 'admin'], exclude_authid: ['alice'] }), [
        'bob',
      ]);
      assert.deepEqual(admitted({ eligible: [2, 3], eligible_authrole: ['admin'] }), ['alice']);
      assert.deepEqual(admitted({ eligible: [2], exclude: [2] }), []);
    });
  });

  describe('malformed lists never reach the filter: the parser refuses them (protocol violation)', () => {
    for (const options of [
      { exclude: 'x' },
      { eligible: ['1'] },
      { exclude_authid: [1] },
      { eligible_authrole: 'admin' },
      { exclude_me: 'yes' },
    ]) {
      it(JSON.stringify(options), () => {
        const parsed = parseMessage([M.PUBLISH, 1, options, 'com.example.topic']);
        assert.ok(!parsed.ok);
        assert.equal(parsed.error.uri, 'wamp.error.protocol_violation');
      });
    }
  });
});
