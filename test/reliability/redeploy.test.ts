// Node-RED redeploys in a loop: a router on its own port, in-process and network connections,
// callers, callees and subscribers, deployed again and again. Afterwards nothing is left behind:
// no sessions, no open port, no growing set of handles or listeners.
import assert from 'node:assert/strict';
import { connectTransport } from '../../src/transports';
import { listRouters } from '../../nodes/shared/router-registry';
import { freePort, helper, isConnected, nodeModules, waitStatus, type TestNode } from '../nodes/helpers';

const ROUNDS = 15;

function flow(port: number, round: number): object[] {
  return [
    { id: 'f1', type: 'tab', label: `round ${round}` },
    {
      id: 'router',
      z: 'f1',
      type: 'wamp-router',
      realms: [{ name: 'realm1', anonymous: true }],
      usePort: true,
      host: '127.0.0.1',
      port,
      path: '/ws',
    },
    { id: 'connLocal', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
    { id: 'connNet', type: 'wamp-connection', url: `ws://127.0.0.1:${port}/ws`, realm: 'realm1' },
    {
      id: 'reg',
      z: 'f1',
      type: 'wamp-register',
      connection: 'connLocal',
      procedure: 'com.loop.echo',
      wires: [['resp']],
    },
    { id: 'resp', z: 'f1', type: 'wamp-response' },
    {
      id: 'sub',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'connNet',
      topic: 'com.loop.tick',
      wires: [[]],
    },
    {
      id: 'call',
      z: 'f1',
      type: 'wamp-call',
      connection: 'connNet',
      procedure: 'com.loop.echo',
      wires: [[]],
    },
    { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'connLocal', topic: 'com.loop.tick' },
  ];
}

/** Handles by kind, without the timers mocha and the test helper keep. */
function handles(): Record<string, number> {
  const count: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo())
    if (kind !== 'Timeout' && kind !== 'Immediate') count[kind] = (count[kind] ?? 0) + 1;
  return count;
}

describe('Node-RED redeploys in a loop', function () {
  this.timeout(60000);
  afterEach(async () => helper.unload());

  it(`${ROUNDS} full redeploys leak no sessions, ports, handles or listeners`, async () => {
    const port = await freePort();
    await helper.load(nodeModules, flow(port, 0));
    await waitStatus(helper.getNode('call') as TestNode, isConnected, 5000);
    const before = handles();
    const listenersBefore = process.listenerCount('uncaughtException') + process.listenerCount('exit');

    for (let round = 1; round <= ROUNDS; round++) {
      // Node-RED's "full" deploy: every node closed, then created again.
      await helper.setFlows(flow(port, round), 'full');
      await waitStatus(helper.getNode('call') as TestNode, isConnected, 5000);
      await waitStatus(helper.getNode('reg') as TestNode, isConnected, 5000);
    }
    const routers = listRouters();
    assert.equal(routers.size, 1, 'one router registered, not one per round');
    const router = [...routers.values()][0];
    // Two connections (in-process and by URL), each one session; nothing from earlier rounds.
    assert.equal(
      router.sessionCount,
      2,
      `sessions: ${JSON.stringify(router.sessions().map((s) => s.authid))}`,
    );

    const after = handles();
    for (const kind of Object.keys(after)) {
      assert.ok(
        after[kind] <= (before[kind] ?? 0) + 2,
        `${kind} handles grew from ${before[kind] ?? 0} to ${after[kind]}`,
      );
    }
    assert.equal(
      process.listenerCount('uncaughtException') + process.listenerCount('exit'),
      listenersBefore,
      'process listeners',
    );

    await helper.unload();
    assert.equal(listRouters().size, 0, 'router withdrawn on unload');
    assert.equal(router.sessionCount, 0, 'every session closed on unload');
    await assert.rejects(
      connectTransport({ url: `ws://127.0.0.1:${port}/ws`, connectTimeoutMs: 2000 }),
      /refused/,
      'port closed on unload',
    );
  });
});
