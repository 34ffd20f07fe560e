import assert from 'node:assert/strict';
import { createLocalPair } from '../../src/transports/local';
import type { CloseInfo } from '../../src/transports/transport';

describe('in-process transport (createLocalPair)', () => {
  it('delivers asynchronously, in order, by reference; replies sent while receiving come after', async () => {
    const [a, b] = createLocalPair();
    const atB: unknown[] = [];
    const atA: unknown[] = [];
    const payload = { big: 'object' };
    a.attach({
      onMessage: (m) => atA.push(m),
      onDecodeError: () => assert.fail('no decoding in-process'),
      onClose: () => undefined,
    });
    b.attach({
      onMessage: (m) => {
        atB.push(m);
        b.send(['reply', (m as unknown[])[1]]);
        // Sent to itself through the peer while receiving: after the batch under way.
        if ((m as unknown[])[1] === 1) a.send(['late', 99]);
      },
      onDecodeError: () => assert.fail('no decoding in-process'),
      onClose: () => undefined,
    });
    for (let i = 0; i < 5; i++) a.send(['msg', i, payload]);
    assert.equal(atB.length, 0, 'nothing delivered synchronously');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      atB.map((m) => (m as unknown[])[1]),
      [0, 1, 2, 3, 4, 99],
    );
    assert.equal((atB[0] as unknown[])[2], payload, 'the very object, not a copy');
    assert.deepEqual(
      atA.map((m) => (m as unknown[])[1]),
      [0, 1, 2, 3, 4, 99],
    );
  });

  it('a close reaches the peer after the messages sent before it, and nothing sent after', async () => {
    const [a, b] = createLocalPair();
    const seen: string[] = [];
    let closed: CloseInfo | undefined;
    b.attach({
      onMessage: (m) => seen.push(String((m as unknown[])[0])),
      onDecodeError: () => undefined,
      onClose: (info) => {
        closed = info;
        seen.push('close');
      },
    });
    a.send(['one']);
    a.send(['two']);
    a.close(1000, 'bye');
    a.send(['after']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['one', 'two', 'close']);
    assert.equal(closed?.reason, 'bye');
    assert.equal(closed?.local, false);
  });

  it('messages sent before the receiver attached are held for it', async () => {
    const [a, b] = createLocalPair();
    a.send(['early']);
    await new Promise((r) => setImmediate(r));
    const seen: unknown[] = [];
    b.attach({ onMessage: (m) => seen.push(m), onDecodeError: () => undefined, onClose: () => undefined });
    assert.deepEqual(seen, [['early']]);
  });

  it('messages between several pairs arrive in the order sent; a receiver that throws costs the others nothing', async () => {
    const [a1, b1] = createLocalPair();
    const [a2, b2] = createLocalPair();
    const seen: string[] = [];
    const quiet = { onDecodeError: () => undefined, onClose: () => undefined };
    b1.attach({
      ...quiet,
      onMessage: (m) => {
        seen.push(`b1:${(m as unknown[])[0]}`);
        // Sent while receiving: after everything already on its way.
        if ((m as unknown[])[0] === 'x') a2.send(['from-b1']);
      },
    });
    b2.attach({
      ...quiet,
      onMessage: (m) => {
        seen.push(`b2:${(m as unknown[])[0]}`);
        if ((m as unknown[])[0] === 'boom') throw new Error('receiver bug');
      },
    });
    // The receiver's throw surfaces as an uncaught error, as any callback's would; caught here.
    const uncaught: unknown[] = [];
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', (e) => uncaught.push(e));
    const rejections = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', (e) => uncaught.push(e));
    try {
      a1.send(['x']);
      a2.send(['y']);
      a2.send(['boom']);
      a1.send(['z']);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    } finally {
      process.removeAllListeners('uncaughtException');
      process.removeAllListeners('unhandledRejection');
      for (const l of listeners) process.on('uncaughtException', l);
      for (const l of rejections) process.on('unhandledRejection', l);
    }
    assert.deepEqual(seen, ['b1:x', 'b2:y', 'b2:boom', 'b1:z', 'b2:from-b1']);
    assert.equal(uncaught.length, 1);
  });
});
