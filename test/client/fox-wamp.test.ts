// The client against fox-wamp, an independent Node WAMP router (basic profile, WebSocket/JSON),
// started in-process: RPC, PubSub, and surviving a router restart on the same port.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'mocha';
import { Connection, type ConnectionStatus } from '../../src/client/connection';
import { Result, type EventInfo } from '../../src/client/types';
import { WampError } from '../../src/wamp/errors';

interface FoxServer {
  address(): AddressInfo;
  clients: Set<{ terminate(): void }>;
  close(cb?: () => void): void;
  on(event: 'listening' | 'error', cb: (e?: Error) => void): void;
}
interface FoxRouterClass {
  new (): { listenWAMP(options: { port: number; host: string }): FoxServer };
}
const FoxRouter = require('fox-wamp') as FoxRouterClass;

async function startFox(port = 0): Promise<FoxServer> {
  const server = new FoxRouter().listenWAMP({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.on('listening', () => resolve());
    server.on('error', (e) => reject(e));
  });
  return server;
}

/** Stops fox-wamp the hard way, as a crash would: drop every client, close the port. */
async function stopFox(server: FoxServer): Promise<void> {
  for (const c of server.clients) c.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function connected(c: Connection, other?: number): Promise<void> {
  const ok = (s: ConnectionStatus) => s.state === 'connected' && s.sessionId !== other;
  if (ok(c.status)) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (s: ConnectionStatus) => {
      if (ok(s)) {
        c.off('status', on);
        resolve();
      }
    };
    c.on('status', on);
  });
}

const servers: FoxServer[] = [];
const conns: Connection[] = [];

async function client(port: number): Promise<Connection> {
  const c = new Connection({
    url: `ws://127.0.0.1:${port}`,
    realm: 'realm1',
    reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
  });
  conns.push(c);
  c.open();
  await connected(c);
  return c;
}

afterEach(async () => {
  await Promise.all(conns.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map(stopFox));
});

describe('client against fox-wamp', () => {
  it('joins realm1 anonymously over ws:// with JSON', async () => {
    const fox = await startFox();
    servers.push(fox);
    const c = await client(fox.address().port);
    assert.equal(c.session?.details.authmethod, 'anonymous');
    assert.equal(typeof c.session?.id, 'number');
  });

  it('call and register: args, kwargs, and an error from the callee', async () => {
    const fox = await startFox();
    servers.push(fox);
    const callee = await client(fox.address().port);
    const caller = await client(fox.address().port);
    await callee.register('com.example.add', (inv) => (inv.args as number[])[0] + (inv.args as number[])[1]);
    await callee.register('com.example.fail', () => {
      throw new WampError('com.example.error', ['nope']);
    });
    const r = await caller.call('com.example.add', [2, 3]);
    assert.deepEqual(r.args, [5]);
    // fox-wamp does not relay the callee's error URI: it reports every callee error as callee_failure.
    await assert.rejects(
      caller.call('com.example.fail'),
      (e: WampError) => e instanceof WampError && e.uri === 'wamp.error.callee_failure',
    );
    await callee.register('com.example.kw', (inv) => new Result([inv.kwargs.a], { echoed: inv.kwargs }));
    const kw = await caller.call('com.example.kw', [], { a: 1 });
    assert.deepEqual(kw.args, [1]);
    assert.deepEqual(kw.kwargs, { echoed: { a: 1 } });
    await assert.rejects(
      caller.call('com.example.none'),
      (e: WampError) => e.uri === 'wamp.error.no_such_procedure',
    );
  });

  it('progressive call results reach onProgress (fox-wamp announces progressive_call_results)', async () => {
    const fox = await startFox();
    servers.push(fox);
    const callee = await client(fox.address().port);
    const caller = await client(fox.address().port);
    await callee.register('com.example.count', (inv) => {
      inv.progress([1]);
      inv.progress([2]);
      return 3;
    });
    const seen: unknown[] = [];
    const r = await caller.call('com.example.count', [], {}, { onProgress: (p) => seen.push(p.args[0]) });
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(r.args, [3]);
  });

  it('publish and subscribe, with acknowledge and kwargs', async () => {
    const fox = await startFox();
    servers.push(fox);
    const sub = await client(fox.address().port);
    const pub = await client(fox.address().port);
    let deliver: (e: EventInfo) => void = () => undefined;
    const got = new Promise<EventInfo>((resolve) => (deliver = resolve));
    // subscribe() resolves on SUBSCRIBED, so the publish below cannot overtake it.
    await sub.subscribe('com.example.topic', (e) => deliver(e));
    const ack = await pub.publish('com.example.topic', ['hello'], { n: 1 }, { acknowledge: true });
    assert.equal(typeof ack.publicationId, 'number');
    const e = await got;
    assert.deepEqual(e.args, ['hello']);
    assert.deepEqual(e.kwargs, { n: 1 });
    assert.equal(e.topic, 'com.example.topic');
  });

  it('survives a router restart on the same port: the registration and subscription work again with no action by the caller', async () => {
    const fox1 = await startFox();
    const port = fox1.address().port;
    const holder = await client(port);
    const events: unknown[] = [];
    const reg = await holder.register('com.example.echo', (inv) => inv.args[0]);
    const sub = await holder.subscribe('com.example.news', (e) => events.push(e.args[0]));
    const firstSession = holder.session!.id!;
    const firstRegId = reg.id;

    const down = new Promise<void>((resolve) =>
      holder.once('status', (s: ConnectionStatus) => s.state === 'disconnected' && resolve()),
    );
    await stopFox(fox1);
    await down;
    const fox2 = await startFox(port);
    servers.push(fox2);
    await connected(holder, firstSession);
    assert.notEqual(reg.id, undefined);
    assert.notEqual(reg.id, firstRegId, 'a fresh router gave a fresh registration id');
    assert.notEqual(sub.id, undefined);

    const other = await client(port);
    assert.deepEqual((await other.call('com.example.echo', ['again'])).args, ['again']);
    await other.publish('com.example.news', ['back'], {}, { acknowledge: true });
    await holder.call('com.example.echo', ['sync']);
    assert.deepEqual(events, ['back']);
  });
});
