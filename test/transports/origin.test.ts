// Web origins: which browser pages may open a WebSocket or long-poll transport. No Origin
// (not a browser) and the router's own origin pass, listed origins pass with CORS headers, `*`
// passes everything, anything else gets 403 and one log line.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import WebSocket from 'ws';
import { attachToHttpServer, listen, type Listener, type ListenOptions } from '../../src/transports/listener';
import { normalizeOrigin } from '../../src/transports/origin';
import { transportSink } from './helpers';
import { open, post } from './longpoll-http';

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

describe('allowed web origins', () => {
  let listener: Listener | undefined;
  const logged: string[] = [];

  async function start(options: Partial<ListenOptions> = {}): Promise<Listener> {
    logged.length = 0;
    listener = await listen({ port: 0, log: (m) => logged.push(m), ...options }, transportSink().onTransport);
    return listener;
  }

  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it('normalizes origins: case, default ports, trailing slash; rejects non-web schemes', () => {
    assert.equal(normalizeOrigin('HTTPS://App.Example.com:443/'), 'https://app.example.com');
    assert.equal(normalizeOrigin('http://localhost:1880'), 'http://localhost:1880');
    assert.equal(normalizeOrigin('null'), 'null');
    assert.equal(normalizeOrigin('file:///etc'), undefined);
    assert.equal(normalizeOrigin('garbage'), undefined);
  });

  it('WebSocket: no Origin and the own origin pass; another page gets 403 and a log line', async () => {
    const l = await start();
    assert.equal(await upgrade(l.url), 101, 'non-browser client');
    assert.equal(await upgrade(l.url, `http://127.0.0.1:${l.port}`), 101, 'own origin');
    assert.equal(await upgrade(l.url, 'http://evil.example'), 403);
    assert.equal(await upgrade(l.url, 'null'), 403);
    assert.equal(
      await upgrade(l.url, `http://127.0.0.1:${l.port + 1}`),
      403,
      'another port is another origin',
    );
    assert.equal(logged.filter((m) => m.includes('"http://evil.example"')).length, 1);
    assert.match(logged[0], /refused a WebSocket connection from origin "http:\/\/evil\.example"/);
    // A page that keeps trying does not flood the log.
    for (let i = 0; i < 5; i++) assert.equal(await upgrade(l.url, 'http://evil.example'), 403);
    assert.equal(logged.filter((m) => m.includes('"http://evil.example"')).length, 1);
  });

  it('WebSocket: listed origins pass, and * lets every page in', async () => {
    let l = await start({ allowedOrigins: ['https://app.example.com', 'http://localhost:3000/'] });
    assert.equal(await upgrade(l.url, 'https://app.example.com'), 101);
    assert.equal(await upgrade(l.url, 'http://localhost:3000'), 101);
    assert.equal(await upgrade(l.url, 'http://app.example.com'), 403, 'the scheme is part of the origin');
    await l.close();
    l = await start({ allowedOrigins: ['*'] });
    assert.equal(await upgrade(l.url, 'http://anything.example'), 101);
  });

  it('long-poll: a refused page gets 403 on every request, preflight included', async () => {
    const l = await start();
    const evil = { Origin: 'http://evil.example' };
    assert.equal((await post(`${l.longPollUrl}/open`, '{"protocols":["wamp.2.json"]}', evil)).status, 403);
    assert.equal(
      (
        await post(
          `${l.longPollUrl}/open`,
          undefined,
          { ...evil, 'Access-Control-Request-Method': 'POST' },
          'OPTIONS',
        )
      ).status,
      403,
    );
    const t = await open(l.longPollUrl);
    assert.equal((await post(`${t.url}/receive`, undefined, evil)).status, 403);
    assert.match(logged.join('\n'), /refused a long-poll request from origin "http:\/\/evil\.example"/);
    // Same origin: no CORS headers needed.
    const own = await post(`${t.url}/close`, undefined, { Origin: `http://127.0.0.1:${l.port}` });
    assert.equal(own.status, 204);
    assert.equal(own.headers['access-control-allow-origin'], undefined);
  });

  it('long-poll: a listed page gets its preflight answered and CORS headers with credentials', async () => {
    const l = await start({ allowedOrigins: ['https://app.example.com'] });
    const origin = { Origin: 'https://app.example.com' };
    const pre = await post(
      `${l.longPollUrl}/open`,
      undefined,
      {
        ...origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
      'OPTIONS',
    );
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type');
    const t = await open(l.longPollUrl, ['wamp.2.json'], origin);
    const reply = await post(`${t.url}/close`, undefined, origin);
    assert.equal(reply.status, 204);
    assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(reply.headers.vary, 'Origin');
  });

  it("inside another HTTP server: the server's own pages pass, other pages are refused", async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const attached = attachToHttpServer(server, '/wamp', { log: (m) => logged.push(m) }, () => {});
    try {
      const url = `ws://127.0.0.1:${port}/wamp`;
      assert.equal(await upgrade(url, `http://127.0.0.1:${port}`), 101);
      assert.equal(await upgrade(url, 'http://evil.example'), 403);
      const lp = await post(`http://127.0.0.1:${port}/wamp/open`, '{"protocols":["wamp.2.json"]}', {
        Origin: 'http://evil.example',
      });
      assert.equal(lp.status, 403);
    } finally {
      attached.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
