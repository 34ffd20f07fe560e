// The WAMP sidebar tab in a real headless Chromium: a router node deployed on its own port, the
// tab opened, a client joining (its session row appears, with its registration), the call
// tester answering, and the session disappearing when the client leaves.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Session } from '../../src/client';
import { connectTransport } from '../../src/transports';
import { freePort, startNodeRed, type NodeRedProcess } from '../support/node-red-process';
import { linkPackage, projectRoot } from '../support/package-in-node-red';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const shots = path.resolve(projectRoot, process.env.E2E_SCREENSHOTS ?? 'test-results/screenshots');

describe('the WAMP sidebar tab in a real browser', function () {
  this.timeout(120000);
  this.bail(true);
  let red: NodeRedProcess;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let port: number;
  let client: Session | undefined;
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(fs.existsSync(chromiumPath), `Chromium at ${chromiumPath} (apt-get install chromium)`);
    fs.mkdirSync(shots, { recursive: true });
    port = await freePort();
    red = await startNodeRed((userDir) => {
      linkPackage(userDir);
      fs.writeFileSync(
        path.join(userDir, 'flows.json'),
        JSON.stringify([
          { id: 'f1', type: 'tab', label: 'plant' },
          {
            id: 'r1',
            type: 'wamp-router',
            z: 'f1',
            name: 'Plant router',
            usePort: true,
            host: '127.0.0.1',
            port,
            path: '/ws',
            realms: [
              { name: 'realm1', anonymous: true },
              { name: 'sensors', anonymous: true },
            ],
            accounts: [],
            roles: '[]',
            x: 200,
            y: 100,
            wires: [],
          },
        ]),
      );
    });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
    });
    await context.route(
      (url) => !url.href.startsWith(red.url),
      (route) => route.abort(),
    );
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.setDefaultTimeout(30000);
    await page.goto(red.url);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await page.screenshot({ path: path.join(shots, 'failed-router-view.png') }).catch(() => undefined);
  });

  after(async () => {
    if (client?.isOpen) await client.leave();
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await red?.stop();
  });

  it('opens the WAMP tab, listing the router and its realms', async () => {
    await page.waitForFunction(
      "!!(window.RED && RED.sidebar) && document.querySelector('#red-ui-tab-wamp-router-view') !== null",
    );
    // The tab may sit in the sidebar's overflow menu in a narrow window: show it as that menu would.
    // The editor may still pick its own first tab after loading: ask until the tab is showing.
    await page.waitForFunction(
      "!!RED.nodes.getType('wamp-router') && (RED.sidebar.show('wamp-router-view'), $('.wamp-rv-realm:visible').length === 2)",
      undefined,
      { polling: 250 },
    );
    assert.equal(await page.locator('.wamp-rv-realm').count(), 2);
  });

  it('shows a session, with its registration, when a client joins', async () => {
    client = new Session(await connectTransport({ url: `ws://127.0.0.1:${port}/ws` }), {
      realm: 'realm1',
      authid: 'pump-7',
    });
    await client.join();
    await client.register('com.plant.pump.start', () => 'started');
    await page.locator(`tr.wamp-rv-session[data-session="${client.id}"]`).waitFor();
    const row = await page.locator(`tr.wamp-rv-session[data-session="${client.id}"]`).innerText();
    assert.match(row, /anonymous\s+websocket \/ json\s+127\.0\.0\.1:/);
    await page.getByText('com.plant.pump.start').first().waitFor();
  });

  it('the call tester sends a call from the editor and shows the answer', async () => {
    await page.locator('.wamp-rv-uri').fill('com.plant.pump.start');
    await page.locator('.wamp-rv-send').click();
    await page.waitForFunction(
      "/started/.test(document.querySelector('.wamp-rv-answer')?.textContent ?? '')",
    );
    await page.screenshot({ path: path.join(shots, 'router-view-e2e.png') });
  });

  it('the session disappears when the client leaves', async () => {
    const id = client!.id;
    await client!.leave();
    await page.locator(`tr.wamp-rv-session[data-session="${id}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, [], 'no script error in the editor');
  });
});
