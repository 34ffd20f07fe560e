// The editor as a user sees it, in a real headless Chromium (Debian's, driven by playwright-core;
// no browser is ever downloaded): the WAMP palette category, Menu > Import > Examples, deploy,
// every status dot green, the example's messages in the Debug sidebar, a configuration dialog,
// a help panel, and the editor switched to Chinese. One browser session, step by step, as a user
// would go; screenshots go to E2E_SCREENSHOTS (default test-results/screenshots).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { editorUnderTest } from '../support/editor-under-test';
import { pkg, projectRoot } from '../support/package-in-node-red';
import { stepByStep } from '../support/step-by-step';

const exampleName = '01 - end-to-end RPC and PubSub';
const example = JSON.parse(
  fs.readFileSync(path.join(projectRoot, 'examples', `${exampleName}.json`), 'utf8'),
) as { id: string; type: string }[];
// Every WAMP flow node of the example reports its connection in a status, except wamp-response,
// which answers invocations and has nothing of its own to report.
const statusNodes = example
  .filter((n) => n.type.startsWith('wamp-') && !['wamp-connection', 'wamp-response'].includes(n.type))
  .map((n) => n.id);
const paletteTypes = Object.keys(pkg['node-red'].nodes).filter((t) => t !== 'wamp-connection');

describe('the editor in a real browser', function () {
  this.timeout(120000);
  // One user session, step by step: after a failed step the later ones say nothing new.
  stepByStep();
  const editor = editorUnderTest(() => ({ flows: [] }), { viewport: { width: 1440, height: 760 } });
  let page: Page;
  const shot = (name: string): Promise<void> => editor.shot(name);

  before(() => {
    page = editor.page;
  });

  it('shows the WAMP palette category with every flow node', async () => {
    const category = page.locator('#red-ui-palette-container-WAMP');
    await category.locator('.red-ui-palette-node').first().waitFor();
    const types = await category
      .locator('.red-ui-palette-node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-palette-type')));
    assert.deepEqual([...types].sort(), [...paletteTypes].sort());
  });

  it('imports the end-to-end example from Menu > Import > Examples', async () => {
    await page.click('#red-ui-header-button-sidemenu');
    await page.click('#menu-item-import');
    await page.click('#red-ui-clipboard-dialog-import-tabs a:has-text("Examples")');
    const tree = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await tree.locator(`.red-ui-treeList-label-text:text-is("${pkg.name}")`).click();
    await tree.locator(`.red-ui-treeList-label-text:text-is("${exampleName}")`).click();
    await page.click('#red-ui-clipboard-dialog-ok');
    for (const id of statusNodes) await page.locator(`g.red-ui-flow-node-group[id="${id}"]`).waitFor();
    // Imported nodes follow the mouse until a click drops them (at the top left of the canvas);
    // dropped, they are a change to deploy and the Deploy button comes alive. A click that came
    // before the editor picked the nodes up is lost, so it is repeated (a few times at most).
    const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
    assert.ok(chart);
    const deployable = page.locator('#red-ui-header-button-deploy:not(.disabled)');
    for (let attempt = 0; ; attempt++) {
      await page.mouse.move(chart.x + 130 + attempt, chart.y + 30, { steps: 5 });
      await page.mouse.click(chart.x + 140, chart.y + 30);
      const dropped = await deployable.waitFor({ timeout: 3000 }).then(
        () => true,
        () => false,
      );
      if (dropped) break;
      assert.ok(attempt < 4, 'the imported nodes were never dropped on the canvas');
    }
  });

  it('deploys, and every WAMP node shows a green dot', async () => {
    await page.click('#red-ui-header-button-deploy');
    for (const id of statusNodes) {
      await page
        .locator(`g.red-ui-flow-node-group[id="${id}"] .red-ui-flow-node-status-dot-green`)
        .waitFor({ state: 'visible' });
    }
  });

  it('shows the sum 5 and the event in the Debug sidebar', async () => {
    await page.click('#red-ui-tab-debug-link-button');
    const sum = page.locator('.red-ui-debug-msg-node-d01').first();
    const event = page.locator('.red-ui-debug-msg-node-d02').first();
    await sum.waitFor();
    await event.waitFor();
    // The top-level properties of the message object, as the sidebar renders them.
    const props = await sum.locator('.red-ui-debug-msg-object-key').evaluateAll((keys) =>
      Object.fromEntries(
        keys.map((k) => {
          let v = k.nextElementSibling;
          while (v && !v.classList.contains('red-ui-debug-msg-object-value')) v = v.nextElementSibling;
          return [k.textContent, v?.textContent];
        }),
      ),
    );
    assert.equal(props.payload, '5', JSON.stringify(props));
    assert.match((await event.textContent()) ?? '', /com\.example\.hello[\s\S]*hello from Node-RED/);
    const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    await page.mouse.click(chart.x + 20, chart.y + chart.height - 40); // an empty spot: nothing selected in the picture
    await page
      .locator('.red-ui-notification')
      .first()
      .waitFor({ state: 'detached', timeout: 15000 })
      .catch(() => undefined);
    await shot('example-flow');
  });

  it("opens a wamp-call's connection in its configuration dialog", async () => {
    await page.locator('g.red-ui-flow-node-group[id="call01"] rect.red-ui-flow-node').dblclick();
    // A typedInput: the input itself is hidden behind the widget.
    await page.locator('#node-input-procedure').waitFor({ state: 'attached' });
    assert.equal(await page.inputValue('#node-input-procedure'), 'com.example.add');
    // Unnamed, the connection is labelled for what it is: its realm at the router's own label.
    assert.equal(
      (await page.locator('#node-input-connection option:checked').textContent())?.trim(),
      'realm1 @ router /wamp',
    );
    await page.click('#node-input-btn-connection-edit');
    await page.locator('#node-config-input-realm').waitFor({ state: 'visible' });
    assert.equal(await page.inputValue('#node-config-input-realm'), 'realm1');
    // The detail behind the short status, from the running connection.
    const state = page.locator('#wamp-conn-state');
    await state.waitFor({ state: 'visible' });
    assert.match(
      (await state.textContent()) ?? '',
      /^Connected to in-process router r01 since .*: realm realm1, session \d+, authid \S+, authrole anonymous\.$/,
    );
    // The dialog fits the window once it has slid in: its buttons are reachable (a fixed-width
    // form once pushed them off). The editor animates trays with jQuery.
    await page.waitForFunction("window.$ && $('.red-ui-tray:animated').length === 0");
    await page.locator('#node-config-dialog-ok').click({ trial: true }); // waits until it stands still
    const update = (await page.locator('#node-config-dialog-ok').boundingBox())!;
    assert.ok(update.x + update.width <= page.viewportSize()!.width, `Update button at x=${update.x}`);
    await shot('connection-dialog');
    // An environment variable as the URL is valid (Node-RED substitutes it at deploy); a bad URL is not.
    await page.selectOption('#node-config-input-transport', 'url');
    // The first router URL of the list (the hidden url field carries it).
    const url = page.locator('.node-config-wamp-conn-url').first();
    const marked = (): Promise<boolean> => url.evaluate((e) => e.classList.contains('input-error'));
    await url.fill(`\${WAMP_URL}`);
    await url.dispatchEvent('change');
    assert.equal(await marked(), false, 'an environment variable is accepted');
    assert.equal(await page.inputValue('#node-config-input-url'), `\${WAMP_URL}`);
    await url.fill('not a url');
    await url.dispatchEvent('change');
    assert.equal(await marked(), true, 'a bad URL is marked');
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
    await page.locator('#node-input-procedure').waitFor({ state: 'detached' });
  });

  it("a connection added from a flow node's dialog goes to the workspace's wamp-router in-process", async () => {
    await page.locator('g.red-ui-flow-node-group[id="call01"] rect.red-ui-flow-node').dblclick();
    await page.locator('#node-input-procedure').waitFor({ state: 'attached' });
    await page.click('#node-input-btn-connection-add');
    await page.locator('#node-config-input-realm').waitFor({ state: 'visible' });
    assert.equal(await page.inputValue('#node-config-input-transport'), 'local');
    assert.equal(await page.inputValue('#node-config-input-router'), 'r01');
    assert.equal(
      (await page.locator('#node-config-input-router option:checked').textContent())?.trim(),
      'router /wamp',
    );
    await page.waitForFunction("window.$ && $('.red-ui-tray:animated').length === 0");
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
    await page.locator('#node-input-procedure').waitFor({ state: 'detached' });
  });

  it('edits the list of router URLs of a connection: rows added, the first kept as url', async () => {
    await page.locator('g.red-ui-flow-node-group[id="call01"] rect.red-ui-flow-node').dblclick();
    await page.locator('#node-input-procedure').waitFor({ state: 'attached' });
    await page.click('#node-input-btn-connection-edit');
    await page.locator('#node-config-input-transport').waitFor({ state: 'visible' });
    await page.selectOption('#node-config-input-transport', 'url');
    const rows = page.locator('#node-config-wamp-conn-urls .node-config-wamp-conn-url');
    await rows.first().waitFor({ state: 'visible' });
    // An older flow's single url shows as the one row.
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().inputValue(), 'ws://127.0.0.1:8080/ws');
    await page.locator('.node-config-wamp-conn-urls-row .red-ui-editableList-addButton').click();
    await rows.nth(1).fill('rs://127.0.0.1:8081');
    await page.click('#node-config-dialog-ok');
    await page.locator('#node-config-input-transport').waitFor({ state: 'detached' });
    // A string: the page's globals are not this file's types.
    const saved = await page.evaluate(
      "(() => { const n = RED.nodes.node('k01'); return { url: n.url, urls: n.urls, transport: n.transport }; })()",
    );
    assert.deepEqual(saved, {
      url: 'ws://127.0.0.1:8080/ws',
      urls: ['ws://127.0.0.1:8080/ws', 'rs://127.0.0.1:8081'],
      transport: 'url',
    });
    await page.click('#node-dialog-cancel');
    await page.locator('#node-input-procedure').waitFor({ state: 'detached' });
  });

  it("shows a node's help in the Help sidebar", async () => {
    await page.locator('g.red-ui-flow-node-group[id="call01"] rect.red-ui-flow-node').click();
    await page.click('#red-ui-tab-help-link-button');
    const help = page.locator('.red-ui-help');
    await help.getByText('Calls a remote procedure through a WAMP router').waitFor();
    await shot('help');
  });

  it('switches the editor to zh-CN and shows the Chinese labels and help', async () => {
    await page.click('#red-ui-header-button-sidemenu');
    await page.click('#menu-item-user-settings');
    await page.selectOption('#user-settings-editor-language', 'zh-CN');
    await page.click('#node-dialog-ok');
    // The choice is stored when the settings tray has closed; the editor applies it on the next load.
    await page.waitForFunction("localStorage.getItem('editor-language') === 'zh-CN'");
    await page.reload();
    const call = page.locator(
      '#red-ui-palette-container-WAMP .red-ui-palette-node[data-palette-type="wamp-call"]',
    );
    await call.waitFor();
    assert.match((await call.textContent()) ?? '', /调用/);
    // Statuses too: the runtime sends catalogue keys, the editor shows them in the user's language.
    await page.waitForFunction(
      `document.querySelector('g.red-ui-flow-node-group[id="call01"] .red-ui-flow-node-status-label')?.textContent === '已连接'`,
    );
    await page.locator('g.red-ui-flow-node-group[id="call01"] rect.red-ui-flow-node').click();
    await page.click('#red-ui-tab-help-link-button');
    await page.locator('.red-ui-help').getByText('通过 WAMP 路由器调用远程过程').waitFor();
    await shot('zh-CN');
  });

  it('ran without a script error in the page', () => {
    assert.deepEqual(editor.errors, []);
  });
});
