// wampy.js (6.4.2, a second WAMP client we did not write) through our router, talking to an
// Autobahn|JS session: RPC both ways, errors, and pub/sub, with JSON and MessagePack.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports';
import { openAutobahn, type AbConnection } from './autobahn';
const { Wampy } = require('wampy');
const { MsgpackSerializer } = require('wampy/dist/serializers/MsgpackSerializer');
const { w3cwebsocket } = require('websocket');

interface WampyData {
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
  details?: Record<string, unknown>;
  error?: string;
}
interface WampyClient {
  call(
    uri: string,
    payload: unknown,
    callbacks: { onSuccess(r: WampyData): void; onError(e: WampyData): void },
  ): void;
  register(
    uri: string,
    callbacks: { rpc(d: WampyData): unknown; onSuccess(): void; onError(e: WampyData): void },
  ): void;
  subscribe(
    uri: string,
    callbacks: { onEvent(d: WampyData): void; onSuccess(): void; onError(e: WampyData): void },
  ): void;
  publish(
    uri: string,
    payload: unknown,
    callbacks: { onSuccess(): void; onError(e: WampyData): void },
    options: object,
  ): void;
  disconnect(): void;
}

function openWampy(url: string, serializer: 'json' | 'msgpack'): Promise<WampyClient> {
  return new Promise((resolve, reject) => {
    const client: WampyClient = new Wampy(url, {
      realm: 'realm1',
      ws: w3cwebsocket,
      autoReconnect: false,
      ...(serializer === 'msgpack' ? { serializer: new MsgpackSerializer() } : {}),
      onConnect: () => resolve(client),
      onError: (e: unknown) => reject(new Error(`wampy: ${JSON.stringify(e)}`)),
    });
  });
}

const call = (w: WampyClient, uri: string, payload: unknown) =>
  new Promise<WampyData>((resolve, reject) =>
    w.call(uri, payload, {
      onSuccess: resolve,
      onError: (e) => reject(Object.assign(new Error(e.error), e)),
    }),
  );

describe('interop: wampy.js through our router', () => {
  let router: Router;
  let listener: Listener;
  const closers: (() => unknown)[] = [];

  before(async () => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    listener = await router.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  after(async () => router.close());

  for (const serializer of ['json', 'msgpack'] as const) {
    describe(`WebSocket/${serializer}`, () => {
      let w: WampyClient;
      let ab: AbConnection;
      beforeEach(async () => {
        w = await openWampy(listener.url, serializer);
        ab = await openAutobahn({ kind: 'websocket', url: listener.url, serializer: 'json' });
        closers.push(
          () => w.disconnect(),
          () => ab.close(),
        );
      });

      it('wampy calls an Autobahn procedure, and Autobahn calls a wampy procedure', async () => {
        await ab.session.register('com.ab.double', (args) => (args[0] as number) * 2);
        assert.deepEqual((await call(w, 'com.ab.double', [21])).argsList, [42]);
        await new Promise<void>((resolve, reject) =>
          w.register('com.wampy.square', {
            rpc: (d) => ({ argsList: [(d.argsList?.[0] as number) ** 2] }),
            onSuccess: resolve,
            onError: (e) => reject(new Error(e.error)),
          }),
        );
        assert.equal(await ab.session.call('com.wampy.square', [9]), 81);
      });

      it('an error raised by the callee reaches wampy with its URI and arguments', async () => {
        await ab.session.register('com.ab.fail', () => {
          throw new (require('autobahn').Error)('com.ab.error', ['nope'], { code: 3 });
        });
        await assert.rejects(call(w, 'com.ab.fail', []), (e: WampyData) => {
          assert.equal(e.error, 'com.ab.error');
          assert.deepEqual(e.argsList, ['nope']);
          assert.deepEqual(e.argsDict, { code: 3 });
          return true;
        });
        await assert.rejects(
          call(w, 'com.nobody.home', []),
          (e: WampyData) => e.error === 'wamp.error.no_such_procedure',
        );
      });

      it('events flow both ways', async () => {
        const toWampy = new Promise<WampyData>((resolve, reject) =>
          w.subscribe('com.ab.news', {
            onEvent: resolve,
            onSuccess: () => undefined,
            onError: (e) => reject(new Error(e.error)),
          }),
        );
        const toAb = new Promise<unknown[]>(
          (resolve) => void ab.session.subscribe('com.wampy.news', (args) => resolve(args)),
        );
        await new Promise((r) => setTimeout(r, 50));
        await ab.session.publish('com.ab.news', ['from autobahn'], { k: 1 }, { acknowledge: true });
        const got = await toWampy;
        assert.deepEqual([got.argsList, got.argsDict], [['from autobahn'], { k: 1 }]);
        await new Promise<void>((resolve, reject) =>
          w.publish(
            'com.wampy.news',
            ['from wampy'],
            { onSuccess: resolve, onError: (e) => reject(new Error(e.error)) },
            { acknowledge: true },
          ),
        );
        assert.deepEqual(await toAb, ['from wampy']);
      });
    });
  }
});
