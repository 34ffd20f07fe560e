// Connection.connected(): the one promise an application awaits before its first call.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';
import { Router } from '../../src/router';

describe('Connection.connected()', () => {
  let router: Router;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(async () => router.close());

  it('resolves when the session is joined, and at once when it already is', async () => {
    const conn = new Connection({ realm: 'realm1', transportFactory: () => router.connectLocal() });
    conn.open();
    await conn.connected();
    assert.equal(conn.status.state, 'connected');
    await conn.connected();
    assert.deepEqual((await conn.call('wamp.session.count')).args, [1]);
    await conn.close();
  });

  it("rejects with the router's reason when joining fails for good", async () => {
    const conn = new Connection({
      realm: 'nowhere',
      transportFactory: () => router.connectLocal(),
      reconnect: { onFatal: 'stop' },
    });
    conn.open();
    await assert.rejects(conn.connected(), (e: { uri: string }) => e.uri === 'wamp.error.no_such_realm');
    await conn.close();
  });

  it('rejects when closed before it connects, and after its timeout', async () => {
    const never = new Connection({ realm: 'realm1', transportFactory: () => new Promise(() => undefined) });
    never.open();
    await assert.rejects(never.connected(50), (e: { uri: string }) => e.uri === 'wamp.error.timeout');
    const waiting = never.connected();
    await never.close();
    await assert.rejects(waiting, (e: { uri: string }) => e.uri === 'wamp.error.connection_lost');
  });
});
