// wampy.js 8 (the current major; installed as the alias `wampy8`, next to wampy 6.4.2 in
// wampy.test.ts) through our router, with an Autobahn|JS peer, over JSON, MessagePack (msgpackr)
// and CBOR (cbor-x). wampy 8 sends SUBSCRIBE options with `match: undefined`, which MessagePack
// and CBOR carry: they must read as "not given". Its auth plugins sign for themselves.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports';
import { AbError, openAutobahn, type AbConnection } from './autobahn';
// wampy 8 is an ES module package with CommonJS builds behind its exports' `require` entries.
const { Wampy } = require('wampy8');
const { JsonSerializer } = require('wampy8/JsonSerializer.js');
const { MsgpackSerializer } = require('wampy8/MsgpackSerializer.js');
const { CborSerializer } = require('wampy8/CborSerializer.js');
// Its WAMP-CRA plugin has a top-level await, which `require` cannot load: imported in `before`
// (through Function, since TypeScript's CommonJS output would turn `import()` into `require`).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
let wampyCra: { sign(secret: string): (method: string, extra: object) => Promise<string> };
const wampyCryptosign = require('wampy8/cryptosign.js');
const { w3cwebsocket } = require('websocket');
const nacl = require('tweetnacl');

interface Data {
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
  details?: Record<string, unknown>;
}
interface Wampy8 {
  connect(): Promise<Record<string, unknown>>;
  disconnect(): Promise<unknown>;
  call(uri: string, payload?: unknown, options?: object): Promise<Data>;
  register(uri: string, rpc: (d: Data) => unknown, options?: object): Promise<unknown>;
  subscribe(uri: string, onEvent: (d: Data) => void, options?: object): Promise<{ subscriptionId: number }>;
  unsubscribe(idOrKey: number | string): Promise<unknown>;
  publish(uri: string, payload?: unknown, options?: object): Promise<unknown>;
  getSessionId(): number;
}

const SERIALIZERS = {
  json: () => new JsonSerializer(),
  msgpack: () => new MsgpackSerializer(),
  cbor: () => new CborSerializer(),
};
type Ser = keyof typeof SERIALIZERS;

function wampy(url: string, serializer: Ser, extra: object = {}, realm = 'realm1'): Wampy8 {
  return new Wampy(url, {
    realm,
    ws: w3cwebsocket,
    autoReconnect: false,
    serializer: SERIALIZERS[serializer](),
    ...extra,
  });
}

const seed = Buffer.alloc(32, 11);
const keyPair = nacl.sign.keyPair.fromSeed(seed);
const pubkey = Buffer.from(keyPair.publicKey).toString('hex');

describe('interop: wampy.js 8 through our router', () => {
  let router: Router;
  let listener: Listener;
  const closers: (() => unknown)[] = [];

  before(async () => {
    wampyCra = (await importEsm('wampy8/wampcra.js')) as typeof wampyCra;
    router = new Router({
      realms: [
        { name: 'realm1' },
        {
          name: 'secure',
          users: [
            { authid: 'sensor', role: 'device', ticket: 'ticket-8' },
            { authid: 'alice', role: 'admin', secret: 'alice-secret' },
            {
              authid: 'bob',
              role: 'admin',
              secret: 'bob-secret',
              salt: 'salt8',
              iterations: 100,
              keylen: 32,
            },
            { authid: 'edge', role: 'device', pubkey },
          ],
        },
      ],
    });
    listener = await router.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  after(async () => router.close());

  for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
    describe(`WebSocket/${serializer}`, () => {
      let w: Wampy8;
      let ab: AbConnection;
      beforeEach(async () => {
        w = wampy(listener.url, serializer);
        await w.connect();
        ab = await openAutobahn({ kind: 'websocket', url: listener.url, serializer: 'json' });
        closers.push(
          () => w.disconnect(),
          () => ab.close(),
        );
      });

      it('calls an Autobahn procedure, and Autobahn calls a wampy procedure', async () => {
        await ab.session.register('com.ab.double', (args) => (args[0] as number) * 2);
        assert.deepEqual((await w.call('com.ab.double', [21])).argsList, [42]);
        await w.register('com.wampy8.square', (d) => ({ argsList: [(d.argsList?.[0] as number) ** 2] }));
        assert.equal(await ab.session.call('com.wampy8.square', [9]), 81);
      });

      it('an error raised by the callee reaches wampy with its URI and arguments; an unknown procedure is no_such_procedure', async () => {
        await ab.session.register('com.ab.fail', () => {
          throw new AbError('com.ab.error', ['nope'], { code: 3 });
        });
        await assert.rejects(
          w.call('com.ab.fail', []),
          (e: { errorUri: string; argsList: unknown[]; argsDict: object }) => {
            assert.equal(e.errorUri, 'com.ab.error');
            assert.deepEqual(e.argsList, ['nope']);
            assert.deepEqual(e.argsDict, { code: 3 });
            return true;
          },
        );
        await assert.rejects(
          w.call('com.nobody.home', []),
          (e: { errorUri: string }) => e.errorUri === 'wamp.error.no_such_procedure',
        );
      });

      it('subscribes (options with match undefined), receives events, publishes, unsubscribes', async () => {
        let got!: (d: Data) => void;
        const toWampy = new Promise<Data>((resolve) => (got = resolve));
        const sub = await w.subscribe('com.ab.news', (d) => got(d));
        assert.ok(sub.subscriptionId > 0);
        const toAb = new Promise<unknown[]>(
          (resolve) => void ab.session.subscribe('com.wampy8.news', (args) => resolve(args)),
        );
        await new Promise((r) => setTimeout(r, 50));
        await ab.session.publish('com.ab.news', ['from autobahn'], { k: 1 }, { acknowledge: true });
        const event = await toWampy;
        assert.deepEqual([event.argsList, event.argsDict], [['from autobahn'], { k: 1 }]);
        await w.publish('com.wampy8.news', ['from wampy'], { acknowledge: true });
        assert.deepEqual(await toAb, ['from wampy']);
        await w.unsubscribe(sub.subscriptionId);
      });

      it('prefix subscriptions report the concrete topic; binary payloads (not JSON) travel as bytes', async () => {
        let got!: (d: Data) => void;
        const event = new Promise<Data>((resolve) => (got = resolve));
        await w.subscribe('com.sensors', (d) => got(d), { match: 'prefix' });
        const payload = serializer === 'json' ? ['text'] : [Buffer.from([1, 2, 250])];
        await ab.session.publish('com.sensors.kitchen', payload, {}, { acknowledge: true });
        const e = await event;
        assert.equal(e.details?.topic, 'com.sensors.kitchen');
        if (serializer !== 'json')
          assert.deepEqual([...Buffer.from(e.argsList?.[0] as Uint8Array)], [1, 2, 250]);
      });
    });
  }

  describe('authentication with wampy 8 signing for itself (CBOR)', () => {
    async function join(extra: object): Promise<Record<string, unknown>> {
      const c = wampy(listener.url, 'cbor', extra, 'secure');
      const details = await c.connect();
      closers.push(() => c.disconnect());
      return details;
    }
    it('ticket', async () => {
      const d = await join({ authid: 'sensor', authmethods: ['ticket'], onChallenge: () => 'ticket-8' });
      assert.deepEqual([d.authid, d.authrole, d.authmethod], ['sensor', 'device', 'ticket']);
    });
    it('WAMP-CRA, plain and salted', async () => {
      const alice = await join({
        authid: 'alice',
        authmethods: ['wampcra'],
        onChallenge: wampyCra.sign('alice-secret'),
      });
      assert.equal(alice.authmethod, 'wampcra');
      const bob = await join({
        authid: 'bob',
        authmethods: ['wampcra'],
        onChallenge: wampyCra.sign('bob-secret'),
      });
      assert.equal(bob.authid, 'bob');
    });
    it('cryptosign', async () => {
      const d = await join({
        authid: 'edge',
        authmethods: ['cryptosign'],
        authextra: { pubkey },
        onChallenge: wampyCryptosign.sign(seed.toString('hex')),
      });
      assert.deepEqual([d.authid, d.authmethod], ['edge', 'cryptosign']);
    });
    it('a wrong ticket is refused with wamp.error.authentication_failed', async () => {
      await assert.rejects(
        join({ authid: 'sensor', authmethods: ['ticket'], onChallenge: () => 'wrong' }),
        (e: { errorUri: string }) => e.errorUri === 'wamp.error.authentication_failed',
      );
    });
  });
});
