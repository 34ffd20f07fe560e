// A wamp-connection by URL to a standalone router that stops and comes back on the same port:
// the user nodes go red ("retrying"), then green again, and the flow's registration and
// subscription work on the new router without a redeploy.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';
import { Router } from '../../src/router';
import type { NodeMessage, NodeStatus } from '../../nodes/shared/red-types';
import {
  freePort,
  helper,
  isConnected,
  nextMessages,
  nextStatus,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  calleeNodes,
} from './helpers';

const isRetrying = (s: NodeStatus): boolean =>
  s.fill === 'red' && s.shape === 'ring' && s.text === 'wamp-connection.status.retrying';

/** A router on `port`, and a promise for the flow's registration and subscription arriving on it. */
async function startRouter(port: number): Promise<{ router: Router; flowIsBack: Promise<unknown> }> {
  const router = new Router({ realms: [{ name: 'realm1' }] });
  const realm = router.realm('realm1')!;
  const created = (event: string, uri: string): Promise<void> =>
    new Promise((resolve) =>
      realm.on(event, (_s: unknown, item: { uri: string }) => item.uri === uri && resolve()),
    );
  const flowIsBack = Promise.all([
    created('registration-create', 'com.test.p'),
    created('subscription-create', 'com.test.t'),
  ]);
  await router.listen({ host: '127.0.0.1', port, path: '/ws' });
  return { router, flowIsBack };
}

/** A client of the standalone router: calls the flow's procedure and publishes to the flow's topic. */
async function exercise(port: number, tag: string): Promise<void> {
  const client = new Connection({
    url: `ws://127.0.0.1:${port}/ws`,
    realm: 'realm1',
    reconnect: { enabled: false },
  });
  client.open();
  try {
    await client.connected(3000);
    const r = await client.call('com.test.p', [tag]);
    assert.deepEqual(r.args, [`flow got ${tag}`]);
    const event = nextMessages(helper.getNode('out'));
    await client.publish('com.test.t', [tag], {}, { acknowledge: true });
    assert.equal((await event)[0].payload, tag);
  } finally {
    await client.close();
  }
}

describe('wamp-connection by URL: the router stops and starts again', function () {
  let router: Router | undefined;
  nodeRedPerTest(async () => {
    await router?.close();
    router = undefined;
  });

  it('red ring with retry while it is gone; green again and working on the new router, without redeploy', async function () {
    const port = await freePort();
    let started = await startRouter(port);
    router = started.router;
    await helper.load(nodeModules, [
      { id: 'f1', type: 'tab', label: 'test' },
      {
        id: 'conn',
        type: 'wamp-connection',
        url: `ws://127.0.0.1:${port}/ws`,
        realm: 'realm1',
        reconnectDelay: 0.05,
        reconnectMaxDelay: 0.2,
      },
      ...calleeNodes('com.test.p'),
      {
        id: 'sub',
        z: 'f1',
        type: 'wamp-subscribe',
        connection: 'conn',
        topic: 'com.test.t',
        wires: [['out']],
      },
      { id: 'out', z: 'f1', type: 'helper' },
    ]);
    helper
      .getNode('callee')
      .on('input', (msg: NodeMessage) =>
        helper.getNode('resp').receive({ ...msg, payload: `flow got ${String(msg.payload)}` }),
      );
    await Promise.all(['reg', 'sub'].map((id) => waitStatus(helper.getNode(id), isConnected)));
    await started.flowIsBack;
    await exercise(port, 'first router');

    const down = ['reg', 'sub'].map((id) => nextStatus(helper.getNode(id), isRetrying));
    await router.close();
    router = undefined;
    assert.deepEqual(
      await Promise.all(down),
      [0, 1].map(() => ({ fill: 'red', shape: 'ring', text: 'wamp-connection.status.retrying' })),
    );

    const up = ['reg', 'sub'].map((id) => nextStatus(helper.getNode(id), isConnected, 5000));
    started = await startRouter(port);
    router = started.router;
    await Promise.all(up);
    // The connection restores its registration and subscription right after joining.
    await started.flowIsBack;
    await exercise(port, 'second router');
  });
});
