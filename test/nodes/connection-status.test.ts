// wamp-connection: the status every user node shows (connecting, connected, retrying, auth
// failed), and bad configuration as a red status and a readable error, never a crash.
import assert from 'node:assert/strict';
import type net from 'node:net';
import { WebSocketServer } from 'ws';
import type { NodeStatus } from '../../nodes/shared/red-types';
import { findRouter } from '../../nodes/shared/router-registry';
import {
  baseFlow,
  helper,
  isConnected,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  freePort,
  tab,
  callNode,
  sessionsLeft,
} from './helpers';

/** Alice's ticket login to an in-process router that knows her ticket as 'right'; `ticket` is what she sends. */
async function loadTicketLogin(ticket: string): Promise<void> {
  await helper.load(
    nodeModules,
    [
      tab,
      {
        id: 'router',
        z: 'f1',
        type: 'wamp-router',
        realms: [{ name: 'realm1', anonymous: false }],
        accounts: [{ realm: 'realm1', authid: 'alice', role: 'user', method: 'ticket' }],
      },
      {
        id: 'conn',
        type: 'wamp-connection',
        transport: 'local',
        router: 'router',
        realm: 'realm1',
        authmethod: 'ticket',
        authid: 'alice',
      },
      callNode(),
    ],
    { router: { secrets: JSON.stringify({ 'realm1/alice': 'right' }) }, conn: { ticket } },
  );
}

describe('wamp-connection', function () {
  nodeRedPerTest();

  describe('status is pushed to every node using the connection', function () {
    it('yellow ring "connecting", then green dot "connected" with the realm', async function () {
      await helper.load(nodeModules, baseFlow([callNode()]));
      const call = helper.getNode('call');
      await waitStatus(
        call,
        (s) => s.fill === 'yellow' && s.shape === 'ring' && s.text === 'wamp-connection.status.connecting',
      );
      await waitStatus(call, (s) => isConnected(s) && s.text === 'wamp-connection.status.connected');
      assert.equal(sessionsLeft('router'), 1);
    });

    it('red ring with a retry when the router cannot be reached', async function () {
      const port = await freePort();
      await helper.load(nodeModules, [
        tab,
        {
          id: 'conn',
          type: 'wamp-connection',
          url: `ws://127.0.0.1:${port}/ws`,
          realm: 'realm1',
          reconnectDelay: 5,
        },
        callNode(),
      ]);
      const s = await waitStatus(
        helper.getNode('call'),
        (st) => st.text === 'wamp-connection.status.retrying',
      );
      assert.deepEqual(s, { fill: 'red', shape: 'ring', text: 'wamp-connection.status.retrying' });
    });

    it('red dot "auth failed" when the router refuses the credentials', async function () {
      await loadTicketLogin('wrong');
      const s = await waitStatus(helper.getNode('call'), (st) => st.fill === 'red' && st.shape === 'dot');
      assert.equal(s.text, 'wamp-connection.status.auth-failed');
    });

    it('red dot "auth failed" for any ABORT URI that refuses the identity (no_such_principal), whatever its text', async function () {
      // A router of another make: it knows no such authid and says so in its own words.
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'wamp.2.json' });
      wss.on('connection', (ws) =>
        ws.on('message', () =>
          ws.send(JSON.stringify([3, { message: 'who?' }, 'wamp.error.no_such_principal'])),
        ),
      );
      await new Promise<void>((r) => wss.once('listening', r));
      try {
        const { port } = wss.address() as net.AddressInfo;
        await helper.load(nodeModules, [
          tab,
          { id: 'conn', type: 'wamp-connection', url: `ws://127.0.0.1:${port}/ws`, realm: 'realm1' },
          callNode(),
        ]);
        const s = await waitStatus(helper.getNode('call'), (st) => st.fill === 'red' && st.shape === 'dot');
        assert.equal(s.text, 'wamp-connection.status.auth-failed');
      } finally {
        await helper.unload();
        for (const c of wss.clients) c.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
      }
    });

    it('ticket authentication with the right secret connects', async function () {
      await loadTicketLogin('right');
      await waitStatus(helper.getNode('call'), isConnected);
      assert.equal(findRouter('router')!.sessions('realm1')[0].authid, 'alice');
    });
  });

  describe('bad configuration gives a red status and a readable error, never a crash', function () {
    for (const [what, conf] of [
      ['a URL that is not ws/wss/rs/rss/http/https', { url: 'mqtt://example.com', realm: 'realm1' }],
      ['a missing realm', { url: 'ws://127.0.0.1:1/ws', realm: '' }],
      [
        'ticket auth without a ticket',
        { url: 'ws://127.0.0.1:1/ws', realm: 'r', authmethod: 'ticket', authid: 'a' },
      ],
    ] as const) {
      it(what, async function () {
        await helper.load(nodeModules, [tab, { id: 'conn', type: 'wamp-connection', ...conf }, callNode()]);
        const s: NodeStatus = await waitStatus(helper.getNode('call'), (st) => st.fill === 'red');
        assert.deepEqual(s, { fill: 'red', shape: 'dot', text: 'wamp-connection.status.config-error' });
        const conn = helper.getNode('conn') as unknown as {
          error: { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };
        };
        const logged = conn.error
          .getCalls()
          .filter((c) => c.thisValue === conn)
          .map((c) => c.args[0]);
        assert.deepEqual(logged, ['wamp-connection.errors.bad-config']);
        const reported = callReportsError();
        helper.getNode('call').receive({ payload: 1 });
        assert.ok(await reported);
      });
    }

    it('a call without any wamp-connection is an error', async function () {
      await helper.load(nodeModules, [tab, callNode('')]);
      const s = await waitStatus(helper.getNode('call'), (st) => st.fill === 'red');
      assert.equal(s.text, 'wamp-connection.status.no-connection');
    });
  });
});

/** Resolves true once the call node reports an error for the message (through the log spy). */
function callReportsError(): Promise<boolean> {
  const call = helper.getNode('call');
  return new Promise((resolve) => call.on('call:error', () => resolve(true)));
}
