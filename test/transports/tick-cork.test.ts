import assert from 'node:assert/strict';
import type net from 'node:net';
import { TickCork } from '../../src/transports/tick-cork';

/** A socket that only counts cork and uncork. */
function countingSocket(): { socket: net.Socket; corks: number; uncorks: number } {
  const counts = { corks: 0, uncorks: 0 };
  const socket = {
    cork: () => counts.corks++,
    uncork: () => counts.uncorks++,
  } as unknown as net.Socket;
  return Object.assign(counts, { socket });
}

describe('TickCork (write batching)', () => {
  it("'immediate': writes from several setImmediate callbacks of one round leave together", async () => {
    // Node-RED delivers each message in a setImmediate callback of its own: a flow's 100 sends
    // must not be 100 system calls.
    const s = countingSocket();
    const cork = new TickCork(s.socket, 'immediate');
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 10; i++) setImmediate(() => cork.hold());
      setImmediate(() => {
        assert.equal(s.uncorks, 0, 'still held while the round runs');
        resolve();
      });
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([s.corks, s.uncorks], [1, 1]);
  });

  it("'tick' (the default): released at the end of each tick", async () => {
    const s = countingSocket();
    const cork = new TickCork(s.socket);
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 3; i++) setImmediate(() => cork.hold());
      setImmediate(resolve);
    });
    assert.deepEqual([s.corks, s.uncorks], [3, 3]);
  });

  it('holds again after a release, and does nothing without a socket', async () => {
    const s = countingSocket();
    const cork = new TickCork(s.socket, 'immediate');
    cork.hold();
    cork.hold();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    cork.hold();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([s.corks, s.uncorks], [2, 2]);
    new TickCork(undefined, 'immediate').hold();
  });
});
