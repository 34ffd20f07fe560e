// Cryptosign TLS channel binding (tls-unique), over real TLS on 127.0.0.1: the channel ID is
// SHA-256 of the first TLS Finished message, the same at both ends; a client asking for the
// binding signs challenge XOR channel ID; a signature made for another connection (what a
// router in the middle would forward) or an unbound one is refused; asking for it without TLS
// or for an unknown binding type is refused before any challenge.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { Session } from '../../../src/client/session';
import { Router } from '../../../src/router';
import { tlsChannelBinding } from '../../../src/transports/channel-binding';
import { connectTransport } from '../../../src/transports/connect';
import type { Transport } from '../../../src/transports/transport';
import { boundChallenge, publicKeyHexOf, signCryptosignChallenge } from '../../../src/wamp/auth/cryptosign';
import { MessageType as M } from '../../../src/wamp/messages';
import { testCert, testKey } from '../../transports/helpers';

const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
const PUBKEY = publicKeyHexOf(SEED);
const VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

/** A raw-frame peer on a transport: the next message, whatever it is. */
function rawPeer(t: Transport): { next(): Promise<unknown[]>; send(m: unknown[]): void } {
  const queue: unknown[][] = [];
  const waiting: Array<(m: unknown[]) => void> = [];
  t.attach({
    onMessage: (m) => {
      const w = waiting.shift();
      if (w) w(m as unknown[]);
      else queue.push(m as unknown[]);
    },
    onDecodeError: () => {},
    onClose: (info) => {
      for (const w of waiting.splice(0)) w(['closed', info.reason]);
    },
  });
  return {
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))),
    send: (m) => t.send(m),
  };
}

const HELLO_DETAILS = (binding: unknown = 'tls-unique') => ({
  roles: { caller: {} },
  authmethods: ['cryptosign'],
  authid: 'alice',
  authextra: { pubkey: PUBKEY, channel_binding: binding },
});

describe('cryptosign TLS channel binding (tls-unique)', function () {
  this.timeout(20000);

  for (const version of VERSIONS) {
    it(`${version}: both ends compute the same channel ID, SHA-256 of the client's Finished`, async () => {
      const server = tls.createServer({ key: testKey, cert: testCert, maxVersion: version });
      const serverSide = new Promise<tls.TLSSocket>((resolve) => server.once('secureConnection', resolve));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      await new Promise((resolve) => client.once('secureConnect', resolve));
      const s = await serverSide;
      try {
        assert.equal(client.getProtocol(), version);
        const a = tlsChannelBinding(client, 'client')!['tls-unique'];
        const b = tlsChannelBinding(s, 'server')!['tls-unique'];
        assert.equal(a.length, 32);
        assert.deepEqual(a, b);
        assert.deepEqual(a, createHash('sha256').update(client.getFinished()!).digest());
        // The server's Finished, what Crossbar and Autobahn on Twisted bind to: the same at both ends too.
        const serverA = tlsChannelBinding(client, 'client')!.serverFinished;
        assert.deepEqual(serverA, tlsChannelBinding(s, 'server')!.serverFinished);
        assert.deepEqual(serverA, createHash('sha256').update(s.getFinished()!).digest());
        assert.notDeepEqual(serverA, a);
        const plain = new net.Socket();
        assert.equal(tlsChannelBinding(plain, 'client'), undefined);
      } finally {
        client.destroy();
        s.destroy();
        server.close();
      }
    });
  }

  describe('our client and our router over TLS', () => {
    let router: Router;
    beforeEach(() => {
      router = new Router({
        realms: [{ name: 'realm1', users: [{ authid: 'alice', role: 'admin', pubkey: PUBKEY }] }],
      });
    });
    afterEach(() => router.close());

    for (const version of VERSIONS)
      for (const scheme of ['wss', 'rss'] as const)
        it(`${scheme}:// ${version}: the client signs the bound challenge and is welcomed`, async () => {
          const listener = await router.listen({
            host: '127.0.0.1',
            port: 0,
            tls: { key: testKey, cert: testCert, maxVersion: version },
          });
          try {
            const url = scheme === 'wss' ? listener.url : `rss://127.0.0.1:${listener.port}`;
            const transport = await connectTransport({ url, tls: { ca: testCert } });
            assert.ok(transport.channelBinding, 'a TLS transport has a channel binding');
            const s = new Session(transport, {
              realm: 'realm1',
              authid: 'alice',
              privateKey: SEED,
              channelBinding: 'tls-unique',
            });
            await s.join();
            assert.equal(s.details.authmethod, 'cryptosign');
            assert.equal(s.details.authid, 'alice');
            await s.leave();
          } finally {
            await listener.close();
          }
        });

    it('refuses an unbound signature and one made for another connection', async () => {
      const listener = await router.listen({
        host: '127.0.0.1',
        port: 0,
        tls: { key: testKey, cert: testCert },
      });
      try {
        const open = async () => {
          const t = await connectTransport({ url: listener.url, tls: { ca: testCert } });
          const p = rawPeer(t);
          p.send([M.HELLO, 'realm1', HELLO_DETAILS()]);
          const challenge = await p.next();
          assert.equal(challenge[0], M.CHALLENGE);
          assert.equal(challenge[1], 'cryptosign');
          assert.equal((challenge[2] as Record<string, unknown>).channel_binding, 'tls-unique');
          return { t, p, challenge: (challenge[2] as Record<string, string>).challenge };
        };
        // Signed without the binding: what a client that ignores it would send.
        const a = await open();
        a.p.send([M.AUTHENTICATE, signCryptosignChallenge(SEED, a.challenge), {}]);
        const abortA = await a.p.next();
        assert.equal(abortA[0], M.ABORT);
        assert.equal(abortA[2], 'wamp.error.authentication_failed');
        // Bound to connection C's channel: a man in the middle forwarding C's login to the router.
        const b = await open();
        const c = await open();
        const forwarded = signCryptosignChallenge(
          SEED,
          boundChallenge(b.challenge, c.t.channelBinding!['tls-unique']),
        );
        b.p.send([M.AUTHENTICATE, forwarded, {}]);
        const abortB = await b.p.next();
        assert.equal(abortB[0], M.ABORT);
        assert.equal(abortB[2], 'wamp.error.authentication_failed');
        // Bound to this connection's server Finished, as Crossbar and Autobahn on Twisted sign: welcomed.
        const d = await open();
        const crossbarStyle = boundChallenge(d.challenge, d.t.channelBinding!.serverFinished);
        d.p.send([M.AUTHENTICATE, signCryptosignChallenge(SEED, crossbarStyle), {}]);
        assert.equal((await d.p.next())[0], M.WELCOME);
        d.t.close();
        // And the RFC 5929 one is welcomed.
        c.p.send([
          M.AUTHENTICATE,
          signCryptosignChallenge(SEED, boundChallenge(c.challenge, c.t.channelBinding!['tls-unique'])),
          {},
        ]);
        assert.equal((await c.p.next())[0], M.WELCOME);
        c.t.close();
      } finally {
        await listener.close();
      }
    });

    it('refuses the binding without TLS, and an unknown binding type, before any challenge', async () => {
      const listener = await router.listen({ host: '127.0.0.1', port: 0 });
      const tlsListener = await router.listen({
        host: '127.0.0.1',
        port: 0,
        tls: { key: testKey, cert: testCert },
      });
      try {
        const plain = rawPeer(await connectTransport({ url: listener.url }));
        plain.send([M.HELLO, 'realm1', HELLO_DETAILS()]);
        const abort = await plain.next();
        assert.equal(abort[0], M.ABORT);
        assert.equal(abort[2], 'wamp.error.authentication_failed');
        assert.match(String((abort[1] as Record<string, unknown>).message), /needs a TLS connection/);

        const odd = rawPeer(await connectTransport({ url: tlsListener.url, tls: { ca: testCert } }));
        odd.send([M.HELLO, 'realm1', HELLO_DETAILS('tls-server-end-point')]);
        const abort2 = await odd.next();
        assert.equal(abort2[0], M.ABORT);
        assert.match(String((abort2[1] as Record<string, unknown>).message), /not supported/);

        // Our client refuses too, rather than log in unbound.
        const s = new Session(await connectTransport({ url: listener.url }), {
          realm: 'realm1',
          authid: 'alice',
          privateKey: SEED,
          channelBinding: 'tls-unique',
        });
        await assert.rejects(s.join(), /needs a TLS connection/);
      } finally {
        await listener.close();
        await tlsListener.close();
      }
    });

    it('without the binding, cryptosign over TLS works as before (channel_binding null)', async () => {
      const listener = await router.listen({
        host: '127.0.0.1',
        port: 0,
        tls: { key: testKey, cert: testCert },
      });
      try {
        const p = rawPeer(await connectTransport({ url: listener.url, tls: { ca: testCert } }));
        p.send([M.HELLO, 'realm1', HELLO_DETAILS(null)]);
        const challenge = await p.next();
        const extra = challenge[2] as Record<string, string | null>;
        assert.equal(extra.channel_binding, null);
        p.send([M.AUTHENTICATE, signCryptosignChallenge(SEED, extra.challenge!), {}]);
        assert.equal((await p.next())[0], M.WELCOME);
      } finally {
        await listener.close();
      }
    });
  });
});
