import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { Connection } from '../../src/client';
import type { NodeMessage, NodeStatus } from '../../nodes/shared/red-types';
import { buildConnectionOptions } from '../../nodes/shared/connection-config';
import { findRouter } from '../../nodes/shared/router-registry';
import { publicKeyHexOf } from '../../src/wamp/auth/cryptosign';
import {
  baseFlow,
  coreNode,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  freePort,
  calleeNodes,
  routerOnNodeRed,
} from './helpers';

const tab = { id: 'f1', type: 'tab', label: 'test' };
const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';

/** tls-config nodes: `servertls` (the test certificate) and `clienttls` (verifying it). */
function tlsPair(): object[] {
  const fixtures = path.resolve(__dirname, '../../../test/fixtures/tls');
  return [
    {
      id: 'servertls',
      type: 'tls-config',
      cert: path.join(fixtures, 'cert.pem'),
      key: path.join(fixtures, 'key.pem'),
      ca: '',
      verifyservercert: false,
    },
    {
      id: 'clienttls',
      type: 'tls-config',
      cert: '',
      key: '',
      ca: path.join(fixtures, 'cert.pem'),
      verifyservercert: true,
    },
  ];
}

function callNode(conn = 'conn'): object {
  return { id: 'call', z: 'f1', type: 'wamp-call', connection: conn, procedure: 'com.test.p', wires: [[]] };
}

function sessionsLeft(id: string): number {
  const router = findRouter(id);
  assert.ok(router, `router ${id} is running`);
  return router.sessionCount;
}

/** Resolves when the router's session count reaches `n`. */
function sessionCountBecomes(id: string, n: number): Promise<void> {
  const router = findRouter(id)!;
  if (router.sessionCount === n) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (): void => {
      if (router.sessionCount !== n) return;
      router.off('session-leave', check);
      router.off('session-join', check);
      resolve();
    };
    router.on('session-leave', check);
    router.on('session-join', check);
  });
}

/** A client of realm1 at `url`, once joined; rejects with the reason if it fails or is refused. */
async function joinedClient(url: string): Promise<Connection> {
  const client = new Connection({ url, realm: 'realm1', reconnect: { enabled: false } });
  const joined = new Promise<void>((resolve, reject) =>
    client.on('status', (s: { state: string; reason?: string }) =>
      s.state === 'connected'
        ? resolve()
        : s.state === 'failed' || s.state === 'disconnected'
          ? reject(new Error(s.reason))
          : undefined,
    ),
  );
  client.open();
  await joined;
  return client;
}

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

  describe('the shared connection is reference counted', function () {
    it('a connection created before its router waits for it', async function () {
      // With x/y they are flow nodes, started as in a real deploy: config nodes first, then the
      // flow's nodes in order, so the call node opens the connection before the router exists.
      await helper.load(nodeModules, [
        tab,
        { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
        { ...callNode(), x: 100, y: 100 },
        {
          id: 'router',
          z: 'f1',
          type: 'wamp-router',
          realms: [{ name: 'realm1' }],
          x: 100,
          y: 200,
          wires: [],
        },
      ]);
      await waitStatus(helper.getNode('call'), isConnected);
      assert.equal(sessionsLeft('router'), 1);
    });

    it('redeploying some user nodes keeps the others working; removing all users leaves no session', async function () {
      const register = {
        id: 'reg',
        z: 'f1',
        type: 'wamp-register',
        connection: 'conn',
        procedure: 'com.test.p',
        wires: [['callee']],
      };
      const callee = { id: 'callee', z: 'f1', type: 'helper' };
      const out = { id: 'out', z: 'f1', type: 'helper' };
      const call = { ...callNode(), wires: [['out']] };
      await helper.load(
        nodeModules,
        baseFlow([register, callee, call, out, { id: 'resp', z: 'f1', type: 'wamp-response' }]),
      );
      await waitStatus(helper.getNode('call'), isConnected);
      assert.equal(sessionsLeft('router'), 1);

      // Change only the call node: the register node and the session stay.
      await helper.setFlows(
        baseFlow([
          register,
          callee,
          { ...call, timeout: 5 },
          out,
          { id: 'resp', z: 'f1', type: 'wamp-response' },
        ]),
        'nodes',
      );
      helper
        .getNode('callee')
        .on('input', (msg) => helper.getNode('resp').receive({ ...msg, payload: 'still here' }));
      const answer = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({});
      assert.equal((await answer)[0].payload, 'still here');
      assert.equal(sessionsLeft('router'), 1);

      // Remove every user: the connection closes after the last one.
      await helper.setFlows(baseFlow([]), 'nodes');
      await sessionCountBecomes('router', 0);
    });

    it('with auto-connect off the first request opens the connection and waits for it', async function () {
      await helper.load(nodeModules, [
        tab,
        { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1' }] },
        {
          id: 'conn',
          type: 'wamp-connection',
          transport: 'local',
          router: 'router',
          realm: 'realm1',
          autoConnect: false,
        },
        {
          id: 'pub',
          z: 'f1',
          type: 'wamp-publish',
          connection: 'conn',
          topic: 'com.test.t',
          acknowledge: true,
        },
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
      assert.equal(sessionsLeft('router'), 0);
      const event = nextMessages(helper.getNode('out'));
      helper.getNode('pub').receive({ payload: 'first' });
      // The subscription made before the connection opened was established before the publish went out.
      assert.equal((await event)[0].payload, 'first');
      assert.equal(sessionsLeft('router'), 1);
    });

    it('redeploying the wamp-router node: in-process connections come back to the new router', async function () {
      const conn = {
        id: 'conn',
        type: 'wamp-connection',
        transport: 'local',
        router: 'router',
        realm: 'realm1',
        reconnectDelay: 0.02,
      };
      const rest = [
        ...calleeNodes('com.test.p'),
        { ...callNode(), wires: [['out']] },
        { id: 'out', z: 'f1', type: 'helper' },
      ];
      const routerNode = { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1' }] };
      await helper.load(nodeModules, [tab, routerNode, conn, ...rest]);
      await waitStatus(helper.getNode('call'), isConnected);
      const first = findRouter('router');

      await helper.setFlows([tab, { ...routerNode, callTimeout: 30 }, conn, ...rest], 'nodes');
      assert.notEqual(findRouter('router'), first);
      await sessionCountBecomes('router', 1);
      // The registration was restored on the new router: a call goes through.
      helper
        .getNode('callee')
        .on('input', (msg: NodeMessage) => helper.getNode('resp').receive({ ...msg, payload: 'again' }));
      const answer = nextMessages(helper.getNode('out'));
      helper.getNode('call').receive({});
      assert.equal((await answer)[0].payload, 'again');
    });

    it('unloading the flow closes every session and the router', async function () {
      await helper.load(nodeModules, baseFlow([callNode()]));
      await waitStatus(helper.getNode('call'), isConnected);
      const router = findRouter('router')!;
      await helper.unload();
      assert.equal(router.sessionCount, 0);
      assert.equal(findRouter('router'), undefined);
    });
  });

  describe('wamp-router listening', function () {
    it('on its own port: a network client can call a procedure a flow registered', async function () {
      const port = await freePort();
      await helper.load(
        nodeModules,
        baseFlow([
          {
            id: 'router2',
            z: 'f1',
            type: 'wamp-router',
            realms: [{ name: 'realm1' }],
            usePort: true,
            port,
            path: '/ws',
          },
          { id: 'conn2', type: 'wamp-connection', transport: 'local', router: 'router2', realm: 'realm1' },
          ...calleeNodes('com.test.p', { connection: 'conn2' }),
        ]),
      );
      await waitStatus(helper.getNode('reg'), isConnected);
      helper
        .getNode('callee')
        .on('input', (msg) => helper.getNode('resp').receive({ ...msg, payload: 'over tcp' }));
      for (const url of [`ws://127.0.0.1:${port}/ws`, `rs://127.0.0.1:${port}`]) {
        const client = await joinedClient(url);
        const r = await client.call('com.test.p', []);
        assert.deepEqual(r.args, ['over tcp']);
        await client.close();
      }
    });

    it('with a tls-config node: wss:// to the router, verified by a client tls-config', async function () {
      const port = await freePort();
      await helper.load(
        [...nodeModules, coreNode('network/05-tls.js')],
        [
          tab,
          ...tlsPair(),
          {
            id: 'router',
            z: 'f1',
            type: 'wamp-router',
            realms: [{ name: 'realm1' }],
            usePort: true,
            port,
            tls: 'servertls',
          },
          {
            id: 'conn',
            type: 'wamp-connection',
            url: `wss://127.0.0.1:${port}/ws`,
            realm: 'realm1',
            tls: 'clienttls',
            reconnectDelay: 0.05,
          },
          callNode(),
        ],
      );
      await waitStatus(helper.getNode('call'), isConnected);
      assert.equal(findRouter('router')!.sessions('realm1').length, 1);
    });

    it('cryptosign bound to the TLS channel (tls-unique): joins over wss://', async function () {
      const port = await freePort();
      await helper.load(
        [...nodeModules, coreNode('network/05-tls.js')],
        [
          tab,
          ...tlsPair(),
          {
            id: 'router',
            z: 'f1',
            type: 'wamp-router',
            realms: [{ name: 'realm1', anonymous: false }],
            accounts: [
              {
                realm: 'realm1',
                authid: 'carol',
                role: 'user',
                method: 'cryptosign',
                pubkey: publicKeyHexOf(SEED),
              },
            ],
            usePort: true,
            port,
            tls: 'servertls',
          },
          {
            id: 'conn',
            type: 'wamp-connection',
            url: `wss://127.0.0.1:${port}/ws`,
            realm: 'realm1',
            tls: 'clienttls',
            authmethod: 'cryptosign',
            authid: 'carol',
            channelBinding: true,
            reconnectDelay: 0.05,
          },
          callNode(),
        ],
        { conn: { privateKey: SEED } },
      );
      await waitStatus(helper.getNode('call'), isConnected);
      assert.deepEqual(
        findRouter('router')!
          .sessions('realm1')
          .map((s) => [s.authid, s.authmethod]),
        [['carol', 'cryptosign']],
      );
    });

    it('TLS channel binding asked for over ws:// or in-process: a config error that says why', () => {
      const noTls = () => undefined;
      const local = () => Promise.reject(new Error('not used'));
      const creds = { privateKey: SEED };
      const base = {
        id: 'c',
        type: 'wamp-connection',
        realm: 'realm1',
        authmethod: 'cryptosign',
        authid: 'carol',
        channelBinding: true,
      };
      assert.throws(
        () => buildConnectionOptions({ ...base, url: 'ws://127.0.0.1:1/ws' }, creds, local, noTls),
        /channel binding needs every router URL to be wss:\/\/ or rss:\/\//,
      );
      assert.throws(
        () => buildConnectionOptions({ ...base, transport: 'local', router: 'r1' }, creds, local, noTls),
        /channel binding/,
      );
      const bound = buildConnectionOptions({ ...base, url: 'rss://127.0.0.1:1' }, creds, local, noTls);
      assert.equal(bound.options.channelBinding, 'tls-unique');
      const unbound = buildConnectionOptions(
        { ...base, channelBinding: false, url: 'wss://h/ws' },
        creds,
        local,
        noTls,
      );
      assert.equal(unbound.options.channelBinding, undefined);
    });

    it('on a port already in use: red status and an error in the log', async function () {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const { port } = blocker.address() as net.AddressInfo;
      try {
        await helper.load(nodeModules, [
          tab,
          { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1' }], usePort: true, port },
        ]);
        const s = await waitStatus(helper.getNode('router'), (st) => st.fill === 'red');
        assert.deepEqual(s, { fill: 'red', shape: 'dot', text: 'wamp-router.status.error' });
      } finally {
        await new Promise<void>((r) => blocker.close(() => r()));
      }
    });

    it("on Node-RED's HTTP server at a path under httpNodeRoot", async function () {
      await helper.load(nodeModules, [tab, routerOnNodeRed()]);
      const url = `${helper.url().replace(/^http/, 'ws')}/wamp`;
      const client = await joinedClient(url);
      const s = await waitStatus(helper.getNode('router'), (st) => st.text === 'wamp-router.status.session');
      assert.equal(s.fill, 'green');
      await client.close();
    });

    it('a misconfigured router (no realm) shows a red status', async function () {
      await helper.load(nodeModules, [tab, { id: 'router', z: 'f1', type: 'wamp-router', realms: [] }]);
      const s = await waitStatus(helper.getNode('router'), (st) => st.fill === 'red');
      assert.equal(s.text, 'wamp-router.status.error');
      assert.equal(findRouter('router'), undefined);
    });
  });
});

/** Resolves true once the call node reports an error for the message (through the log spy). */
function callReportsError(): Promise<boolean> {
  const call = helper.getNode('call');
  return new Promise((resolve) => call.on('call:error', () => resolve(true)));
}
