// wamp-router listening: on its own port (plain and TLS, with channel binding), on a port in
// use, on Node-RED's own HTTP server; a misconfigured router shows a red status.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '../../src/client';
import { buildConnectionOptions } from '../../nodes/shared/connection-config';
import { findRouter } from '../../nodes/shared/router-registry';
import { publicKeyHexOf } from '../../src/wamp/auth/cryptosign';
import {
  baseFlow,
  coreNode,
  helper,
  isConnected,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  freePort,
  calleeNodes,
  routerOnNodeRed,
  tab,
  callNode,
} from './helpers';

const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';

/**
 * Loads a wamp-router on a free port with the test certificate (tls-config `servertls`) and a
 * wamp-connection to it over wss:// that verifies it (`clienttls`), used by a call node; `router`
 * and `conn` add to or override those nodes' settings.
 */
async function loadOverTls(router: object, conn: object, creds?: Record<string, object>): Promise<void> {
  const fixtures = path.resolve(__dirname, '../../../test/fixtures/tls');
  const port = await freePort();
  await helper.load(
    [...nodeModules, coreNode('network/05-tls.js')],
    [
      tab,
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
      { id: 'router', z: 'f1', type: 'wamp-router', usePort: true, port, tls: 'servertls', ...router },
      {
        id: 'conn',
        type: 'wamp-connection',
        url: `wss://127.0.0.1:${port}/ws`,
        realm: 'realm1',
        tls: 'clienttls',
        reconnectDelay: 0.05,
        ...conn,
      },
      callNode(),
    ],
    creds,
  );
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

describe('wamp-connection', function () {
  nodeRedPerTest();

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
      await loadOverTls({ realms: [{ name: 'realm1' }] }, {});
      await waitStatus(helper.getNode('call'), isConnected);
      assert.equal(findRouter('router')!.sessions('realm1').length, 1);
    });

    it('cryptosign bound to the TLS channel (tls-unique): joins over wss://', async function () {
      await loadOverTls(
        {
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
        },
        { authmethod: 'cryptosign', authid: 'carol', channelBinding: true },
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
