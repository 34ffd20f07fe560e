// The wamp-router node's event history rows: a realm (blank: every realm), a topic pattern, its
// match and a limit become the realms' `history`; a client of the deployed router then fetches
// the kept events with wamp.subscription.get_events; a bad row is the node's red error.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';
import { buildRealms } from '../../nodes/shared/router-config';
import { freePort, helper, nodeModules, waitStatus } from './helpers';

const tab = { id: 'f1', type: 'tab', label: 'history' };

describe('wamp-router: event history', function () {
  this.timeout(20000);
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async function () {
    await helper.unload();
    await new Promise<void>((r) => helper.stopServer(r));
  });

  it('the form rows become each realm history (blank realm: every realm)', function () {
    const realms = buildRealms(
      {
        realms: [{ name: 'r1' }, { name: 'r2' }],
        history: [
          { realm: 'r1', uri: 'com.app.counter', match: 'exact', limit: '50' },
          { realm: '', uri: 'com.log.', match: 'prefix', limit: '' },
          { realm: 'r2', uri: '  ', match: 'exact' },
        ],
      },
      undefined,
    );
    assert.deepEqual(
      realms.map((r) => [r.name, r.history]),
      [
        [
          'r1',
          [
            { uri: 'com.app.counter', match: 'exact', limit: 50 },
            { uri: 'com.log.', match: 'prefix' },
          ],
        ],
        ['r2', [{ uri: 'com.log.', match: 'prefix' }]],
      ],
    );
    assert.throws(
      () => buildRealms({ realms: [{ name: 'r1' }], history: [{ realm: 'nope', uri: 'com.a' }] }, undefined),
      /names the realm "nope"/,
    );
  });

  it('a deployed router keeps the events; a client fetches them', async function () {
    const port = await freePort();
    await helper.load(nodeModules, [
      tab,
      {
        id: 'router',
        z: 'f1',
        type: 'wamp-router',
        usePort: true,
        host: '127.0.0.1',
        port,
        path: '/ws',
        realms: [{ name: 'realm1' }],
        history: [{ realm: 'realm1', uri: 'com.app.counter', match: 'exact', limit: 2 }],
      },
    ]);
    const client = new Connection({
      url: `ws://127.0.0.1:${port}/ws`,
      realm: 'realm1',
      reconnect: { enabled: false },
    });
    client.open();
    try {
      await client.connected(5000);
      for (const n of [1, 2, 3]) await client.publish('com.app.counter', [n], {}, { acknowledge: true });
      const sub = (await client.call('wamp.subscription.lookup', ['com.app.counter'])).args[0];
      const r = await client.call('wamp.subscription.get_events', [sub, 10]);
      const items = r.args[0] as Array<{ args: unknown[] }>;
      assert.deepEqual(
        items.map((e) => e.args),
        [[3], [2]],
      );
    } finally {
      await client.close();
    }
  });

  it('a bad row is a red error naming it', async function () {
    await helper.load(nodeModules, [
      tab,
      {
        id: 'router',
        z: 'f1',
        type: 'wamp-router',
        realms: [{ name: 'realm1' }],
        history: [{ realm: 'realm1', uri: 'com..bad', match: 'exact', limit: 5 }],
      },
    ]);
    const node = helper.getNode('router');
    const s = await waitStatus(node, (st) => st.fill === 'red' && st.shape === 'dot');
    assert.equal(s.text, 'wamp-router.status.error');
  });
});
