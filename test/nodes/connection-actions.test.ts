// msg.action "connect" / "disconnect" on every client node: they act on the shared session, so
// every user of the wamp-connection follows, as with the core MQTT nodes.
import assert from 'node:assert/strict';
import type { NodeMessage, NodeStatus } from '../../nodes/shared/red-types';
import { findRouter } from '../../nodes/shared/router-registry';
import {
  caughtError,
  helper,
  isConnected,
  isDisconnected,
  nextMessages,
  nextStatus,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  calleeNodes,
  tab,
} from './helpers';

const USERS = ['call', 'reg', 'pub', 'sub'];

/** Every client node type on one connection; reg answers through a function-like test hook. */
function flow(conn: object = {}, sub: object = {}): object[] {
  return [
    tab,
    { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1' }] },
    {
      id: 'conn',
      type: 'wamp-connection',
      transport: 'local',
      router: 'router',
      realm: 'realm1',
      reconnectDelay: 0.02,
      ...conn,
    },
    {
      id: 'call',
      z: 'f1',
      type: 'wamp-call',
      connection: 'conn',
      procedure: 'com.test.echo',
      wires: [['out']],
    },
    { id: 'out', z: 'f1', type: 'helper' },
    ...calleeNodes('com.test.echo'),
    { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', topic: '', acknowledge: true },
    {
      id: 'sub',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'conn',
      topic: 'com.test.t',
      wires: [['events']],
      ...sub,
    },
    { id: 'events', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
}

function send(id: string, msg: NodeMessage): void {
  helper.getNode(id).receive(msg);
}

/** Answers every invocation with its own payload. */
function echo(): void {
  helper.getNode('callee').on('input', (msg: NodeMessage) => send('resp', msg));
}

/** A call and an event both go through: registration and subscription are in place. */
async function worksEndToEnd(tag: string): Promise<void> {
  const answer = nextMessages(helper.getNode('out'));
  send('call', { payload: tag });
  assert.equal((await answer)[0].payload, tag);
  const event = nextMessages(helper.getNode('events'));
  send('pub', { topic: 'com.test.t', payload: tag });
  assert.equal((await event)[0].payload, tag);
}

/** Sends the action to `via` and resolves when every user node shows the status `pred` wants. */
async function act(
  via: string,
  action: 'connect' | 'disconnect',
  pred: (s: NodeStatus) => boolean,
): Promise<void> {
  const seen = USERS.map((id) => nextStatus(helper.getNode(id), pred));
  send(via, { action });
  await Promise.all(seen);
}

describe('msg.action connect / disconnect', function () {
  nodeRedPerTest();

  it('any client node disconnects the shared session (all red ring "disconnected") and connects it again', async function () {
    await helper.load(nodeModules, flow());
    echo();
    await Promise.all(USERS.map((id) => waitStatus(helper.getNode(id), isConnected)));
    await worksEndToEnd('before');
    const router = findRouter('router')!;

    // Each node type in turn: disconnect through one, connect through another.
    const rounds: Array<[string, string]> = [
      ['pub', 'sub'],
      ['call', 'reg'],
      ['reg', 'pub'],
      ['sub', 'call'],
    ];
    for (const [down, up] of rounds) {
      await act(down, 'disconnect', isDisconnected);
      assert.equal(router.sessionCount, 0, `no session after disconnect via ${down}`);

      // While held down, requests fail at once instead of reopening the session.
      const failed = caughtError();
      send('call', { payload: 'refused' });
      assert.equal((await failed).code, 'wamp.error.connection_lost');
      assert.equal(router.sessionCount, 0);

      await act(up, 'connect', isConnected);
      assert.equal(router.sessionCount, 1);
      // Registration and subscription came back with the new session, without redeploy.
      await worksEndToEnd(`after ${down} → ${up}`);
    }
  });

  it('a disconnect cancels invocations pending at the callee', async function () {
    await helper.load(nodeModules, flow());
    await waitStatus(helper.getNode('reg'), isConnected);
    const invoked = nextMessages(helper.getNode('callee'));
    const failed = caughtError();
    send('call', { payload: 1 });
    await invoked;
    send('reg', { action: 'disconnect' });
    const err = await failed;
    assert.equal(err.source?.id, 'call');
    assert.match(String(err.code), /^wamp\.error\.(canceled|connection_lost)$/);
  });

  it('with auto-connect off, "connect" opens the session; requests after "disconnect" do not reopen it', async function () {
    await helper.load(nodeModules, flow({ autoConnect: false }));
    echo();
    const router = findRouter('router')!;
    assert.equal(router.sessionCount, 0);
    await act('reg', 'connect', isConnected);
    assert.equal(router.sessionCount, 1);
    await worksEndToEnd('opened by connect');

    await act('sub', 'disconnect', isDisconnected);
    const failed = caughtError();
    send('pub', { topic: 'com.test.t', payload: 'dropped' });
    assert.equal((await failed).code, 'wamp.error.connection_lost');
    assert.equal(router.sessionCount, 0);
  });

  it('"connect" reports an error when the connection is misconfigured', async function () {
    await helper.load(nodeModules, flow({ realm: '' }));
    const failed = caughtError();
    send('pub', { action: 'connect' });
    assert.match((await failed).message, /wamp-connection\.errors\.bad-config/);
  });

  describe('other actions keep working, unknown ones are errors', function () {
    for (const [id, action, key] of [
      ['call', 'explode', /wamp-call\.errors\.invalid-action/],
      ['pub', 'explode', /wamp-publish\.errors\.invalid-action/],
      ['reg', 'explode', /wamp-register\.errors\.invalid-action/],
      ['reg', undefined, /wamp-register\.errors\.invalid-action/],
      ['sub', 'subscribe', /wamp-subscribe\.errors\.static-action/],
    ] as const) {
      it(`${id}: msg.action ${String(action)} → error`, async function () {
        await helper.load(nodeModules, flow());
        await waitStatus(helper.getNode(id), isConnected);
        const failed = caughtError();
        send(id, { action, topic: 'com.test.t', payload: 1 });
        assert.match((await failed).message, key);
      });
    }

    it('dynamic wamp-subscribe: subscribe still works next to disconnect and connect', async function () {
      await helper.load(nodeModules, flow({}, { topic: '', dynamic: true }));
      await waitStatus(helper.getNode('sub'), isConnected);
      send('sub', { action: 'subscribe', topic: 'com.test.dyn' });
      await act('sub', 'disconnect', isDisconnected);
      await act('sub', 'connect', isConnected);
      const event = nextMessages(helper.getNode('events'));
      send('pub', { topic: 'com.test.dyn', payload: 'restored' });
      assert.equal((await event)[0].payload, 'restored');
    });

    it('wamp-publish: msg.action "publish" publishes', async function () {
      await helper.load(nodeModules, flow());
      await waitStatus(helper.getNode('sub'), isConnected);
      const event = nextMessages(helper.getNode('events'));
      send('pub', { action: 'publish', topic: 'com.test.t', payload: 'explicit' });
      assert.equal((await event)[0].payload, 'explicit');
    });
  });
});
