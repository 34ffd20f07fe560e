// Connection over scripted raw peers: the router's GOODBYE, fatal ABORTs (onFatal stop / slow),
// maxRetries, and reconnect disabled.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import {
  PeerQueue,
  connected,
  connection,
  scriptedPerTest,
  statusWhere,
  welcome,
  refusedConnection,
} from './scripted-connection';

describe('client connection: router GOODBYE and fatal ABORTs', () => {
  scriptedPerTest();

  it('router GOODBYE is answered and the connection comes back', async () => {
    const { peers, c, p: p1 } = await connected();
    p1.send([6, {}, 'wamp.close.system_shutdown']);
    assert.deepEqual(await p1.next(), [6, {}, 'wamp.close.goodbye_and_out']);
    const d = await statusWhere(c, (x) => x.state === 'disconnected');
    assert.equal(d.state === 'disconnected' && d.reason, 'wamp.close.system_shutdown');
    await welcome(await peers.next(), 3);
    await statusWhere(c, (x) => x.state === 'connected' && x.sessionId === 3);
  });

  for (const reason of [
    'wamp.error.no_such_realm',
    'wamp.error.authentication_failed',
    'wamp.error.not_authorized',
    'wamp.error.no_auth_method',
    // Crossbar.io's refusal of an unknown authid: no normal-pace retry cures it either.
    'wamp.error.no_such_principal',
  ]) {
    it(`ABORT ${reason} => status failed with the error; onFatal 'stop' stops retrying`, async () => {
      const peers = new PeerQueue();
      const c = connection(peers, { reconnect: { onFatal: 'stop' } });
      c.open();
      const p = await peers.next();
      await p.expect(1);
      p.send([3, { message: 'no' }, reason]);
      const f = await statusWhere(c, (x) => x.state === 'failed');
      assert.equal(f.state === 'failed' && f.error?.uri, reason);
      await p.whenClosed();
      assert.equal(peers.all.length, 1);
    });
  }

  it("onFatal 'slow' retries after slowRetryMs", async () => {
    const peers = new PeerQueue();
    const c = connection(peers, { reconnect: { onFatal: 'slow', slowRetryMs: 30 } });
    c.open();
    const p = await peers.next();
    await p.expect(1);
    p.send([3, {}, 'wamp.error.no_such_realm']);
    await statusWhere(c, (x) => x.state === 'failed');
    await welcome(await peers.next());
    await statusWhere(c, (x) => x.state === 'connected');
  });

  it('maxRetries: after that many failed retries the status is failed and retrying stops', async () => {
    const { c, attempts } = refusedConnection({ reconnect: { initialDelayMs: 1, maxRetries: 2, jitter: 0 } });
    c.open();
    const f = await statusWhere(c, (x) => x.state === 'failed');
    assert.match(f.state === 'failed' ? f.reason : '', /gave up after 2 retries: refused/);
    assert.equal(f.state === 'failed' && f.gaveUp, true, 'says so as a value, not only in its text');
    assert.equal(f.state === 'failed' && f.error?.uri, 'wamp.error.connection_lost');
    assert.equal(attempts(), 3);
  });

  it('reconnect disabled: a lost link leaves the status disconnected without retryInMs', async () => {
    const { c, p } = await connected({ reconnect: { enabled: false } });
    p.transport.close();
    const d = await statusWhere(c, (x) => x.state === 'disconnected');
    assert.equal(d.state === 'disconnected' && d.retryInMs, undefined);
  });
});
