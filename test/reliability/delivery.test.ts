// Delivery semantics as the spec gives them, over real connections where it matters:
// events are at-most-once (nothing is stored for an absent subscriber), an acknowledged
// publish is answered only after the event was routed, and any value one serializer accepts
// reaches subscribers of every serializer.
import assert from 'node:assert/strict';
import { Connection, type EventInfo } from '../../src/client';
import { Router } from '../../src/router';
import { listen, type Listener, type Transport } from '../../src/transports';
import { MessageType as M } from '../../src/wamp/messages';
import { FakeTransport } from '../router/fake-transport';
import { Peer } from '../router/peer';
import { RawClient } from './raw-client';
import { hello } from './fuzz-corpus';
import { until, within } from './support';

function connected(c: Connection): Promise<void> {
  if (c.status.state === 'connected') return Promise.resolve();
  return new Promise((resolve) => {
    const on = (s: { state: string }): void => {
      if (s.state !== 'connected') return;
      c.off('status', on);
      resolve();
    };
    c.on('status', on);
  });
}

describe('reliability: delivery semantics', () => {
  let router: Router;
  let listener: Listener;

  beforeEach(async () => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    listener = await listen({ port: 0 }, (t) => router.accept(t));
  });
  afterEach(async () => {
    await listener.close();
    await router.close();
  });

  describe('events are delivered at most once: nothing is kept for a subscriber that is away', () => {
    it('an event published while the subscriber is disconnected never arrives after it reconnects', async () => {
      let link: Transport | null = null;
      const sub = new Connection({
        realm: 'realm1',
        transportFactory: () => (link = router.connectLocal()),
        reconnect: { initialDelayMs: 200, maxDelayMs: 200, jitter: 0 },
      });
      const got: unknown[] = [];
      sub.open();
      await connected(sub);
      const handle = await sub.subscribe('feed', (e: EventInfo) => got.push(e.args[0]));
      const firstId = handle.id;
      const pub = await Peer.join(router);

      const lost = new Promise<void>((resolve) => sub.once('status', () => resolve()));
      link!.close();
      await lost;
      assert.notEqual(sub.status.state, 'connected');
      const req = pub.request();
      pub.send([M.PUBLISH, req, { acknowledge: true }, 'feed', ['while away']]);
      await pub.answer(req, M.PUBLISHED);

      await within(connected(sub), 3000, 'reconnect');
      await until(
        () =>
          (handle.id !== undefined && handle.id !== firstId) ||
          router.realm('realm1')!.broker.lookup('feed') !== undefined,
        3000,
        'subscription restored',
      );
      const req2 = pub.request();
      pub.send([M.PUBLISH, req2, { acknowledge: true }, 'feed', ['after']]);
      await pub.answer(req2, M.PUBLISHED);
      await until(() => got.length > 0, 3000, 'event after reconnect');
      assert.deepEqual(got, ['after']);
      await sub.close();
    });
  });

  describe('an acknowledged publish is answered with PUBLISHED only after the event was routed', () => {
    it('every subscriber has been sent its EVENT when the publisher gets PUBLISHED', async () => {
      const subs = [new FakeTransport(), new FakeTransport(), new FakeTransport()];
      for (const t of subs) {
        router.accept(t);
        t.receive([M.HELLO, 'realm1', {}]);
        t.receive([M.SUBSCRIBE, 1, {}, 'feed']);
      }
      const pub = await Peer.join(router);
      const req = pub.request();
      pub.send([M.PUBLISH, req, { acknowledge: true }, 'feed', [1]]);
      await pub.answer(req, M.PUBLISHED);
      for (const t of subs)
        assert.ok(
          t.sent.some((m) => m[0] === M.EVENT),
          'EVENT sent before PUBLISHED',
        );
    });
  });

  describe('a call timeout longer than a timer can hold (CALL timeout 1e300 ms) does not end the call at once', () => {
    it('the callee answers and the caller gets RESULT, not wamp.error.timeout', async () => {
      const callee = await Peer.join(router);
      const caller = await Peer.join(router);
      await callee.register('slow.but.fine');
      const req = caller.request();
      caller.send([M.CALL, req, { timeout: 1e300 }, 'slow.but.fine', [1]]);
      const inv = await callee.next(M.INVOCATION);
      await new Promise((r) => setTimeout(r, 20)); // longer than a timer that fired "at once"
      callee.send([M.YIELD, inv[1], {}, ['done']]);
      assert.deepEqual(await caller.answer(req, M.RESULT), [M.RESULT, req, {}, ['done']]);
    });
  });

  describe('a payload one serializer accepts reaches subscribers of every serializer', () => {
    // The router's nesting limit is 64 levels, the message list being the first and Arguments the
    // second: 62 inside the argument is the deepest event that goes out; one more is refused.
    it('an event nested as deep as the limit allows from a JSON publisher reaches JSON, MessagePack and CBOR subscribers; one level more is refused from the publisher', async () => {
      const subscribers = await Promise.all(
        (['json', 'msgpack', 'cbor'] as const).map((s) => RawClient.open('websocket', s, listener.port)),
      );
      for (const c of subscribers) {
        c.sendValue(hello('realm1'));
        await c.waitFor((m) => m[0] === M.WELCOME, 3000);
        c.sendValue([M.SUBSCRIBE, 1, {}, 'deep']);
        await c.waitFor((m) => m[0] === M.SUBSCRIBED, 3000);
      }
      const publisher = await RawClient.open('rawsocket', 'json', listener.port);
      publisher.sendValue(hello('realm1'));
      await publisher.waitFor((m) => m[0] === M.WELCOME, 3000);
      publisher.sendRaw(`[16,6,{"acknowledge":true},"deep",[${'['.repeat(63)}${']'.repeat(63)}]]`, false);
      const refused = await publisher.waitFor((m) => m[0] === M.ERROR, 3000);
      assert.equal(refused?.[4], 'wamp.error.invalid_argument');
      publisher.sendRaw(`[16,7,{"acknowledge":true},"deep",[${'['.repeat(62)}${']'.repeat(62)}]]`, false);
      assert.ok(await publisher.waitFor((m) => m[0] === M.PUBLISHED, 3000));
      for (const c of subscribers) {
        const event = await c.waitFor((m) => m[0] === M.EVENT, 3000);
        assert.ok(event, `${c.serializer.id} subscriber got the event (and was not dropped)`);
        let depth = 0;
        for (let v = (event[4] as unknown[])[0]; Array.isArray(v); v = v[0]) depth++;
        assert.equal(depth, 62);
      }
      for (const c of [...subscribers, publisher]) c.close();
    });
  });
});
