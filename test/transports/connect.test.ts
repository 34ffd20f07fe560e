import assert from 'node:assert/strict';
import * as net from 'node:net';
import { WebSocketServer } from 'ws';
import { connectTransport } from '../../src/transports/connect';

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('connectTransport', () => {
  for (const scheme of ['ws', 'rs'] as const) {
    it(`${scheme}: times out against a server that accepts TCP but never answers`, async () => {
      const silent = await silentServer();
      try {
        const url = scheme === 'ws' ? `ws://127.0.0.1:${silent.port}/ws` : `rs://127.0.0.1:${silent.port}`;
        const started = Date.now();
        await assert.rejects(connectTransport({ url, connectTimeoutMs: 150 }), (err: Error) => {
          assert.ok(err.message.includes(url));
          assert.match(err.message, /timeout/);
          return true;
        });
        assert.ok(Date.now() - started < 1000);
      } finally {
        await silent.close();
      }
    });

    it(`${scheme}: reports a refused connection`, async () => {
      const port = await freePort();
      const url = scheme === 'ws' ? `ws://127.0.0.1:${port}/ws` : `rs://127.0.0.1:${port}`;
      await assert.rejects(
        connectTransport({ url }),
        new RegExp(`${url.replace(/[/.]/g, '\\$&')}: connection refused`),
      );
    });
  }

  it('rejects an unknown scheme, a RawSocket URL without port, and a bad URL', async () => {
    await assert.rejects(connectTransport({ url: 'mqtt://127.0.0.1:1/' }), /unsupported scheme 'mqtt:'/);
    await assert.rejects(connectTransport({ url: 'rs://127.0.0.1' }), /needs a port/);
    await assert.rejects(connectTransport({ url: 'not a url' }), /not a valid URL/);
  });

  it('reports a server that drops the connection during the RawSocket handshake', async () => {
    const server = net.createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      await assert.rejects(
        connectTransport({ url: `rs://127.0.0.1:${port}` }),
        /closed during the RawSocket handshake|reset/,
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('reports a WebSocket server that accepts the upgrade without choosing our subprotocol', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
      await assert.rejects(connectTransport({ url, serializer: 'cbor' }), (err: Error) => {
        assert.ok(err.message.includes(url));
        assert.match(err.message, /subprotocol wamp\.2\.cbor not accepted/);
        return true;
      });
    } finally {
      for (const c of server.clients) c.terminate();
      await new Promise((r) => server.close(r));
    }
  });
});
