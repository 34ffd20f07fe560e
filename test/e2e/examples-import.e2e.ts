// Every example through Menu > Import > Examples, one after the other into the same editor, as
// a user trying them out would: each lands whole on the canvas, with no "nodes already exist"
// conflict (Node-RED imports examples with their own ids, so two examples must never share
// one) and no script error.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { editorUnderTest } from '../support/editor-under-test';
import { exampleNames, pkg, projectRoot } from '../support/package-in-node-red';

const IMPORT_DRAGGING = 'RED.view.state() === RED.state.IMPORT_DRAGGING';

async function importExample(page: Page, name: string): Promise<void> {
  await page.click('#red-ui-header-button-sidemenu');
  await page.click('#menu-item-import');
  await page.click('#red-ui-clipboard-dialog-import-tabs a:has-text("Examples")');
  const tree = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
  const pkgEntry = tree.locator(`.red-ui-treeList-label-text:text-is("${pkg.name}")`);
  const entry = tree.locator(`.red-ui-treeList-label-text:text-is("${name}")`);
  const importButton = page.locator('#red-ui-clipboard-dialog-ok:not(.disabled):not([disabled])');
  // The dialog remembers the tree as it was left, and may still be building it: the package is
  // opened only when the example is not showing, and the example clicked until it is chosen
  // (Import comes alive).
  await pkgEntry.waitFor();
  for (let attempt = 0; ; attempt++) {
    assert.ok(attempt < 10, `${name}: never chosen in the examples tree`);
    if (await entry.isVisible()) {
      await entry.scrollIntoViewIfNeeded();
      await entry.click();
    } else await pkgEntry.click();
    const chosen = await importButton.waitFor({ timeout: 3000 }).then(
      () => true,
      () => false,
    );
    if (chosen) break;
  }
  await importButton.click();
  // The nodes follow the mouse until a click drops them; a click before the editor picked them
  // up is lost, so it is repeated until they are down.
  const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
  await page.waitForFunction(IMPORT_DRAGGING);
  for (let attempt = 0; ; attempt++) {
    assert.ok(attempt < 10, `${name}: the imported nodes were never dropped`);
    await page.mouse.move(chart.x + 130 + attempt, chart.y + 30, { steps: 5 });
    await page.mouse.click(chart.x + 140, chart.y + 30);
    const dropped = await page.waitForFunction(`!(${IMPORT_DRAGGING})`, undefined, { timeout: 3000 }).then(
      () => true,
      () => false,
    );
    if (dropped) break;
  }
}

describe('every example imports cleanly from Menu > Import > Examples', function () {
  this.timeout(180000);
  const editor = editorUnderTest(() => ({ flows: [] }));
  let page: Page;

  before(async () => {
    page = editor.page;
    await page.waitForFunction("!!(window.RED && RED.nodes && RED.nodes.getType('wamp-router'))");
  });

  // Each example on its own: a failed import leaves no dialog over the editor for the next one.
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    await page.keyboard.press('Escape').catch(() => undefined);
    await page.keyboard.press('Escape').catch(() => undefined);
  });

  for (const name of [...exampleNames].sort()) {
    it(name, async () => {
      const nodes = JSON.parse(
        fs.readFileSync(path.join(projectRoot, 'examples', `${name}.json`), 'utf8'),
      ) as {
        id: string;
      }[];
      await importExample(page, name);
      const missing = (await page.evaluate(
        `${JSON.stringify(nodes.map((n) => n.id))}.filter((id) => !RED.nodes.node(id))`,
      )) as string[];
      assert.deepEqual(missing, [], `${name}: nodes not in the workspace`);
      const conflict = page.locator('.red-ui-notification').filter({ hasText: /already exist/i });
      assert.equal(await conflict.count(), 0, `${name}: an import conflict`);
      const unknown = (await page.evaluate(
        "RED.nodes.filterNodes({}).filter((n) => n._def && n._def.category === 'unknown').map((n) => n.type)",
      )) as string[];
      assert.deepEqual(unknown, []);
    });
  }

  it('ran without a script error in the page', () => {
    assert.deepEqual(editor.errors, []);
  });
});
