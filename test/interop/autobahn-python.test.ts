// Autobahn|Python (Debian's python3-autobahn, a strict client) against our router, talking to
// an Autobahn|JS session through it: over WebSocket with each serializer (its asyncio runner,
// peer.py) and over RawSocket with each serializer (its Twisted runner, peer_twisted.py).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Router } from '../../src/router';
import { listen, type Listener } from '../../src/transports';
import { openAutobahn, type AbConnection } from './autobahn';

const PYTHON = '/usr/bin/python3';
const peerDir = path.join(__dirname, '../../../test/interop/python');
const hasAutobahnPython =
  spawnSync(PYTHON, ['-c', 'import autobahn, msgpack, cbor2, twisted'], { stdio: 'ignore' }).status === 0;

describe('interop: Autobahn|Python through our router', function () {
  this.timeout(20000);
  let router: Router;
  let listener: Listener;

  before(async function () {
    // .ci/run installs it; a developer machine without it is told so, loudly.
    if (!hasAutobahnPython)
      throw new Error(
        'python3-autobahn is not installed: apt-get install python3-autobahn python3-msgpack python3-cbor2 python3-nacl python3-twisted',
      );
    router = new Router({ realms: [{ name: 'realm1' }] });
    listener = await listen({ host: '127.0.0.1', port: 0 }, (t) => router.accept(t));
  });
  after(async () => {
    await router?.close();
    await listener?.close();
  });

  // Autobahn|Python 22.7's asyncio RawSocket client fails in its own onWelcome handler
  // ('WampRawSocketClientProtocol' has no 'transport_details'); its Twisted one works, so
  // RawSocket runs on Twisted (the same peer, written with inlineCallbacks).
  const cases: [string, () => string, string, string][] = [
    ['WebSocket/JSON', () => listener.url, 'json', 'peer.py'],
    ['WebSocket/MessagePack', () => listener.url, 'msgpack', 'peer.py'],
    ['WebSocket/CBOR', () => listener.url, 'cbor', 'peer.py'],
    ['RawSocket/JSON (Twisted)', () => `rs://127.0.0.1:${listener.port}`, 'json', 'peer_twisted.py'],
    [
      'RawSocket/MessagePack (Twisted)',
      () => `rs://127.0.0.1:${listener.port}`,
      'msgpack',
      'peer_twisted.py',
    ],
    ['RawSocket/CBOR (Twisted)', () => `rs://127.0.0.1:${listener.port}`, 'cbor', 'peer_twisted.py'],
  ];

  for (const [name, url, serializer, script] of cases) {
    it(`${name}: calls, registers, publishes and subscribes with an Autobahn|JS peer`, async () => {
      let py: ChildProcess | undefined;
      const js: AbConnection = await openAutobahn({
        kind: 'websocket',
        url: listener.url,
        serializer: 'json',
      });
      try {
        await js.session.register('com.js.mul', (args) => (args[0] as number) * (args[1] as number));
        const pyEvent = new Promise<unknown[]>((resolve) =>
          js.session.subscribe('com.py.topic', (args) => resolve(args)),
        );

        const proc = spawn(PYTHON, [path.join(peerDir, script), url(), 'realm1', serializer], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        py = proc;
        let out = '';
        let err = '';
        proc.stderr.on('data', (d) => (err += d));
        const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
        const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
          proc.stdout.on('data', (d) => {
            out += d;
            const m = /READY (.*)\n/.exec(out);
            if (m) resolve(JSON.parse(m[1]) as Record<string, unknown>);
          });
          void exited.then((code) =>
            reject(new Error(`python exited ${code} before READY:\n${out}\n${err}`)),
          );
        });
        assert.equal(ready.product, 42, 'Python called the JS procedure through the router');
        assert.equal(ready.published, true, 'Python got PUBLISHED');
        assert.deepEqual(await pyEvent, ['hello from python']);

        assert.equal(await js.session.call('com.py.add', [2, 3]), 5);
        await assert.rejects(
          js.session.call('com.py.fail'),
          (e: { error: string; args: unknown[]; kwargs: Record<string, unknown> }) => {
            assert.equal(e.error, 'com.py.error');
            assert.deepEqual(e.args, ['boom']);
            assert.deepEqual(e.kwargs, { code: 7 });
            return true;
          },
        );
        await js.session.publish('com.js.topic', ['from js'], { n: 1 }, { acknowledge: true });
        const events = (await js.session.call('com.py.finish')) as unknown[];
        assert.deepEqual(events, [{ args: ['from js'], kwargs: { n: 1 } }]);
        assert.equal(await exited, 0, `python exit status; stderr:\n${err}`);
        assert.match(out, /DONE/);
      } finally {
        // A peer left behind by a failed case would hold its registrations into the next one.
        if (py && py.exitCode === null && py.signalCode === null) py.kill();
        await js.close();
      }
    });
  }
});
