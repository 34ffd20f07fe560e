// Third-party clients against the router's event history and cryptosign channel binding:
// Autobahn|JS and Autobahn|Python call wamp.subscription.get_events (Crossbar's positional form
// and the spec's keyword form); Autobahn|Python logs in with cryptosign bound to the TLS channel
// (tls-unique), signing with its own code: on asyncio over wss:// (RFC 5929's client Finished) and
// on Twisted over rss:// (the server's Finished, as Crossbar), TLS 1.2 and 1.3. Autobahn|JS does not
// implement channel binding (its cryptosign sends channel_binding null), so it is not tested here.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports';
import { publicKeyHexOf } from '../../src/wamp/auth/cryptosign';
import { openAutobahn } from './autobahn';

const PYTHON = '/usr/bin/python3';
const script = path.join(__dirname, '../../../test/interop/python/advanced.py');
const twistedScript = path.join(__dirname, '../../../test/interop/python/binding_twisted.py');
const certFile = path.join(__dirname, '../../../test/fixtures/tls/cert.pem');
const keyFile = path.join(__dirname, '../../../test/fixtures/tls/key.pem');
const hasAutobahnPython =
  spawnSync(PYTHON, ['-c', 'import autobahn, nacl, twisted'], { stdio: 'ignore' }).status === 0;
const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';

/** Runs advanced.py; its RESULT line, parsed. Fails with its output if it exits otherwise. */
async function python(args: string[], file = script, url?: string): Promise<Record<string, unknown>> {
  if (!hasAutobahnPython)
    throw new Error('python3-autobahn is not installed: apt-get install python3-autobahn python3-nacl');
  const argv = file === script ? [file, ...args] : [file, url!, 'realm1', ...args];
  const proc = spawn(PYTHON, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const m = /RESULT (.*)\n/.exec(out);
  assert.ok(m && code === 0, `python exited ${code}:\n${out}\n${err}`);
  return JSON.parse(m[1]) as Record<string, unknown>;
}

type Item = { publication: number; args: unknown[]; subscription: number; timestamp: string };

describe('interop: event history and channel binding with Autobahn', function () {
  this.timeout(30000);
  let router: Router;
  let listener: Listener;
  const published: number[] = [];

  before(async () => {
    router = new Router({
      realms: [
        {
          name: 'realm1',
          history: [{ uri: 'com.hist.counter', limit: 3 }],
          users: [{ authid: 'alice', role: 'user', pubkey: publicKeyHexOf(SEED) }],
          anonymous: true,
        },
      ],
    });
    listener = await router.listen({ host: '127.0.0.1', port: 0 });
    const js = await openAutobahn({ kind: 'websocket', url: listener.url, serializer: 'json' });
    try {
      for (let i = 1; i <= 4; i++) {
        const pub = await js.session.publish('com.hist.counter', [i], {}, { acknowledge: true });
        published.push(pub!.id);
      }
    } finally {
      await js.close();
    }
  });
  after(async () => {
    await listener?.close();
    await router?.close();
  });

  it('Autobahn|JS: sees event_history and calls get_events both ways', async () => {
    const js = await openAutobahn({ kind: 'websocket', url: listener.url, serializer: 'msgpack' });
    try {
      const roles = js.details.roles as Record<string, { features: Record<string, unknown> }>;
      assert.equal(roles.broker.features.event_history, true);
      const sub = (await js.session.call('wamp.subscription.lookup', ['com.hist.counter'])) as number;
      const newest = (await js.session.call('wamp.subscription.get_events', [sub, 2])) as Item[];
      assert.deepEqual(
        newest.map((e) => [e.publication, e.args, e.subscription]),
        [
          [published[3], [4], sub],
          [published[2], [3], sub],
        ],
      );
      const all = (await js.session.call('wamp.subscription.get_events', [sub], {})) as Item[];
      assert.deepEqual(
        all.map((e) => e.args),
        [[2], [3], [4]],
      );
    } finally {
      await js.close();
    }
  });

  it('Autobahn|Python: calls get_events both ways', async () => {
    const r = await python(['history', listener.url, 'realm1', 'com.hist.counter']);
    const crossbar = r.crossbar as Item[];
    const spec = r.spec as Item[];
    assert.deepEqual(
      crossbar.map((e) => e.publication),
      [published[3], published[2]],
    );
    assert.deepEqual(
      spec.map((e) => e.args),
      [[2], [3]],
    );
    for (const e of spec) assert.match(e.timestamp, /Z$/);
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const)
    it(`Autobahn|Python: cryptosign with tls-unique channel binding, asyncio wss:// and Twisted rss:// (${version})`, async () => {
      const { readFileSync } = await import('node:fs');
      const tlsListener = await router.listen({
        host: '127.0.0.1',
        port: 0,
        tls: { key: readFileSync(keyFile), cert: readFileSync(certFile), maxVersion: version },
      });
      try {
        const r = await python(['binding', tlsListener.url, 'realm1', 'alice', SEED, certFile]);
        assert.deepEqual(r, { authid: 'alice', authmethod: 'cryptosign', tls: true });
        // Autobahn on Twisted binds to the server's Finished message (as Crossbar does): accepted too.
        const t = await python(
          ['alice', SEED, certFile],
          twistedScript,
          `rss://127.0.0.1:${tlsListener.port}`,
        );
        assert.deepEqual(t, { authid: 'alice', authmethod: 'cryptosign' });
      } finally {
        await tlsListener.close();
      }
    });
});
