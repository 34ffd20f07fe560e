// Keepalive over a link that stops answering: a TCP proxy between client and router that, when
// frozen, keeps both sockets open but forwards nothing (a NAT that forgot the mapping, a mobile
// link gone dead). Whichever side pings notices: the router drops the silent session and its
// testament fires; the client reconnects. WebSocket pings and RawSocket PING frames alike.
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, describe, it } from 'mocha';
import { Connection, type ConnectionStatus } from '../../src/client';
import { Router } from '../../src/router';
import { until, within } from './support';

/** Forwards TCP to `target`; `freeze()` makes the links open so far go silent both ways. */
class FreezingProxy {
  private readonly server: net.Server;
  private readonly links: Array<{ frozen: boolean; sockets: net.Socket[] }> = [];
  port = 0;

  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      const link = { frozen: false, sockets: [client, upstream] };
      this.links.push(link);
      const forward = (from: net.Socket, to: net.Socket): void => {
        from.on('data', (d) => {
          if (!link.frozen) to.write(d);
        });
        from.on('end', () => !link.frozen && to.end());
        from.on('error', () => to.destroy());
        from.on('close', () => !link.frozen && to.destroy());
      };
      forward(client, upstream);
      forward(upstream, client);
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  freeze(): void {
    for (const l of this.links) l.frozen = true;
  }

  async close(): Promise<void> {
    for (const l of this.links) for (const s of l.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});

/** Pings every 100 ms; the answer may take `timeoutMs` (long where a drop would be a false alarm on a loaded machine). */
async function setup(routerKeepalive: boolean, timeoutMs = 200) {
  const router = new Router({ realms: [{ name: 'realm1' }] });
  const listener = await router.listen(
    routerKeepalive ? { port: 0, keepaliveMs: 100, keepaliveTimeoutMs: timeoutMs } : { port: 0 },
  );
  closers.push(() => router.close());
  const proxy = await new FreezingProxy(listener.port).listen();
  closers.push(() => proxy.close());
  const observer = new Connection({ url: listener.url, realm: 'realm1' });
  closers.push(() => observer.close());
  observer.open();
  const testaments: unknown[] = [];
  await observer.subscribe('device.gone', (e) => void testaments.push(e.args[0]));
  await observer.connected();
  return { router, listener, proxy, observer, testaments };
}

function connect(url: string, keepalive: boolean, timeoutMs = 200): Connection {
  const c = new Connection({
    url,
    realm: 'realm1',
    ...(keepalive ? { keepaliveMs: 100, keepaliveTimeoutMs: timeoutMs } : {}),
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  closers.push(() => c.close());
  return c;
}

for (const scheme of ['ws', 'rs'] as const) {
  const urlOf = (port: number): string =>
    scheme === 'ws' ? `ws://127.0.0.1:${port}/ws` : `rs://127.0.0.1:${port}`;

  describe(`keepalive over ${scheme === 'ws' ? 'WebSocket (ping/pong)' : 'RawSocket (PING/PONG frames)'}`, () => {
    it('the router drops a session whose link went silent, and its testament fires', async function () {
      this.timeout(30000);
      const { router, proxy, testaments } = await setup(true);
      const device = connect(urlOf(proxy.port), false);
      device.open();
      await device.connected();
      await device.call('wamp.session.add_testament', ['device.gone', ['sensor-7'], {}]);
      const id = device.session!.id;
      assert.ok(router.sessions('realm1').some((s) => s.id === id));
      proxy.freeze();
      await within(
        until(() => testaments.includes('sensor-7'), 15000, 'testament'),
        16000,
        'testament',
      );
      assert.ok(!router.sessions('realm1').some((s) => s.id === id), 'the silent session is gone');
    });

    it('the client notices a silent link ("ping timeout") and reconnects, its subscription restored', async function () {
      this.timeout(30000);
      // The router does not ping here: it still holds the old, silent session (which is why
      // both ends should ping); a subscription, unlike a single registration, can be made again.
      const { proxy, observer } = await setup(false);
      const device = connect(urlOf(proxy.port), true);
      const reasons: string[] = [];
      device.on('status', (s: ConnectionStatus) => {
        if (s.state === 'disconnected') reasons.push(s.reason);
      });
      const got: unknown[] = [];
      device.open();
      await device.subscribe('device.command', (e) => void got.push(e.args[0]));
      await device.connected();
      const first = device.session!.id;
      proxy.freeze();
      await until(() => reasons.length > 0, 15000, 'the client noticed');
      assert.match(reasons[0]!, /ping timeout/);
      // New links through the proxy are not frozen: the client is back.
      await until(
        () => device.status.state === 'connected' && device.session!.id !== first,
        15000,
        'reconnected',
      );
      await observer.publish('device.command', ['blink'], {}, { acknowledge: true });
      await until(() => got.includes('blink'), 15000, 'event on the new session');
    });

    it('a link that answers is kept however long it is quiet', async function () {
      this.timeout(30000);
      const { router, proxy } = await setup(true, 5000);
      const device = connect(urlOf(proxy.port), true, 5000);
      let drops = 0;
      device.on('status', (s: ConnectionStatus) => {
        if (s.state === 'disconnected') drops++;
      });
      device.open();
      await device.connected();
      const id = device.session!.id;
      // Many keepalive rounds on both sides with no WAMP traffic at all.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(drops, 0);
      assert.equal(device.session!.id, id);
      assert.ok(router.sessions('realm1').some((s) => s.id === id));
    });
  });
}
