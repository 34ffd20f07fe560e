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
});
