// HTTP long-poll in Node-RED: the wamp-router node serves it on its own port and inside
// Node-RED's HTTP server (next to the editor, which keeps working), a wamp-connection node
// reaches a router by an http:// URL, and the router node's allowed origins guard both
// transports against other web pages.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { Connection } from '../../src/client';
import { findRouter } from '../../nodes/shared/router-registry';
import {
  helper,
  isConnected,
  nodeModules,
  waitStatus,
  nodeRedPerTest,
  routerOnNodeRed,
  tab,
} from './helpers';

function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function upgrade(url: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['wamp.2.json'], origin ? { origin } : {});
    ws.on('error', () => {});
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('HTTP long-poll in Node-RED', function () {
  this.timeout(30000);
  nodeRedPerTest();

  it("wamp-router on Node-RED's HTTP server: long-poll at the path's http:// twin, the editor's routes untouched", async function () {
    // The server's own application (Node-RED's editor and http-in routes in real life).
    const app = (
      helper as unknown as {
        _app: { get(path: string, h: (req: unknown, res: { send(b: string): void }) => void): void };
      }
    )._app;
    app.get('/probe', (_req, res) => res.send('ok'));
    await helper.load(nodeModules, [tab, routerOnNodeRed()]);
    const client = new Connection({
      url: `${helper.url()}/wamp`,
      realm: 'realm1',
      reconnect: { enabled: false },
    });
    client.open();
    await client.connected();
    const [session] = findRouter('router')!.realm('realm1')!.clients();
    assert.equal(session.transport.info.type, 'longpoll');
    await client.register('com.lp.echo', (inv) => inv.args[0]);
    assert.deepEqual((await client.call('com.lp.echo', ['over long-poll'])).args, ['over long-poll']);
    // Node-RED still answers its own routes.
    assert.equal(await get(`${helper.url()}/probe`), 200);
    assert.equal(await get(`${helper.url()}/wamp-not`), 404);
    await client.close();
    await helper.unload();
    assert.equal(await get(`${helper.url()}/probe`), 200);
    assert.equal(await get(`${helper.url()}/wamp/open`, {}, 'POST', '{"protocols":["wamp.2.json"]}'), 404);
  });

  it('wamp-connection with an http:// URL speaks long-poll to a router on its own port', async function () {
    const port = await freePort();
    await helper.load(nodeModules, [
      tab,
      { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1' }], usePort: true, port },
      {
        id: 'conn',
        type: 'wamp-connection',
        url: `http://127.0.0.1:${port}/ws`,
        realm: 'realm1',
        reconnectDelay: 0.05,
      },
      { id: 'call', z: 'f1', type: 'wamp-call', connection: 'conn', procedure: 'com.test.p', wires: [[]] },
    ]);
    await waitStatus(helper.getNode('call'), isConnected);
    const [session] = findRouter('router')!.realm('realm1')!.clients();
    assert.equal(session.transport.info.type, 'longpoll');
  });

  it("allowed origins: the router's own origin and listed ones pass, other pages get 403 (WebSocket and long-poll)", async function () {
    const port = await freePort();
    await helper.load(nodeModules, [
      tab,
      {
        ...routerOnNodeRed(),
        usePort: true,
        port,
        origins: 'https://dash.example.com, http://localhost:3000',
      },
    ]);
    const ownOrigin = helper.url();
    const pathUrl = `${ownOrigin.replace(/^http/, 'ws')}/wamp`;
    assert.equal(await upgrade(pathUrl), 101, 'no Origin: not a browser');
    assert.equal(await upgrade(pathUrl, ownOrigin), 101, "Node-RED's own pages");
    assert.equal(await upgrade(pathUrl, 'https://dash.example.com'), 101);
    assert.equal(await upgrade(pathUrl, 'http://evil.example'), 403);
    const portUrl = `ws://127.0.0.1:${port}/ws`;
    assert.equal(await upgrade(portUrl, 'http://localhost:3000'), 101);
    assert.equal(
      await upgrade(portUrl, ownOrigin),
      403,
      "Node-RED's origin is another origin than the router's port",
    );
    const open = '{"protocols":["wamp.2.json"]}';
    assert.equal(await get(`${ownOrigin}/wamp/open`, { Origin: 'http://evil.example' }, 'POST', open), 403);
    assert.equal(
      await get(`${ownOrigin}/wamp/open`, { Origin: 'https://dash.example.com' }, 'POST', open),
      200,
    );
  });
});
