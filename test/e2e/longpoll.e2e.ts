// Autobahn|JS's HTTP long-poll transport (browser-only: XMLHttpRequest) in a real headless
// Chromium against our router: a page of another origin, listed in the router's allowed
// origins, joins, calls, registers, subscribes and publishes; with the transports list
// [websocket, longpoll] it falls back to long-poll where the browser refuses WebSocket; and a
// page of an origin that is not listed is refused on both transports.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { Session } from '../../src/client';
import type { EventInfo } from '../../src/client/types';
import { Router } from '../../src/router';
import { connectTransport } from '../../src/transports';
import type { Listener } from '../../src/transports/listener';
import { chromiumArgs, chromiumPath } from '../support/browser';
import { autobahnBrowserBundle } from './autobahn-browser';

/** Serves the test pages (and the Autobahn bundle) from an origin of its own. */
async function pageServer(
  bundle: string,
): Promise<{ origin: string; server: http.Server; close(): Promise<void> }> {
  const page = (head: string) =>
    `<!doctype html><html><head><meta charset="utf-8">${head}<script src="/autobahn.js"></script></head><body>test page</body></html>`;
  // Stands for a browser whose policy (an extension, a managed setting) refuses WebSocket at
  // construction: that is when Autobahn|JS moves on to the next transport in its list.
  const refuseWebSocket = `<script>window.WebSocket = function () { throw new DOMException('WebSocket refused by policy', 'SecurityError'); };</script>`;
  const server = http.createServer((req, res) => {
    if (req.url === '/autobahn.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(bundle);
    } else if (req.url === '/' || req.url === '/no-websocket') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(page(req.url === '/' ? '' : refuseWebSocket));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// What the page's scripts see (the functions below run in the page, not here).
interface AbSessionInPage {
  id: number;
  call(procedure: string, args?: unknown[]): Promise<unknown>;
  register(procedure: string, endpoint: (args: string[]) => unknown): Promise<unknown>;
  subscribe(topic: string, handler: (args: unknown[]) => void): Promise<unknown>;
  publish(topic: string, args: unknown[], kwargs: object, options: object): Promise<unknown>;
}
interface AbConnectionInPage {
  onopen: (session: AbSessionInPage) => void;
  onclose: (reason: string, details: unknown) => boolean;
  open(): void;
  close(): void;
}
interface PageGlobals {
  autobahn: { Connection: new (options: object) => AbConnectionInPage };
  ab: { connection: AbConnectionInPage; session: AbSessionInPage; events: unknown[] };
  WebSocket: new (url: string, protocols: string[]) => { onopen: () => void; onerror: () => void };
}

/** In the page: opens an Autobahn connection and keeps it as `window.ab`. */
function connectInPage(page: Page, transports: Array<{ type: string; url: string }>): Promise<number> {
  return page.evaluate(
    (transports) =>
      new Promise<number>((resolve, reject) => {
        const w = globalThis as unknown as PageGlobals;
        const connection = new w.autobahn.Connection({ transports, realm: 'realm1', max_retries: 0 });
        connection.onopen = (session: AbSessionInPage) => {
          w.ab = { connection, session, events: [] as unknown[] };
          resolve(session.id);
        };
        connection.onclose = (reason: string, details: unknown) => {
          reject(new Error(`autobahn closed: ${reason} ${JSON.stringify(details)}`));
          return true;
        };
        connection.open();
      }),
    transports,
  );
}

describe('Autobahn|JS long-poll in Chromium against our router', function () {
  this.timeout(120000);
  let router: Router;
  let listener: Listener;
  let allowed: Awaited<ReturnType<typeof pageServer>>;
  let foreign: Awaited<ReturnType<typeof pageServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let node: Session;
  const warnings: string[] = [];

  before(async () => {
    assert.ok(fs.existsSync(chromiumPath), `Chromium at ${chromiumPath} (apt-get install chromium)`);
    const bundle = await autobahnBrowserBundle();
    allowed = await pageServer(bundle);
    foreign = await pageServer(bundle);
    router = new Router({
      realms: [{ name: 'realm1' }],
      allowedOrigins: [allowed.origin],
      logger: { info() {}, warn: (m) => warnings.push(String(m)), error: (m) => warnings.push(String(m)) },
    });
    listener = await router.listen({ port: 0 });
    node = new Session(await connectTransport({ url: listener.url }), { realm: 'realm1' });
    await node.join();
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
    context = await browser.newContext();
  });

  after(async () => {
    if (node?.isOpen) await node.leave();
    await browser?.close();
    await router?.close();
    await allowed?.close();
    await foreign?.close();
  });

  function transportOf(sessionId: number): string | undefined {
    return router
      .realm('realm1')
      ?.clients()
      .find((s) => s.id === sessionId)?.transport.info.type;
  }

  it('joins over long-poll from a page of a listed origin; calls, registers, subscribes and publishes', async () => {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${allowed.origin}/`);
    assert.deepEqual(pageErrors, [], 'the Autobahn bundle loads');
    const id = await connectInPage(page, [{ type: 'longpoll', url: listener.longPollUrl }]);
    assert.equal(transportOf(id), 'longpoll');

    await node.register('com.node.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
    const sum = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).ab.session.call('com.node.add', [2, 3]),
    );
    assert.equal(sum, 5);

    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).ab.session.register('com.browser.upper', (args: string[]) =>
        args[0].toUpperCase(),
      ),
    );
    assert.deepEqual((await node.call('com.browser.upper', ['shout'])).args, ['SHOUT']);

    await page.evaluate(() => {
      const ab = (globalThis as unknown as PageGlobals).ab;
      return ab.session.subscribe('com.news', (args: unknown[]) => ab.events.push(args[0]));
    });
    for (const item of ['a', 'b', 'c']) await node.publish('com.news', [item], {}, { acknowledge: true });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).ab.events.length === 3);
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as PageGlobals).ab.events), [
      'a',
      'b',
      'c',
    ]);

    let fromPage!: (value: unknown) => void;
    const received = new Promise<unknown>((resolve) => (fromPage = resolve));
    await node.subscribe('com.from.browser', (ev: EventInfo) => fromPage(ev.args[0]));
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).ab.session.publish(
        'com.from.browser',
        ['hello from the page'],
        {},
        {
          acknowledge: true,
        },
      ),
    );
    assert.equal(await received, 'hello from the page');

    await page.evaluate(() => (globalThis as unknown as PageGlobals).ab.connection.close());
    await waitFor(() => transportOf(id) === undefined);
    await page.close();
  });

  it('transports [websocket, longpoll]: WebSocket where the browser allows it, long-poll where it refuses', async () => {
    const both = [
      { type: 'websocket', url: listener.url },
      { type: 'longpoll', url: listener.longPollUrl },
    ];
    const normal = await context.newPage();
    await normal.goto(`${allowed.origin}/`);
    assert.equal(transportOf(await connectInPage(normal, both)), 'websocket');
    await normal.close();

    const refusing = await context.newPage();
    await refusing.goto(`${allowed.origin}/no-websocket`);
    const id = await connectInPage(refusing, both);
    assert.equal(transportOf(id), 'longpoll');
    await node.register('com.node.where', () => 'here');
    assert.equal(
      await refusing.evaluate(() => (globalThis as unknown as PageGlobals).ab.session.call('com.node.where')),
      'here',
    );
    await refusing.evaluate(() => (globalThis as unknown as PageGlobals).ab.connection.close());
    await refusing.close();
  });

  it('refuses a page of an origin that is not listed, on both transports, and logs it', async () => {
    const sessionsBefore = router.sessionCount;
    const page = await context.newPage();
    await page.goto(`${foreign.origin}/`);
    await assert.rejects(
      connectInPage(page, [{ type: 'longpoll', url: listener.longPollUrl }]),
      /autobahn closed/,
    );
    const ws = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const socket = new (globalThis as unknown as PageGlobals).WebSocket(url, ['wamp.2.json']);
          socket.onopen = () => resolve('open');
          socket.onerror = () => resolve('refused');
        }),
      listener.url,
    );
    assert.equal(ws, 'refused');
    assert.equal(router.sessionCount, sessionsBefore);
    const origin = JSON.stringify(foreign.origin);
    assert.ok(
      warnings.some((w) => w.includes(`long-poll request from origin ${origin}`)),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((w) => w.includes(`WebSocket connection from origin ${origin}`)),
      warnings.join('\n'),
    );
    await page.close();
  });

  it("lets in a page of the router's own origin without listing it (as Node-RED's editor and dashboards)", async () => {
    // The router served by the very server that serves the page, as inside Node-RED.
    const attached = router.attach(foreign.server, { path: '/wamp' });
    try {
      const page = await context.newPage();
      await page.goto(`${foreign.origin}/`);
      const wsUrl = `${foreign.origin.replace('http', 'ws')}/wamp`;
      const wsId = await connectInPage(page, [{ type: 'websocket', url: wsUrl }]);
      assert.equal(transportOf(wsId), 'websocket');
      await page.evaluate(() => (globalThis as unknown as PageGlobals).ab.connection.close());
      const lpId = await connectInPage(page, [{ type: 'longpoll', url: `${foreign.origin}/wamp` }]);
      assert.equal(transportOf(lpId), 'longpoll');
      await page.evaluate(() => (globalThis as unknown as PageGlobals).ab.connection.close());
      await page.close();
    } finally {
      attached.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
