// wamp-router roles seen from a flow: what a role may not do is refused with its WAMP error.
import assert from 'node:assert/strict';
import { helper, isConnected, nextMessages, nodeModules, waitStatus, nodeRedPerTest, tab } from './helpers';

describe('wamp-connection', function () {
  nodeRedPerTest();

  describe('wamp-router roles', function () {
    it('a role without publish permission gets wamp.error.not_authorized on an acknowledged publish', async function () {
      await helper.load(
        nodeModules,
        [
          tab,
          {
            id: 'router',
            z: 'f1',
            type: 'wamp-router',
            realms: [{ name: 'realm1', anonymous: false }],
            accounts: [{ realm: 'realm1', authid: 'reader', role: 'reader', method: 'wampcra' }],
            roles: JSON.stringify([
              { name: 'reader', permissions: [{ uri: 'com.', match: 'prefix', subscribe: true }] },
            ]),
          },
          {
            id: 'conn',
            type: 'wamp-connection',
            transport: 'local',
            router: 'router',
            realm: 'realm1',
            authmethod: 'wampcra',
            authid: 'reader',
          },
          {
            id: 'pub',
            z: 'f1',
            type: 'wamp-publish',
            connection: 'conn',
            topic: 'com.test.t',
            acknowledge: true,
          },
          { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
          { id: 'caught', z: 'f1', type: 'helper' },
        ],
        {
          router: { secrets: JSON.stringify({ 'realm1/reader': 'cra-secret' }) },
          conn: { secret: 'cra-secret' },
        },
      );
      await waitStatus(helper.getNode('pub'), isConnected);
      const caught = nextMessages(helper.getNode('caught'));
      helper.getNode('pub').receive({ payload: 1 });
      const [msg] = await caught;
      assert.equal((msg.error as { code: string }).code, 'wamp.error.not_authorized');
    });
  });
});
