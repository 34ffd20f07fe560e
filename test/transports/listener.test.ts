import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { connectTransport } from '../../src/transports/connect';
import { attachToHttpServer, listen } from '../../src/transports/listener';
import { record, transportSink } from './helpers';

function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

function upgradeStatus(url: string, protocols: string[]): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols);
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

describe('listener: one port for WebSocket and RawSocket', () => {
  it('serves both transports on the same port', async () => {
    const sink = transportSink();
    const listener = await listen({ port: 0 }, sink.onTransport);
    try {
      assert.equal(listener.url, `ws://127.0.0.1:${listener.port}/ws`);
      const ws = await connectTransport({ url: listener.url });
      const rs = await connectTransport({ url: `rs://127.0.0.1:${listener.port}` });
      const types = [(await sink.next()).info.type, (await sink.next()).info.type].sort();
      assert.deepEqual(types, ['rawsocket', 'websocket']);
      ws.close();
      rs.close();
    } finally {
      await listener.close();
    }
  });

  it('serves WebSocket at a configured path and answers other paths with 404', async () => {
    const sink = transportSink();
    const listener = await listen({ port: 0, path: '/wamp' }, sink.onTransport);
    try {
      assert.ok(listener.url.endsWith('/wamp'));
      const base = `ws://127.0.0.1:${listener.port}`;
      assert.equal(await upgradeStatus(`${base}/ws`, ['wamp.2.json']), 404);
      assert.equal(await upgradeStatus(`${base}/wamp?x=1`, ['wamp.2.json']), 101);
      assert.equal(await httpGet(`http://127.0.0.1:${listener.port}/other`), 404);
      assert.equal(await httpGet(`http://127.0.0.1:${listener.port}/wamp`), 426);
    } finally {
      await listener.close();
    }
  });

  it('offers only the configured serializers', async () => {
    const listener = await listen({ port: 0, serializers: ['msgpack'] }, () => {});
    try {
      assert.equal(await upgradeStatus(listener.url, ['wamp.2.json']), 400);
      await assert.rejects(
        connectTransport({ url: listener.url, serializer: 'json' }),
        /HTTP 400.*wamp\.2\.msgpack/,
      );
    } finally {
      await listener.close();
    }
  });

  it('close() closes every connection, idle HTTP and half-handshaken ones included, then the port', async () => {
    const sink = transportSink();
    const listener = await listen({ port: 0 }, sink.onTransport);
    const ws = await connectTransport({ url: listener.url });
    const rs = await connectTransport({ url: `rs://127.0.0.1:${listener.port}` });
    const wsRec = record(ws);
    const rsRec = record(rs);
    const silent = net.connect(listener.port, '127.0.0.1');
    silent.on('error', () => {});
    const halfRaw = net.connect(listener.port, '127.0.0.1', () => halfRaw.write(Buffer.from([0x7f])));
    halfRaw.on('error', () => {});
    await Promise.all([
      new Promise((r) => silent.once('connect', r)),
      new Promise((r) => halfRaw.once('connect', r)),
    ]);
    const started = Date.now();
    await listener.close();
    assert.ok(Date.now() - started < 1500, 'close does not hang');
    const [wsInfo, rsInfo] = await Promise.all([wsRec.closed, rsRec.closed]);
    assert.equal(wsInfo.code, 1001);
    assert.equal(wsInfo.local, false);
    assert.equal(rsInfo.local, false);
    await Promise.all([
      new Promise((r) => (silent.closed ? r(null) : silent.once('close', r))),
      new Promise((r) => (halfRaw.closed ? r(null) : halfRaw.once('close', r))),
    ]);
    await assert.rejects(
      connectTransport({ url: listener.url, connectTimeoutMs: 2000 }),
      /connection refused/,
    );
    // Closing twice is harmless.
    await listener.close();
  });

  it('reports a port in use', async () => {
    const first = await listen({ port: 0 }, () => {});
    try {
      await assert.rejects(
        listen({ port: first.port }, () => {}),
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });
});

describe('attachToHttpServer', () => {
  it('serves WAMP at its path and leaves other upgrade requests to other handlers', async () => {
    const server = http.createServer((_req, res) => res.end('plain'));
    const other = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('from other'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const sink = transportSink();
    const attached = attachToHttpServer(server, '/wamp', {}, sink.onTransport);
    try {
      const client = await connectTransport({ url: `ws://127.0.0.1:${port}/wamp`, serializer: 'cbor' });
      const s = record(await sink.next());
      client.send([1, 'realm1', {}]);
      assert.deepEqual(await s.next(), [1, 'realm1', {}]);

      const plain = new WebSocket(`ws://127.0.0.1:${port}/other`);
      const greeting = await new Promise<string>((resolve, reject) => {
        plain.once('message', (d) => resolve(String(d)));
        plain.once('error', reject);
      });
      assert.equal(greeting, 'from other');
      assert.equal(sink.all.length, 1);

      assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/wamp`, ['wamp.2.ubjson']), 400);

      // close() removes the handler and closes its connections, leaving the server and others.
      attached.close();
      assert.equal((await s.closed).local, true);
      assert.equal(server.listenerCount('upgrade'), 1);
      assert.equal(plain.readyState, WebSocket.OPEN);
      assert.equal(await httpGet(`http://127.0.0.1:${port}/`), 200);
      plain.close();
      await new Promise((r) => plain.once('close', r));
    } finally {
      attached.close();
      other.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
