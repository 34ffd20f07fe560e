// The Router's own network endpoints and limits: listen(), attach(), close() closing them, and
// the connection limit.
import assert from 'node:assert/strict';
import http from 'node:http';
import { Router } from '../../src/router';
import { connectTransport } from '../../src/transports';
import { Connection } from '../../src/client';

describe('Router endpoints and limits', () => {
  it('listen() serves WebSocket and RawSocket on one port; close() closes the port', async () => {
    const router = new Router({ realms: [{ name: 'realm1' }] });
    const listener = await router.listen({ host: '127.0.0.1', port: 0 });
    for (const url of [listener.url, `rs://127.0.0.1:${listener.port}`]) {
      const conn = new Connection({ url, realm: 'realm1', reconnect: { enabled: false } });
      const joined = new Promise((resolve) =>
        conn.on('status', (s: { state: string }) => s.state === 'connected' && resolve(s)),
      );
      conn.open();
      await joined;
      assert.equal(await conn.call('wamp.session.count').then((r) => r.args[0]), 1);
      await conn.close();
    }
    await router.close();
    await assert.rejects(connectTransport({ url: listener.url, connectTimeoutMs: 2000 }), /refused/);
  });

  it('attach() serves WAMP on an existing HTTP server at a path and leaves other paths alone', async () => {
    const server = http.createServer((_req, res) => res.end('app'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const router = new Router({ realms: [{ name: 'realm1' }] });
    router.attach(server, { path: '/wamp' });
    try {
      const t = await connectTransport({ url: `ws://127.0.0.1:${port}/wamp` });
      t.close();
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/other`)).text(), 'app');
    } finally {
      await router.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('closes connections beyond maxSessions at once, and serves others again when one leaves', async () => {
    const warnings: string[] = [];
    const router = new Router({
      realms: [{ name: 'realm1' }],
      maxSessions: 2,
      logger: { info() {}, warn: (m) => warnings.push(m), error() {} },
    });
    const listener = await router.listen({ host: '127.0.0.1', port: 0 });
    try {
      const a = await connectTransport({ url: listener.url });
      const b = await connectTransport({ url: listener.url });
      const c = await connectTransport({ url: listener.url });
      const closed = await new Promise<{ reason: string; code?: number }>((resolve) =>
        c.attach({ onMessage() {}, onDecodeError() {}, onClose: resolve }),
      );
      assert.equal(closed.code, 1013);
      assert.match(warnings.join('\n'), /connection limit/);
      a.close();
      await new Promise((r) => setTimeout(r, 50));
      const d = await connectTransport({ url: listener.url });
      assert.ok(d.isOpen);
      b.close();
      d.close();
    } finally {
      await router.close();
    }
  });
});
