// HTTP long-poll, the router's side, request by request: open and protocol choice, the URL
// layout, held receives, unbatched and batched bodies (JSON records ended by 0x1E, MessagePack
// records behind a 32-bit length), the request and session timeouts, the outgoing queue's
// bound, 413, 404 and 405.
import assert from 'node:assert/strict';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { listen, type Listener, type ListenOptions } from '../../src/transports/listener';
import type { Transport } from '../../src/transports/transport';
import { record, transportSink } from './helpers';
import { open, post, receive, receiveJson, sendJson } from './longpoll-http';

describe('HTTP long-poll: the router side', () => {
  let listener: Listener | undefined;
  let sink: ReturnType<typeof transportSink>;

  async function start(options: Partial<ListenOptions> = {}): Promise<string> {
    sink = transportSink();
    listener = await listen({ port: 0, ...options }, sink.onTransport);
    return listener.longPollUrl;
  }

  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  describe('open', () => {
    it('answers the protocol and a random transport id of at least 96 bits, at the WebSocket URL twin', async () => {
      const base = await start();
      assert.equal(base, `http://127.0.0.1:${listener?.port}/ws`);
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const t = await open(base);
        assert.equal(t.protocol, 'wamp.2.json');
        assert.match(t.id, /^[A-Za-z0-9_-]+$/);
        assert.ok(Buffer.from(t.id, 'base64url').length >= 12, `${t.id} carries >= 96 bits`);
        ids.add(t.id);
      }
      assert.equal(ids.size, 20);
      const transport = await sink.next();
      assert.equal(transport.info.type, 'longpoll');
      assert.equal(transport.info.serializer, 'json');
    });

    it("chooses the first of the client's protocols that it speaks", async () => {
      const base = await start({ serializers: ['json', 'msgpack'] });
      assert.equal(
        (await open(base, ['wamp.2.cbor', 'wamp.2.msgpack.batched', 'wamp.2.json'])).protocol,
        'wamp.2.msgpack.batched',
      );
      assert.equal(
        (await open(base, ['wamp.2.json.batched', 'wamp.2.msgpack'])).protocol,
        'wamp.2.json.batched',
      );
    });

    it('refuses an open without a protocol in common, or with a body that is not {"protocols": [...]}', async () => {
      const base = await start({ serializers: ['json'] });
      const none = await post(`${base}/open`, JSON.stringify({ protocols: ['wamp.2.msgpack', 'mqtt'] }));
      assert.equal(none.status, 400);
      assert.match(none.text, /wamp\.2\.json/);
      for (const body of ['', 'not json', '[]', '{"protocols": "wamp.2.json"}', '{"protocols": [1]}']) {
        assert.equal((await post(`${base}/open`, body)).status, 400, `body ${JSON.stringify(body)}`);
      }
      assert.equal(sink.all.length, 0);
    });

    it('answers 405 to other methods and 404 to paths that are not an endpoint', async () => {
      const base = await start();
      const get = await post(`${base}/open`, undefined, {}, 'GET');
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST, OPTIONS');
      const t = await open(base);
      assert.equal((await post(`${t.url}/delete`)).status, 404);
      assert.equal((await post(`${t.url}/send/more`)).status, 404);
      assert.equal((await post(`http://127.0.0.1:${listener?.port}/other/open`, '{}')).status, 404);
    });
  });

  describe('send and receive', () => {
    it('unbatched JSON: one message per send, one message per receive, in order', async () => {
      const base = await start();
      const t = await open(base);
      const transport = await sink.next();
      const rec = record(transport);
      const sent = await sendJson(t.url, [1, 'realm1', {}]);
      assert.equal(sent.status, 204, 'Autobahn|JS accepts 200 and 204 only');
      assert.deepEqual(await rec.next(), [1, 'realm1', {}]);
      transport.send([2, 1, {}]);
      transport.send([3, { message: 'x' }, 'wamp.close.normal']);
      const first = await receive(t.url);
      assert.equal(first.status, 200);
      assert.match(String(first.headers['content-type']), /application\/json/);
      assert.deepEqual(JSON.parse(first.text), [2, 1, {}]);
      assert.deepEqual(await receiveJson(t.url), [3, { message: 'x' }, 'wamp.close.normal']);
    });

    it('holds a receive until a message is pending', async () => {
      const base = await start();
      const t = await open(base);
      const transport = await sink.next();
      const pending = post(`${t.url}/receive`);
      // The receive must be held: answer it by sending only once the request has arrived.
      await new Promise((resolve) => setTimeout(resolve, 100));
      transport.send([36, 5, 7, {}, ['late']]);
      const reply = await pending;
      assert.equal(reply.status, 200);
      assert.deepEqual(JSON.parse(reply.text), [36, 5, 7, {}, ['late']]);
    });

    it('holds one receive at a time: a newer receive answers the older one empty', async () => {
      const base = await start();
      const t = await open(base);
      const transport = await sink.next();
      const first = post(`${t.url}/receive`).then((reply) => ({ which: 1, reply }));
      const second = post(`${t.url}/receive`).then((reply) => ({ which: 2, reply }));
      // Whichever reached the router first is answered empty as soon as the other arrives ...
      const answeredEmpty = await Promise.race([first, second]);
      assert.equal(answeredEmpty.reply.status, 204);
      // ... and the one still held carries the next message.
      transport.send([36, 1, 2, {}, ['to the newer']]);
      const held = await (answeredEmpty.which === 1 ? second : first);
      assert.deepEqual(JSON.parse(held.reply.text), [36, 1, 2, {}, ['to the newer']]);
    });

    it('answers a held receive with 204 once the request timeout passes with nothing pending', async () => {
      const base = await start({ longPoll: { requestTimeoutMs: 200 } });
      const t = await open(base);
      const reply = await post(`${t.url}/receive`);
      assert.equal(reply.status, 204);
      assert.equal(reply.body.length, 0);
    });

    it('batched JSON: every pending message in one answer, each followed by 0x1E; a send may carry several', async () => {
      const base = await start();
      const t = await open(base, ['wamp.2.json.batched']);
      assert.equal(t.protocol, 'wamp.2.json.batched');
      const transport = await sink.next();
      const rec = record(transport);
      const batch = `${JSON.stringify([1, 'realm1', {}])}\x1e${JSON.stringify([6, {}, 'wamp.close.normal'])}\x1e`;
      assert.equal((await post(`${t.url}/send`, batch)).status, 204);
      assert.deepEqual(await rec.next(), [1, 'realm1', {}]);
      assert.deepEqual(await rec.next(), [6, {}, 'wamp.close.normal']);
      transport.send([2, 1, {}]);
      transport.send([8, 48, 1, {}, 'wamp.error.no_such_procedure']);
      transport.send([50, 2, {}, ['ok']]);
      const reply = await receive(t.url);
      assert.equal(reply.text.at(-1), '\x1e');
      const messages = reply.text
        .split('\x1e')
        .slice(0, -1)
        .map((m) => JSON.parse(m));
      assert.deepEqual(messages, [
        [2, 1, {}],
        [8, 48, 1, {}, 'wamp.error.no_such_procedure'],
        [50, 2, {}, ['ok']],
      ]);
    });

    it('batched MessagePack: records behind a 32-bit big-endian length, both ways', async () => {
      const base = await start();
      const t = await open(base, ['wamp.2.msgpack.batched']);
      const transport = await sink.next();
      assert.equal(transport.info.serializer, 'msgpack');
      const rec = record(transport);
      const frame = (m: unknown): Buffer => {
        const body = Buffer.from(msgpackEncode(m));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(body.length);
        return Buffer.concat([len, body]);
      };
      const bytes = Buffer.from([0, 1, 255]);
      assert.equal(
        (await post(`${t.url}/send`, Buffer.concat([frame([1, 'r', {}]), frame([16, 1, {}, 't', [bytes]])])))
          .status,
        204,
      );
      assert.deepEqual(await rec.next(), [1, 'r', {}]);
      const publish = (await rec.next()) as unknown[];
      assert.deepEqual(Buffer.from((publish[4] as Uint8Array[])[0]), bytes);
      transport.send([2, 1, {}]);
      transport.send([36, 1, 2, {}, ['x']]);
      const body = (await receive(t.url)).body;
      const out: unknown[] = [];
      for (let at = 0; at < body.length; ) {
        const len = body.readUInt32BE(at);
        out.push(msgpackDecode(body.subarray(at + 4, at + 4 + len)));
        at += 4 + len;
      }
      assert.deepEqual(out, [
        [2, 1, {}],
        [36, 1, 2, {}, ['x']],
      ]);
    });

    it('a body that does not decode is answered 400 and reported to the session as a decode error', async () => {
      const base = await start();
      const t = await open(base, ['wamp.2.msgpack.batched']);
      const rec = record(await sink.next());
      const reply = await post(`${t.url}/send`, Buffer.from([0, 0, 0, 9, 1]));
      assert.equal(reply.status, 400);
      assert.match(await rec.nextDecodeError(), /past the body's end/);
      const j = await open(base);
      const recJ = record(await sink.next());
      assert.equal((await post(`${j.url}/send`, '[1, "realm1", {')).status, 400);
      assert.ok(await recJ.nextDecodeError());
    });
  });

  describe('limits', () => {
    it('answers 413 to a send body over the maximum message size, 413 to an oversized open', async () => {
      const base = await start({ maxPayload: 1000 });
      const t = await open(base);
      const rec = record(await sink.next());
      const big = JSON.stringify([16, 1, {}, 'topic', ['x'.repeat(2000)]]);
      const reply = await post(`${t.url}/send`, big);
      assert.equal(reply.status, 413);
      assert.match(reply.text, /1000 bytes/);
      const hugeOpen = await post(
        `${base}/open`,
        JSON.stringify({ protocols: ['wamp.2.json'], pad: 'x'.repeat(5000) }),
      );
      assert.equal(hugeOpen.status, 413);
      // The transport itself is still usable.
      assert.equal((await sendJson(t.url, [1, 'realm1', {}])).status, 204);
      assert.deepEqual(await rec.next(), [1, 'realm1', {}]);
    });

    it('answers 404 for an unknown transport id, and for a closed one with the reason', async () => {
      const base = await start();
      for (const action of ['send', 'receive', 'close'])
        assert.equal((await post(`${base}/AAAAAAAAAAAAAAAAAAAAAA/${action}`)).status, 404);
      const t = await open(base);
      assert.equal((await post(`${t.url}/close`)).status, 204);
      const rec = record(await sink.next());
      assert.equal((await rec.closed).reason, 'closed by the client');
      const after = await post(`${t.url}/receive`);
      assert.equal(after.status, 404);
      assert.match(after.text, /closed by the client/);
      assert.equal((await sendJson(t.url, [1, 'realm1', {}])).status, 404);
    });

    it('closes a transport whose client stops polling once the session timeout passes', async () => {
      const base = await start({ longPoll: { sessionTimeoutMs: 300, requestTimeoutMs: 100 } });
      const t = await open(base);
      const rec = record(await sink.next());
      // Polling keeps it alive past the session timeout ...
      for (let i = 0; i < 6; i++) assert.equal((await post(`${t.url}/receive`)).status, 204);
      assert.equal(rec.closeCount(), 0);
      // ... and stopping lets it go.
      const info = await rec.closed;
      assert.match(info.reason, /session timeout/);
      assert.equal(info.local, false);
      assert.equal((await post(`${t.url}/receive`)).status, 404);
    });

    it('ends a transport whose outgoing queue overflows, still delivering what was queued', async () => {
      const base = await start({ longPoll: { maxQueuedMessages: 5 } });
      const t = await open(base, ['wamp.2.json.batched']);
      const transport: Transport = await sink.next();
      const rec = record(transport);
      for (let i = 0; i < 6; i++) transport.send([36, 1, i, {}, [i]]);
      const info = await rec.closed;
      assert.match(info.reason, /outgoing queue overflow: more than 5 messages/);
      assert.equal(transport.isOpen, false);
      const reply = await receive(t.url);
      assert.equal(reply.text.split('\x1e').length - 1, 5);
      const gone = await post(`${t.url}/receive`);
      assert.equal(gone.status, 404);
      assert.match(gone.text, /overflow/);
    });

    it('bounds the outgoing queue in bytes too', async () => {
      const base = await start({ longPoll: { maxQueuedBytes: 10_000 } });
      await open(base);
      const transport = await sink.next();
      const rec = record(transport);
      for (let i = 0; i < 20 && transport.isOpen; i++) transport.send([36, 1, i, {}, ['y'.repeat(1000)]]);
      assert.match((await rec.closed).reason, /more than 10000 bytes/);
    });
  });
});
