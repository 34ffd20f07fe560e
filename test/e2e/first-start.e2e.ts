// A newcomer's first start, exactly as `npm start` does it: scripts/start.js itself, run on a
// fresh user directory (WAMP_START_USERDIR) and a free port, writes the flow file and starts
// Node-RED with the project's settings. In the browser: no dialog over the flow, the IoT
// example on its tab, its long comment inside the canvas, a Debug message within seconds (a
// short line, not whole messages every 2 s), an inject answered in the sidebar, no script
// error. The picture is the README's screenshot.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { type Browser, openEditor, screenshotDir } from '../support/browser';
import { freePort, stopChild, waitForOutput } from '../support/node-red-process';
import { projectRoot } from '../support/package-in-node-red';
import { stepByStep } from '../support/step-by-step';

describe('the first start (npm start) in a real browser', function () {
  this.timeout(120000);
  stepByStep();
  let userDir: string;
  let child: ChildProcess;
  let output = '';
  let url: string;
  let browser: Browser;
  let page: Page;
  let opened: number;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-first-start-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'start.js')], {
      cwd: projectRoot,
      env: { ...process.env, WAMP_START_USERDIR: userDir, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitForOutput(child, () => output, /Started flows/, 60000);
    browser = await openEditor(url);
    page = browser.page;
    opened = Date.now();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page)
      await page
        .screenshot({ path: path.join(screenshotDir, 'failed-first-start.png') })
        .catch(() => undefined);
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      if (child) await stopChild(child, 'SIGTERM');
      if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    }
  });

  it('wrote the IoT example on a tab of its own', () => {
    const flow = JSON.parse(fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8')) as {
      id: string;
      type: string;
      z?: string;
    }[];
    const tabs = flow.filter((n) => n.type === 'tab');
    assert.equal(tabs.length, 1);
    for (const n of flow) if (n.z !== undefined) assert.equal(n.z, tabs[0].id, `${n.id} on the tab`);
    assert.ok(
      flow.some((n) => n.id === 'c00'),
      'the IoT example',
    );
  });

  it('opens on the flow, with no dialog over it', async () => {
    await page.locator('g.red-ui-flow-node-group[id="r00"]').waitFor();
    assert.equal(await page.locator('#red-ui-workspace-tabs .red-ui-tab').count(), 1);
    // Node-RED 4 asks about update notifications unless telemetry is settled in the settings.
    assert.equal(await page.getByText(/update notification/i).count(), 0, 'no update-notification question');
  });

  it('shows the long comment inside the canvas, not clipped at its left edge', async () => {
    const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    const comment = (await page
      .locator('g.red-ui-flow-node-group[id="c00"] rect.red-ui-flow-node')
      .boundingBox())!;
    assert.ok(comment.x >= chart.x, `comment starts at ${comment.x}, canvas at ${chart.x}`);
  });

  it('shows a Debug message within seconds: the temperature as one short line, not the whole message', async () => {
    const loaded = (Date.now() - opened) / 1000;
    const shown = Date.now();
    await page.click('#red-ui-tab-debug-link-button');
    // The sensor publishes every 2 s; the live view passes its summary to the "temperature"
    // debug node, which shows it as one short line, "21.3 °C (min 20.5, max 21.4)" (the whole
    // message with its WAMP details, every 2 s, flooded the sidebar).
    const reading = page.locator('.red-ui-debug-msg-node-d00').first();
    await reading.waitFor({ timeout: 30000 });
    const seconds = (Date.now() - shown) / 1000;
    console.log(
      `      (editor loaded in ${loaded.toFixed(1)} s; first Debug message ${seconds.toFixed(1)} s after the Debug tab opened)`,
    );
    const text = (await reading.textContent()) ?? '';
    assert.match(text, /"?[\d.]+ °C \(min [\d.]+, max [\d.]+\)"?/);
    assert.doesNotMatch(text, /_msgid|details|kwargs|topic/);
    const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    await page.mouse.click(chart.x + chart.width - 40, chart.y + chart.height - 40); // nothing selected in the picture
    await page.screenshot({ path: path.join(screenshotDir, 'first-start.png') });
  });

  it('answers the set point inject with the thermostat result in the Debug sidebar', async () => {
    await page.locator('g.red-ui-flow-node-group[id="i00s"] .red-ui-flow-node-button').click();
    const thermostat = page.locator('.red-ui-debug-msg-node-d00t').first();
    await thermostat.waitFor();
    assert.match((await thermostat.textContent()) ?? '', /21\.5/);
  });

  it('ran without a script error in the page (the Debug sidebar handler once threw on every message)', () => {
    assert.deepEqual(browser.errors, []);
  });
});
