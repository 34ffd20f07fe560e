// Autobahn|JS, a WAMP client we did not write, against our router on every transport and
// serializer it speaks: the proof that the router speaks WAMP, not just our own dialect. Its
// RawSocket transport (Node only) speaks JSON only, in 22.11.1 and 26.3.1 alike. `npm test` runs
// this with 22.11.1 on the machine's Node and, through test:nr5, with 26.3.1 on Node 22.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { listen, type Listener } from '../../src/transports';
import { AbError, AUTOBAHN_JS, openAutobahn, type AbConnection, type AbTransport } from './autobahn';

describe(`interop: ${AUTOBAHN_JS} clients through our router`, () => {
  let router: Router;
  let listener: Listener;
  const open: AbConnection[] = [];

  before(async () => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    listener = await listen({ host: '127.0.0.1', port: 0 }, (t) => router.accept(t));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await router.close();
    await listener.close();
  });

  const transports: [string, () => AbTransport][] = [
    ['WebSocket/JSON', () => ({ kind: 'websocket', url: listener.url, serializer: 'json' })],
    ['WebSocket/MessagePack', () => ({ kind: 'websocket', url: listener.url, serializer: 'msgpack' })],
    ['WebSocket/CBOR', () => ({ kind: 'websocket', url: listener.url, serializer: 'cbor' })],
    ['RawSocket/JSON', () => ({ kind: 'rawsocket', host: '127.0.0.1', port: listener.port })],
  ];

  for (const [name, transport] of transports) {
    describe(name, () => {
      async function pair(): Promise<[AbConnection, AbConnection]> {
        const a = await openAutobahn(transport());
        const b = await openAutobahn(transport());
        open.push(a, b);
        return [a, b];
      }

      it('routes a call to a registered procedure and returns its result', async () => {
        const [a, b] = await pair();
        await a.session.register('com.ab.add', (args) => (args[0] as number) + (args[1] as number));
        assert.equal(await b.session.call('com.ab.add', [2, 3]), 5);
      });

      it('forwards an application error with its URI, args and kwargs', async () => {
        const [a, b] = await pair();
        await a.session.register('com.ab.fail', () => {
          throw new AbError('com.ab.error', ['boom'], { code: 7 });
        });
        await assert.rejects(
          b.session.call('com.ab.fail'),
          (e: { error: string; args: unknown[]; kwargs: object }) => {
            assert.equal(e.error, 'com.ab.error');
            assert.deepEqual(e.args, ['boom']);
            assert.deepEqual(e.kwargs, { code: 7 });
            return true;
          },
        );
      });

      it('answers a call to an unknown procedure with wamp.error.no_such_procedure', async () => {
        const [, b] = await pair();
        await assert.rejects(
          b.session.call('com.ab.nobody'),
          (e: { error: string }) => e.error === 'wamp.error.no_such_procedure',
        );
      });

      it('delivers acknowledged events with args and kwargs, excluding the publisher', async () => {
        const [a, b] = await pair();
        const got = new Promise<[unknown[], Record<string, unknown>]>((resolve) =>
          a.session.subscribe('com.ab.topic', (args, kwargs) => resolve([args, kwargs])),
        );
        let selfEvents = 0;
        await b.session.subscribe('com.ab.topic', () => selfEvents++);
        await new Promise((r) => setTimeout(r, 20));
        const pub = await b.session.publish('com.ab.topic', ['hi', 1], { k: 'v' }, { acknowledge: true });
        assert.ok(pub && pub.id > 0);
        assert.deepEqual(await got, [['hi', 1], { k: 'v' }]);
        assert.equal(selfEvents, 0);
      });

      it('delivers progressive results', async () => {
        const [a, b] = await pair();
        await a.session.register('com.ab.count', (_args, _kw, details) => {
          const progress = details.progress as ((args: unknown[]) => void) | undefined;
          if (progress) for (let i = 1; i <= 3; i++) progress([i]);
          return 'done';
        });
        const seen: unknown[] = [];
        // Autobahn|JS delivers progress through its (when.js) promise's third `then` callback.
        const call = b.session.call('com.ab.count', [], {}, { receive_progress: true }) as unknown as {
          then(ok: (r: unknown) => void, err: (e: unknown) => void, progress: (p: unknown) => void): void;
        };
        const result = await new Promise((resolve, reject) =>
          call.then(resolve, reject, (p) => seen.push(p)),
        );
        assert.equal(result, 'done');
        assert.deepEqual(seen, [1, 2, 3]);
      });

      it('matches prefix subscriptions and reports the concrete topic', async () => {
        const [a, b] = await pair();
        const got = new Promise<Record<string, unknown>>((resolve) =>
          a.session.subscribe('com.ab.sensors', (_a, _k, details) => resolve(details), { match: 'prefix' }),
        );
        await new Promise((r) => setTimeout(r, 20));
        await b.session.publish('com.ab.sensors.kitchen.temp', [21.5], {}, { acknowledge: true });
        assert.equal((await got).topic, 'com.ab.sensors.kitchen.temp');
      });

      if (name !== 'WebSocket/JSON' && name !== 'RawSocket/JSON') {
        it('carries binary payloads natively', async () => {
          const [a, b] = await pair();
          await a.session.register('com.ab.bytes', (args) => {
            const bytes = Buffer.from(args[0] as Uint8Array);
            return Buffer.from(bytes.reverse());
          });
          const out = (await b.session.call('com.ab.bytes', [Buffer.from([1, 2, 3, 250])])) as Uint8Array;
          assert.deepEqual([...Buffer.from(out)], [250, 3, 2, 1]);
        });
      }
    });
  }
});
