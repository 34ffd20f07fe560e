// The maximum message size, set on the router (listen's maxPayload) and on the client
// (maxMessageSize): a request too long to send is refused with wamp.error.payload_size_exceeded
// and the session stays; a message the router cannot pass on (too long for the receiver) ends
// the call with that error; a too-long message that does reach a peer fails the connection.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import { Connection, type ConnectionStatus } from '../../src/client';
import { Router } from '../../src/router';
import { ErrorUri } from '../../src/wamp/errors';
import { until } from '../reliability/support';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});

const ROUTER_MAX = 2000;

async function routerWithLimit() {
  const router = new Router({ realms: [{ name: 'realm1' }] });
  const listener = await router.listen({ port: 0, maxPayload: ROUTER_MAX });
  closers.push(() => router.close());
  return { router, ws: listener.url, rs: `rs://127.0.0.1:${listener.port}` };
}

async function open(options: { url?: string; transportFactory?: () => never; maxMessageSize?: number }) {
  const c = new Connection({ realm: 'realm1', reconnect: { enabled: false }, ...options } as never);
  closers.push(() => c.close());
  c.open();
  await c.connected();
  return c;
}

async function rejection(p: Promise<unknown>): Promise<{ uri: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { uri: string; args: unknown[] };
    return { uri: err.uri, message: String(err.args?.[0] ?? '') };
  }
  assert.fail('expected a rejection');
}

describe('maximum message size', () => {
  for (const scheme of ['ws', 'rs'] as const) {
    it(`${scheme}: a client refuses to send a request over its own limit; the session carries on`, async () => {
      const r = await routerWithLimit();
      const callee = await open({ url: r[scheme] });
      await callee.register('echo', (inv) => inv.args[0]);
      // HELLO itself is some 650 bytes; RawSocket rounds the limit down to a power of 2.
      const c = await open({ url: r[scheme], maxMessageSize: 1024 });
      const big = 'x'.repeat(1200);
      const call = await rejection(c.call('echo', [big]));
      assert.equal(call.uri, ErrorUri.PAYLOAD_SIZE_EXCEEDED);
      assert.match(call.message, /exceeds the maximum message size of/);
      const pub = await rejection(c.publish('t', [big], {}, { acknowledge: true }));
      assert.equal(pub.uri, ErrorUri.PAYLOAD_SIZE_EXCEEDED);
      assert.equal((await c.call('echo', ['small'])).args[0], 'small');
      assert.equal(c.status.state, 'connected');
    });
  }

  it('an invocation too long for the callee ends the call with payload_size_exceeded; both sessions stay', async () => {
    const r = await routerWithLimit();
    const callee = await open({ url: r.ws });
    let invoked = 0;
    await callee.register('store', (inv) => {
      invoked++;
      return String(inv.args[0]).length;
    });
    // The caller is in-process: no transport limit of its own.
    const caller = await open({ transportFactory: () => r.router.connectLocal() as never });
    const err = await rejection(caller.call('store', ['y'.repeat(ROUTER_MAX)]));
    assert.equal(err.uri, ErrorUri.PAYLOAD_SIZE_EXCEEDED);
    assert.match(err.message, /exceeds the maximum message size/);
    assert.equal(invoked, 0);
    assert.equal((await caller.call('store', ['ok'])).args[0], 2);
    assert.equal(callee.status.state, 'connected');
  });

  it('a result too long for the caller ends the call with payload_size_exceeded', async () => {
    const r = await routerWithLimit();
    const callee = await open({ transportFactory: () => r.router.connectLocal() as never });
    await callee.register('dump', (inv) => 'z'.repeat(Number(inv.args[0])));
    const caller = await open({ url: r.rs });
    const err = await rejection(caller.call('dump', [ROUTER_MAX * 2]));
    assert.equal(err.uri, ErrorUri.PAYLOAD_SIZE_EXCEEDED);
    assert.match(err.message, /exceeds the maximum message size/);
    assert.equal((await caller.call('dump', [10])).args[0], 'z'.repeat(10));
  });

  it('a callee whose own limit is smaller than its result answers the call with payload_size_exceeded', async () => {
    const r = await routerWithLimit();
    const callee = await open({ url: r.ws, maxMessageSize: 1000 });
    await callee.register('dump', (inv) => 'z'.repeat(Number(inv.args[0])));
    const caller = await open({ url: r.ws });
    const err = await rejection(caller.call('dump', [1200]));
    assert.equal(err.uri, ErrorUri.PAYLOAD_SIZE_EXCEEDED);
    assert.equal((await caller.call('dump', [3])).args[0], 'zzz');
  });

  it('a limit too small for HELLO fails the connection with payload_size_exceeded, not a hang', async () => {
    const r = await routerWithLimit();
    const c = new Connection({
      url: r.ws,
      realm: 'realm1',
      maxMessageSize: 100,
      reconnect: { enabled: false },
    });
    closers.push(() => c.close());
    c.open();
    const err = await rejection(c.connected(10000));
    assert.equal(err.uri, ErrorUri.PAYLOAD_SIZE_EXCEEDED);
  });

  it("a WebSocket client whose limit is above the router's is disconnected (1009) when it sends more than the router takes", async () => {
    const r = await routerWithLimit();
    const c = new Connection({ url: r.ws, realm: 'realm1', reconnect: { enabled: false } });
    closers.push(() => c.close());
    const reasons: string[] = [];
    c.on('status', (s: ConnectionStatus) => s.state === 'disconnected' && reasons.push(s.reason));
    c.open();
    await c.connected();
    const err = await rejection(c.publish('t', ['w'.repeat(ROUTER_MAX + 100)], {}, { acknowledge: true }));
    assert.equal(err.uri, ErrorUri.CONNECTION_LOST);
    await until(() => reasons.length > 0, 10000, 'disconnected');
    assert.match(reasons[0]!, /max payload exceeded|too big/);
    // The router carries on.
    const other = await open({ url: r.ws });
    assert.equal(other.status.state, 'connected');
  });
});
