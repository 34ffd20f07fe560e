import assert from 'node:assert/strict';
import { connectTransport } from '../../src/transports/connect';
import { listen, type Listener } from '../../src/transports/listener';
import { record, testCert, testKey, transportSink } from './helpers';

describe('TLS: wss:// and rss:// on one port', () => {
  let listener: Listener;
  let sink: ReturnType<typeof transportSink>;

  before(async () => {
    sink = transportSink();
    listener = await listen({ port: 0, tls: { key: testKey, cert: testCert } }, sink.onTransport);
  });

  after(async () => {
    await listener.close();
  });

  it('has a wss:// URL', () => {
    assert.equal(listener.url, `wss://127.0.0.1:${listener.port}/ws`);
  });

  for (const scheme of ['wss', 'rss'] as const) {
    const url = (): string => (scheme === 'wss' ? listener.url : `rss://127.0.0.1:${listener.port}`);

    it(`${scheme}: verifies the server certificate by default (no ca => TLS error)`, async () => {
      await assert.rejects(connectTransport({ url: url() }), (err: Error) => {
        assert.ok(err.message.includes(url()), err.message);
        assert.match(err.message, /TLS certificate verification failed.*self-signed/i);
        return true;
      });
    });

    it(`${scheme}: connects and carries messages with the ca given`, async () => {
      const client = await connectTransport({ url: url(), serializer: 'msgpack', tls: { ca: testCert } });
      const server = await sink.next();
      assert.equal(client.info.secure, true);
      assert.equal(server.info.secure, true);
      assert.equal(server.info.type, scheme === 'wss' ? 'websocket' : 'rawsocket');
      const c = record(client);
      const s = record(server);
      client.send([1, 'realm1', { bin: Buffer.from([1, 2, 3]) }]);
      const got = (await s.next()) as [number, string, { bin: Uint8Array }];
      assert.deepEqual([...got[2].bin], [1, 2, 3]);
      server.send([2, 42, {}]);
      assert.deepEqual(await c.next(), [2, 42, {}]);
      server.close(1000, 'done');
      assert.equal((await c.closed).local, false);
      await s.closed;
    });

    it(`${scheme}: checks the host name (localhost is in the certificate)`, async () => {
      const byName = url().replace('127.0.0.1', 'localhost');
      const client = await connectTransport({ url: byName, tls: { ca: testCert } });
      const s = record(await sink.next());
      client.close();
      await s.closed;
    });
  }

  it('a plain client on the TLS port fails instead of hanging', async () => {
    await assert.rejects(
      connectTransport({ url: `ws://127.0.0.1:${listener.port}/ws`, connectTimeoutMs: 3000 }),
      (err: Error) => {
        assert.doesNotMatch(err.message, /timeout/);
        return true;
      },
    );
  });
});
