// The client's advanced-profile features against clients we did not write, through our router.
// - Progressive call invocations: neither Autobahn|JS (22.11.1 here, 26.3.1 in test/nr5) nor
//   Autobahn|Python 22.7 implements them, and wampy.js 8 has a progressiveCall() but announces
//   the feature for neither caller nor callee. What a user meets: our caller streaming to such a
//   callee gets wamp.error.feature_not_supported from the router, and the callee is not bothered.
// - Payload passthru mode: wampy.js 8 implements it (ppt_* options, its own payload serializers);
//   Autobahn|JS has none and Autobahn|Python 22.7 only the older `enc_algo` payload transparency.
//   wampy (MessagePack) and our client (JSON) exchange passthru events and calls, bytes untouched.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client/connection';
import { Result } from '../../src/client/types';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports';
import { AUTOBAHN_JS, openAutobahn, type AbConnection } from './autobahn';

const { Wampy } = require('wampy8');
const { MsgpackSerializer } = require('wampy8/MsgpackSerializer.js');
const { CborSerializer } = require('wampy8/CborSerializer.js');
const { w3cwebsocket } = require('websocket');

interface Data {
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

/** wampy's own payload codec: the bytes a wampy peer encodes or expects inside a passthru payload. */
const cbor: { encode(v: unknown): Uint8Array; decode(b: Uint8Array): unknown } = new CborSerializer();

describe("interop: the client's advanced profile with third-party peers", function () {
  this.timeout(20000);
  let router: Router;
  let listener: Listener;
  const closers: (() => unknown)[] = [];

  before(async () => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    listener = await router.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  after(async () => router.close());

  async function ours(serializer: 'json' | 'msgpack' | 'cbor' = 'json'): Promise<Connection> {
    const c = new Connection({
      url: listener.url,
      realm: 'realm1',
      serializer,
      reconnect: { enabled: false },
    });
    closers.push(() => c.close());
    c.open();
    await c.connected();
    return c;
  }

  async function wampy(): Promise<{
    call(uri: string, payload?: unknown, options?: object): Promise<Data>;
    register(uri: string, rpc: (d: Data) => unknown): Promise<unknown>;
    subscribe(uri: string, onEvent: (d: Data) => void): Promise<unknown>;
    publish(uri: string, payload?: unknown, options?: object): Promise<unknown>;
    disconnect(): Promise<unknown>;
  }> {
    const w = new Wampy(listener.url, {
      realm: 'realm1',
      ws: w3cwebsocket,
      autoReconnect: false,
      serializer: new MsgpackSerializer(),
      payloadSerializers: { cbor: new CborSerializer() },
    });
    await w.connect();
    closers.push(() => w.disconnect());
    return w;
  }

  it(`${AUTOBAHN_JS} as callee: a streamed call is refused with feature_not_supported, the callee never runs`, async () => {
    const ab: AbConnection = await openAutobahn({ kind: 'websocket', url: listener.url, serializer: 'json' });
    closers.push(() => ab.close());
    let runs = 0;
    await ab.session.register('com.ab.upload', () => {
      runs++;
      return 'no';
    });
    const c = await ours();
    const stream = c.callProgressive('com.ab.upload', ['chunk 1']);
    await assert.rejects(stream.result, { uri: 'wamp.error.feature_not_supported' });
    assert.throws(() => stream.send(['chunk 2']));
    // An ordinary call still reaches it.
    assert.deepEqual((await c.call('com.ab.upload')).args, ['no']);
    assert.equal(runs, 1);
  });

  it('wampy.js 8 (MessagePack) publishes in passthru mode; our JSON subscriber gets the bytes and ppt_* untouched, and back', async () => {
    const w = await wampy();
    const c = await ours('json');
    let onEvent: (ev: { args: unknown[]; details: Record<string, unknown> }) => void = () => undefined;
    const got = new Promise<{ args: unknown[]; details: Record<string, unknown> }>((r) => (onEvent = r));
    await c.subscribe('com.ppt.from_wampy', (ev) => onEvent(ev));
    await w.publish(
      'com.ppt.from_wampy',
      { argsList: ['secret', 42], argsDict: { k: true } },
      { ppt_scheme: 'x_custom', ppt_serializer: 'cbor', ppt_keyid: 'key-1', acknowledge: true },
    );
    const ev = await got;
    assert.equal(ev.details.ppt_scheme, 'x_custom');
    assert.equal(ev.details.ppt_serializer, 'cbor');
    assert.equal(ev.details.ppt_keyid, 'key-1');
    assert.equal(ev.args.length, 1);
    assert.ok(ev.args[0] instanceof Uint8Array, 'one binary argument');
    assert.deepEqual(cbor.decode(ev.args[0] as Uint8Array), { args: ['secret', 42], kwargs: { k: true } });

    // Our client publishes the same kind of payload back; wampy decodes it with its cbor serializer.
    let onBack: (d: Data) => void = () => undefined;
    const back = new Promise<Data>((r) => (onBack = r));
    await w.subscribe('com.ppt.from_ours', (d) => onBack(d));
    const bytes = cbor.encode({ args: ['from us'], kwargs: { n: 1 } });
    await c.publish(
      'com.ppt.from_ours',
      [bytes],
      {},
      {
        acknowledge: true,
        ppt_scheme: 'x_custom',
        ppt_serializer: 'cbor',
      },
    );
    const d = await back;
    assert.deepEqual(d.argsList, ['from us']);
    assert.deepEqual(d.argsDict, { n: 1 });
    assert.equal(d.details?.ppt_scheme, 'x_custom');
  });

  it('our JSON caller calls a wampy.js 8 procedure in passthru mode; the result comes back in passthru mode', async () => {
    const w = await wampy();
    await w.register('com.ppt.echo', (d: Data) => ({
      argsList: [`echo ${String(d.argsList?.[0])}`],
      options: { ppt_scheme: 'x_custom', ppt_serializer: 'cbor' },
    }));
    const c = await ours('json');
    const r = await c.call(
      'com.ppt.echo',
      [cbor.encode({ args: ['hi'] })],
      {},
      {
        ppt_scheme: 'x_custom',
        ppt_serializer: 'cbor',
      },
    );
    assert.equal(r.details.ppt_scheme, 'x_custom');
    assert.ok(r.args[0] instanceof Uint8Array);
    assert.deepEqual((cbor.decode(r.args[0] as Uint8Array) as { args: unknown[] }).args, ['echo hi']);
  });

  it('a callee of ours answers a wampy.js 8 passthru call in passthru mode', async () => {
    const c = await ours('cbor');
    await c.register('com.ppt.ours', (inv) => {
      assert.equal(inv.details.ppt_serializer, 'cbor');
      const { args } = cbor.decode(inv.args[0] as Uint8Array) as { args: unknown[] };
      return new Result(
        [cbor.encode({ args: [(args[0] as number) + 1] })],
        {},
        {
          ppt_scheme: 'x_custom',
          ppt_serializer: 'cbor',
        },
      );
    });
    const w = await wampy();
    const d = await w.call(
      'com.ppt.ours',
      { argsList: [41] },
      { ppt_scheme: 'x_custom', ppt_serializer: 'cbor' },
    );
    assert.deepEqual(d.argsList, [42]);
  });
});
