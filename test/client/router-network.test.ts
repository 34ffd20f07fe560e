// The client against the embedded router over the network (ws://, rs://) with every serializer,
// and values a serializer cannot encode.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Result, type EventInfo } from '../../src/client/types';
import type { WampError } from '../../src/wamp/errors';
import { embeddedRouterPerTest, listening, open, router } from './embedded-router';

describe('client against the embedded router over the network', () => {
  embeddedRouterPerTest();

  for (const [scheme, serializer] of [
    ['ws', 'json'],
    ['ws', 'msgpack'],
    ['ws', 'cbor'],
    ['rs', 'json'],
    ['rs', 'msgpack'],
    ['rs', 'cbor'],
  ] as const) {
    it(`${scheme}:// with ${serializer}: call, register, publish, subscribe`, async () => {
      const r = router();
      const l = await listening(r);
      const url = scheme === 'ws' ? l.url : `rs://127.0.0.1:${l.port}`;
      const a = await open({ url, serializer, transportFactory: undefined }, r);
      const b = await open({ url, serializer, transportFactory: undefined }, r);
      assert.equal(a.status.state, 'connected', JSON.stringify(a.status));
      await a.register('com.echo', (inv) => new Result(inv.args, inv.kwargs));
      let deliver: (e: EventInfo) => void = () => undefined;
      const got = new Promise<EventInfo>((resolve) => (deliver = resolve));
      await a.subscribe('com.t', (e) => deliver(e));
      const bin = Buffer.from([0, 1, 2, 255]);
      const res = await b.call('com.echo', ['x', 1.5, bin], { k: [true, null] });
      assert.equal(res.args[0], 'x');
      assert.equal(res.args[1], 1.5);
      assert.deepEqual(Buffer.from(res.args[2] as Uint8Array), bin);
      assert.deepEqual(res.kwargs, { k: [true, null] });
      await b.publish('com.t', ['ev'], {}, { acknowledge: true });
      assert.deepEqual((await got).args, ['ev']);
    });
  }
});

describe('client: values a serializer cannot encode', () => {
  embeddedRouterPerTest();

  it('a call with a cyclic argument rejects with wamp.error.invalid_argument; a handler result that cannot be encoded reaches the caller as ERROR', async () => {
    const r = router();
    const l = await listening(r);
    const a = await open({ url: l.url, transportFactory: undefined }, r);
    const b = await open({ url: l.url, transportFactory: undefined }, r);
    await a.register('com.bigint', () => BigInt(1));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(
      b.call('com.bigint', [cyclic]),
      (e: WampError) => e.uri === 'wamp.error.invalid_argument',
    );
    await assert.rejects(
      b.publish('com.t', [cyclic]),
      (e: WampError) => e.uri === 'wamp.error.invalid_argument',
    );
    await assert.rejects(b.call('com.bigint'), (e: WampError) => e.uri === 'wamp.error.invalid_argument');
    assert.equal(b.status.state, 'connected');
  });
});
