// Progressive call invocations in the client: the caller streams one call as several CALLs with
// the same request ID (raw frames checked), the callee's handler runs once and gets the later
// chunks through onChunk; then the same end to end through our router, over each serializer.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import { Connection } from '../../src/client/connection';
import { CLIENT_ROLES } from '../../src/client/session';
import { Result, type Invocation } from '../../src/client/types';
import type { InvocationChunk } from '../../src/client/invocation-chunks';
import { Router } from '../../src/router';
import type { SerializerId } from '../../src/serializers';
import { listen, type Listener } from '../../src/transports/listener';
import { MessageType as M } from '../../src/wamp/messages';
import { joined, outcome, ROUTER_ROLES, type RawPeer } from './raw-peer';

const STREAMING_DEALER = {
  ...ROUTER_ROLES,
  dealer: { features: { ...ROUTER_ROLES.dealer.features, progressive_call_invocations: true } },
};

/** Once the peer sees this PUBLISH, everything before it has been handled by the session. */
async function flush(session: { publish(t: string): Promise<unknown> }, peer: RawPeer): Promise<void> {
  await session.publish('test.flush');
  await peer.expect(M.PUBLISH);
}

describe('client: progressive call invocations (raw frames)', () => {
  it('is announced for caller and callee in HELLO', async () => {
    const { hello, peer } = await joined();
    const roles = (hello[2] as { roles: Record<string, { features: Record<string, boolean> }> }).roles;
    assert.equal(roles.caller.features.progressive_call_invocations, true);
    assert.equal(roles.callee.features.progressive_call_invocations, true);
    assert.deepEqual(roles, CLIENT_ROLES);
    peer.transport.close();
  });

  it('sends the chunks as CALLs of one request ID, each but the last with progress; RESULT settles it', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    const stream = session.callProgressive(
      'com.upload',
      ['a'],
      {},
      { timeout: 5000, receive_progress: true },
    );
    const first = await peer.expect(M.CALL);
    assert.deepEqual(first.slice(2), [
      { progress: true, receive_progress: true, timeout: 5000 },
      'com.upload',
      ['a'],
    ]);
    stream.send(['b'], { n: 2 });
    stream.send();
    const result = stream.end(['c']);
    const [second, third, last] = [
      await peer.expect(M.CALL),
      await peer.expect(M.CALL),
      await peer.expect(M.CALL),
    ];
    assert.deepEqual(second, [M.CALL, first[1], first[2], 'com.upload', ['b'], { n: 2 }]);
    assert.deepEqual(third, [M.CALL, first[1], first[2], 'com.upload']);
    assert.deepEqual(last, [
      M.CALL,
      first[1],
      { receive_progress: true, timeout: 5000 },
      'com.upload',
      ['c'],
    ]);
    assert.equal(stream.closed, true);
    assert.throws(() => stream.send(['late']), { uri: 'wamp.error.invalid_argument' });
    peer.send([M.RESULT, first[1], {}, ['done']]);
    assert.deepEqual((await result).args, ['done']);
    assert.equal(peer.pending, 0);
  });

  it('the callee may answer before the last chunk: the call ends and send() throws', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    const stream = session.callProgressive('com.upload', ['a']);
    const call = await peer.expect(M.CALL);
    peer.send([M.RESULT, call[1], {}, ['enough']]);
    assert.deepEqual((await stream.result).args, ['enough']);
    assert.equal(stream.closed, true);
    assert.throws(() => stream.send(['b']), { uri: 'wamp.error.invalid_argument' });
  });

  it('a timeout counts from the first chunk: it cancels the call in killnowait mode, and later chunks throw', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    const stream = session.callProgressive('com.upload', ['a'], {}, { timeout: 30 });
    const call = await peer.expect(M.CALL);
    assert.equal(await outcome(stream.result), 'wamp.error.timeout');
    assert.deepEqual(await peer.expect(M.CANCEL), [M.CANCEL, call[1], { mode: 'killnowait' }]);
    assert.throws(() => stream.send(['b']), { uri: 'wamp.error.invalid_argument' });
  });

  it('cancel (signal) sends CANCEL for the stream and rejects with wamp.error.canceled', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    const abort = new AbortController();
    const stream = session.callProgressive(
      'com.upload',
      ['a'],
      {},
      { signal: abort.signal, cancelMode: 'skip' },
    );
    const call = await peer.expect(M.CALL);
    stream.send(['b']);
    await peer.expect(M.CALL);
    abort.abort();
    assert.deepEqual(await peer.expect(M.CANCEL), [M.CANCEL, call[1], { mode: 'skip' }]);
    assert.equal(await outcome(stream.result), 'wamp.error.canceled');
  });

  it('a dealer without the feature: the stream fails with feature_not_supported and nothing is sent', async () => {
    const { session, peer } = await joined();
    const stream = session.callProgressive('com.upload', ['a']);
    assert.equal(stream.closed, true);
    assert.equal(await outcome(stream.result), 'wamp.error.feature_not_supported');
    assert.throws(() => stream.send(['b']), { uri: 'wamp.error.feature_not_supported' });
    await flush(session, peer);
    assert.equal(peer.pending, 0);
  });

  it('callee: the handler runs once; onChunk gets the later chunks in order, held until it listens', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    let runs = 0;
    let inv: Invocation | undefined;
    const chunks: InvocationChunk[] = [];
    let answer: (r: Result) => void = () => undefined;
    const reg = session.register('com.upload', (i) => {
      runs++;
      inv = i;
      return new Promise((resolve) => (answer = resolve));
    });
    const req = await peer.expect(M.REGISTER);
    peer.send([M.REGISTERED, req[1], 42]);
    await reg;
    peer.send([M.INVOCATION, 7, 42, { progress: true }, ['a']]);
    peer.send([M.INVOCATION, 7, 42, { progress: true }, ['b'], { k: 1 }]);
    await flush(session, peer);
    assert.equal(runs, 1);
    assert.equal(inv?.chunked, true);
    assert.deepEqual(inv?.args, ['a']);
    // Listening late: the chunk that came before is handed over at once.
    inv?.onChunk((c) => chunks.push(c));
    peer.send([M.INVOCATION, 7, 42, {}, ['c']]);
    await flush(session, peer);
    assert.equal(runs, 1);
    assert.deepEqual(
      chunks.map((c) => [c.args, c.kwargs, c.final]),
      [
        [['b'], { k: 1 }, false],
        [['c'], {}, true],
      ],
    );
    answer(new Result(['abc']));
    assert.deepEqual(await peer.expect(M.YIELD), [M.YIELD, 7, {}, ['abc']]);
  });

  it('callee: an ordinary invocation is not chunked; its onChunk never fires', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    let chunked: boolean | undefined;
    const reg = session.register('com.p', (i) => {
      chunked = i.chunked;
      i.onChunk(() => assert.fail('no chunks'))();
      return 1;
    });
    const req = await peer.expect(M.REGISTER);
    peer.send([M.REGISTERED, req[1], 42]);
    await reg;
    peer.send([M.INVOCATION, 3, 42, {}, []]);
    assert.deepEqual(await peer.expect(M.YIELD), [M.YIELD, 3, {}, [1]]);
    assert.equal(chunked, false);
  });

  it('callee: chunks still coming after an early answer are dropped, not run as new invocations', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    let runs = 0;
    const reg = session.register('com.upload', () => {
      runs++;
      return 'first chunk was enough';
    });
    const req = await peer.expect(M.REGISTER);
    peer.send([M.REGISTERED, req[1], 42]);
    await reg;
    peer.send([M.INVOCATION, 9, 42, { progress: true }, ['a']]);
    assert.deepEqual(await peer.expect(M.YIELD), [M.YIELD, 9, {}, ['first chunk was enough']]);
    peer.send([M.INVOCATION, 9, 42, { progress: true }, ['b']]);
    peer.send([M.INVOCATION, 9, 42, {}, ['c']]);
    await flush(session, peer);
    assert.equal(runs, 1);
    assert.equal(peer.pending, 0, 'no ERROR or YIELD for the late chunks');
    assert.equal(session.isOpen, true);
  });

  it('callee: INTERRUPT ends a streamed invocation; its late chunks are dropped', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    let aborted = '';
    const reg = session.register(
      'com.upload',
      (i) =>
        new Promise(() => {
          i.onAbort((r) => (aborted = r));
        }),
    );
    const req = await peer.expect(M.REGISTER);
    peer.send([M.REGISTERED, req[1], 42]);
    await reg;
    peer.send([M.INVOCATION, 5, 42, { progress: true }, ['a']]);
    peer.send([M.INTERRUPT, 5, { mode: 'kill' }]);
    assert.deepEqual((await peer.expect(M.ERROR)).slice(0, 5), [
      M.ERROR,
      M.INVOCATION,
      5,
      {},
      'wamp.error.canceled',
    ]);
    assert.equal(aborted, 'kill');
    peer.send([M.INVOCATION, 5, 42, {}, ['late']]);
    await flush(session, peer);
    assert.equal(peer.pending, 0);
    assert.equal(session.isOpen, true);
  });

  it('callee: an INVOCATION reusing the ID of one running (not streamed) is a protocol violation', async () => {
    const { session, peer } = await joined({}, STREAMING_DEALER);
    const reg = session.register('com.p', () => new Promise(() => undefined));
    const req = await peer.expect(M.REGISTER);
    peer.send([M.REGISTERED, req[1], 42]);
    await reg;
    peer.send([M.INVOCATION, 4, 42, {}, []]);
    peer.send([M.INVOCATION, 4, 42, {}, []]);
    const abort = await peer.expect(M.ABORT);
    assert.equal(abort[2], 'wamp.error.protocol_violation');
    assert.equal(session.isOpen, false);
  });
});

describe('client: progressive call invocations through our router', () => {
  let router: Router | undefined;
  let listener: Listener | undefined;
  const conns: Connection[] = [];
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.close()));
    await listener?.close();
    await router?.close();
    listener = undefined;
    router = undefined;
  });

  async function connect(url: string, serializer: SerializerId): Promise<Connection> {
    const c = new Connection({ url, realm: 'realm1', serializer, reconnect: { enabled: false } });
    conns.push(c);
    c.open();
    await c.connected();
    return c;
  }

  for (const serializer of ['json', 'msgpack', 'cbor'] as SerializerId[]) {
    it(`${serializer}: a caller streams chunks to a callee, which answers after the last; progress flows back`, async () => {
      router = new Router({ realms: [{ name: 'realm1' }] });
      listener = await listen({ host: '127.0.0.1', port: 0 }, (t) => router!.accept(t));
      const callee = await connect(listener.url, serializer);
      const caller = await connect(listener.url, serializer);
      await callee.register('com.upload', (inv) => {
        const parts: unknown[] = [inv.args[0]];
        return new Promise((resolve) =>
          inv.onChunk((c) => {
            parts.push(c.args[0]);
            inv.progress([`got ${parts.length}`]);
            if (c.final) resolve(new Result([parts.join('')], { chunks: parts.length }));
          }),
        );
      });
      const progress: unknown[] = [];
      const stream = caller.callProgressive(
        'com.upload',
        ['a'],
        {},
        { onProgress: (r) => progress.push(r.args[0]) },
      );
      stream.send(['b']);
      stream.send(['c']);
      const r = await stream.end(['d']);
      assert.deepEqual([r.args, r.kwargs], [['abcd'], { chunks: 4 }]);
      assert.deepEqual(progress, ['got 2', 'got 3', 'got 4']);
    });
  }

  it('a timeout between chunks ends the call on both sides: the callee is interrupted', async () => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    const callee = new Connection({ transportFactory: () => router!.connectLocal(), realm: 'realm1' });
    const caller = new Connection({ transportFactory: () => router!.connectLocal(), realm: 'realm1' });
    conns.push(callee, caller);
    callee.open();
    caller.open();
    await Promise.all([callee.connected(), caller.connected()]);
    let interrupted: Promise<string> = Promise.resolve('');
    await callee.register('com.upload', (inv) => {
      interrupted = new Promise((resolve) => inv.onAbort(resolve));
      return new Promise(() => undefined);
    });
    const stream = caller.callProgressive('com.upload', ['a'], {}, { timeout: 50 });
    assert.equal(await outcome(stream.result), 'wamp.error.timeout');
    assert.equal(await interrupted, 'killnowait');
    assert.throws(() => stream.end(['b']), { uri: 'wamp.error.invalid_argument' });
  });
});
