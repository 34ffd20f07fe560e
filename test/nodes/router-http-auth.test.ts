// The wamp-router on a path of Node-RED's own HTTP server: like the core websocket nodes it is
// not covered by httpNodeAuth, and honours the `webSocketNodeVerifyClient` setting, which is the
// one way to guard it there. Without the setting it accepts any client, as before.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { helper, nodeModules, nodeRedPerTest, routerOnNodeRed, tab } from './helpers';

/** The HTTP status of a WebSocket upgrade to the router, or 101 when it opened. */
function upgrade(headers: Record<string, string> = {}): Promise<number> {
  const url = `${helper.url().replace(/^http/, 'ws')}/wamp`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['wamp.2.json'], { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (e) => (ws.readyState === WebSocket.CLOSED ? undefined : reject(e)));
  });
}

describe("wamp-router on Node-RED's HTTP server", function () {
  nodeRedPerTest(() => helper.settings({ webSocketNodeVerifyClient: undefined }));

  it('honours webSocketNodeVerifyClient: refused without the token, accepted with it', async function () {
    const asked: string[] = [];
    helper.settings({
      webSocketNodeVerifyClient: (info: { req: { headers: Record<string, string>; url?: string } }) => {
        asked.push(info.req.url ?? '');
        return info.req.headers['x-token'] === 'let-me-in';
      },
    });
    await helper.load(nodeModules, [tab, routerOnNodeRed()]);
    assert.equal(await upgrade(), 401);
    assert.equal(await upgrade({ 'X-Token': 'wrong' }), 401);
    assert.equal(await upgrade({ 'X-Token': 'let-me-in' }), 101);
    assert.ok(asked.length >= 3 && asked.every((u) => u.startsWith('/wamp')));
  });

  it('an asynchronous webSocketNodeVerifyClient (info, callback) works too', async function () {
    helper.settings({
      webSocketNodeVerifyClient: (
        info: { req: { headers: Record<string, string> } },
        callback: (ok: boolean, code?: number) => void,
      ) => setImmediate(() => callback(info.req.headers['x-token'] === 'ok', 403)),
    });
    await helper.load(nodeModules, [tab, routerOnNodeRed()]);
    assert.equal(await upgrade(), 403);
    assert.equal(await upgrade({ 'X-Token': 'ok' }), 101);
  });

  it('without the setting any client is accepted, as core websocket nodes do', async function () {
    await helper.load(nodeModules, [tab, routerOnNodeRed()]);
    assert.equal(await upgrade(), 101);
  });
});
