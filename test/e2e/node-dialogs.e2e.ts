// The flow nodes' editor habits in a real headless Chromium (Debian's, via playwright-core): the
// palette at its default width (one-line labels, Node-RED's colours) in English and Chinese, port
// labels, typedInput fields, a new wamp-call's default timeout, and a flow saved by the editor of
// version 0.1.0 (no *Type properties) opened, saved and deployed again: its fields read as before
// and its calls still take msg.procedure. Screenshots go to E2E_SCREENSHOTS like editor.e2e's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { screenshotDir as shots } from '../support/browser';
import { editorUnderTest } from '../support/editor-under-test';
import { pkg, projectRoot } from '../support/package-in-node-red';
import { stepByStep } from '../support/step-by-step';
const paletteTypes = Object.keys(pkg['node-red'].nodes).filter((t) => t !== 'wamp-connection');

/** The old-editor fixture as a real flow: helper nodes become debug nodes, and an inject calls. */
function oldEditorFlow(): object[] {
  const nodes = JSON.parse(
    fs.readFileSync(path.join(projectRoot, 'test/fixtures/old-editor-flow.json'), 'utf8'),
  ) as Array<Record<string, unknown>>;
  return [
    ...nodes.map((n, i) =>
      n.type === 'helper'
        ? {
            id: n.id,
            z: n.z,
            type: 'debug',
            active: true,
            complete: 'payload',
            x: 560,
            y: 40 + i * 40,
            wires: [],
          }
        : n,
    ),
    {
      id: 'inj',
      z: 'f1',
      type: 'inject',
      props: [{ p: 'payload' }, { p: 'procedure', v: 'com.test.old', vt: 'str' }],
      payload: 'from the editor',
      payloadType: 'str',
      repeat: '',
      once: false,
      x: 120,
      y: 100,
      wires: [['call']],
    },
  ];
}

describe('node dialogs and the palette in a real browser', function () {
  this.timeout(120000);
  stepByStep();
  const editor = editorUnderTest(() => ({ flows: oldEditorFlow() }), {
    viewport: { width: 1440, height: 760 },
  });
  let page: Page;
  const shot = (name: string): Promise<void> => editor.shot(name);
  const nodeRect = (id: string) => page.locator(`g.red-ui-flow-node-group[id="${id}"] rect.red-ui-flow-node`);

  before(async () => {
    page = editor.page;
    await nodeRect('call').waitFor();
  });

  /**
   * Per WAMP palette node: its label's lines and its colour, at the palette's default width. The
   * palette breaks a long label into lines with <br>; the height is measured too, in case of CSS
   * wrapping. (In-page code as a string: this project's TypeScript has no DOM library.)
   */
  async function palette(): Promise<{ type: string; label: string; lines: number; colour: string }[]> {
    await page.locator('#red-ui-palette-container-WAMP .red-ui-palette-node').first().waitFor();
    return page.evaluate(`[...document.querySelectorAll('#red-ui-palette-container-WAMP .red-ui-palette-node')].map((el) => {
      const label = el.querySelector('.red-ui-palette-label');
      const lineHeight = parseFloat(getComputedStyle(label).lineHeight);
      return {
        type: el.getAttribute('data-palette-type'),
        label: label.textContent,
        lines: Math.max(label.querySelectorAll('br').length + 1, Math.round(label.offsetHeight / lineHeight)),
        colour: getComputedStyle(el).backgroundColor,
      };
    })`);
  }

  /** The type and value of each typedInput field of the open dialog, by input id. */
  function typedFields(ids: string[]): Promise<Record<string, [string, string]>> {
    return page.evaluate(
      `Object.fromEntries(${JSON.stringify(ids)}.map((id) => [id, [$('#node-input-' + id).typedInput('type'), $('#node-input-' + id).typedInput('value')]]))`,
    );
  }

  /** The WAMP category of the palette, header and nodes, in a picture. */
  async function paletteShot(opts: { path: string }): Promise<void> {
    const category = page.locator('#red-ui-palette-container-WAMP');
    await category.scrollIntoViewIfNeeded();
    await category.screenshot(opts);
  }

  const rgb = (hex: string): string =>
    `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

  it('the palette, at its default width: one line per label, colours from Node-RED’s set', async () => {
    const width = await page.locator('#red-ui-palette').evaluate((el) => el.getBoundingClientRect().width);
    assert.equal(Math.round(width), 180, 'default palette width');
    const nodes = await palette();
    assert.deepEqual(nodes.map((n) => n.type).sort(), [...paletteTypes].sort());
    for (const n of nodes) assert.equal(n.lines, 1, `${n.type} "${n.label}" on ${n.lines} lines`);
    const colour = Object.fromEntries(nodes.map((n) => [n.type, n.colour]));
    assert.equal(colour['wamp-call'], rgb('#C0DEED'));
    assert.equal(colour['wamp-register'], rgb('#C0DEED'));
    assert.equal(colour['wamp-response'], rgb('#C0DEED'));
    assert.equal(colour['wamp-publish'], rgb('#C7E9C0'));
    assert.equal(colour['wamp-subscribe'], rgb('#C7E9C0'));
    assert.equal(colour['wamp-router'], rgb('#A6BBCF'));
    await paletteShot({ path: path.join(shots, 'palette.png') });
  });

  it('port labels on the input and the output of a wamp-call', async () => {
    for (const [port, text] of [
      ['.red-ui-flow-port-input', 'arguments'],
      ['.red-ui-flow-port-output', 'result'],
    ]) {
      await page.locator(`g.red-ui-flow-node-group[id="call"] g${port}`).hover();
      await page.locator('.red-ui-flow-port-tooltip').filter({ hasText: text }).waitFor();
      await page.mouse.move(5, 5);
      await page.locator('.red-ui-flow-port-tooltip').waitFor({ state: 'detached' });
    }
  });

  it('a wamp-call saved by the old editor opens with the fields it had: a string procedure, timeout 0 (none), msg.payload', async () => {
    await nodeRect('call').dblclick();
    await page.locator('#node-input-procedure').waitFor({ state: 'attached' });
    assert.deepEqual(await typedFields(['procedure', 'timeout', 'property']), {
      procedure: ['str', ''],
      timeout: ['num', '0'],
      property: ['msg', 'payload'],
    });
    // The procedure can come from where core nodes' fields can.
    await page
      .locator('#node-input-procedure')
      .locator('xpath=..')
      .locator('button.red-ui-typedInput-type-select')
      .click();
    const offered = await page
      .locator('.red-ui-typedInput-options:visible a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('value')));
    assert.deepEqual(offered, ['str', 'msg', 'flow', 'global', 'env']);
    // Choosing the type it has closes the menu and changes nothing.
    await page.locator('.red-ui-typedInput-options:visible a[value="str"]').click();
    await page.waitForFunction("$('.red-ui-typedInput-options:visible').length === 0");
    await shot('wamp-call-dialog');
    await page.click('#node-dialog-ok');
    await page.locator('#node-input-procedure').waitFor({ state: 'detached' });
  });

  it('deployed again, it is saved with explicit types that mean the same, and still calls msg.procedure', async () => {
    await page.locator('#red-ui-header-button-deploy:not(.disabled)').click();
    await page
      .locator('.red-ui-notification')
      .filter({ hasText: /Successfully deployed/ })
      .waitFor();
    const flows = JSON.parse((await editor.red.get('/flows')).body) as Array<Record<string, unknown>>;
    const call = flows.find((n) => n.id === 'call')!;
    assert.deepEqual(
      [call.procedure, call.procedureType, call.timeout, call.timeoutType, call.property, call.propertyType],
      ['', 'str', '0', 'num', 'payload', 'msg'],
    );
    await page.click('#red-ui-tab-debug-link-button');
    await page.locator('g.red-ui-flow-node-group[id="inj"] .red-ui-flow-node-button').click();
    await page
      .locator('.red-ui-debug-msg-node-out')
      .filter({ hasText: 'answered from the editor' })
      .waitFor();
  });

  it('a new wamp-call from the palette: timeout 120 s shown, string procedure, result to msg.payload', async () => {
    // Dragged from the palette: jQuery UI's draggable wants a press, a first small move, then the rest.
    const inPalette = page.locator(
      '#red-ui-palette-container-WAMP .red-ui-palette-node[data-palette-type="wamp-call"]',
    );
    await inPalette.scrollIntoViewIfNeeded();
    const from = (await inPalette.boundingBox())!;
    const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 5, { steps: 5 });
    await page.mouse.move(chart.x + 400, chart.y + 420, { steps: 20 });
    await page.mouse.up();
    // Unnamed and with no procedure, it reads "wamp call", like the old node (id "call").
    const added = page.locator('g.red-ui-flow-node-group:not([id="call"])').filter({ hasText: 'wamp call' });
    await added.locator('rect.red-ui-flow-node').dblclick();
    await page.locator('#node-input-timeout').waitFor({ state: 'attached' });
    assert.deepEqual(await typedFields(['procedure', 'timeout', 'property']), {
      procedure: ['str', ''],
      timeout: ['num', '120'],
      property: ['msg', 'payload'],
    });
    await page.click('#node-dialog-cancel');
    await page.locator('#node-input-timeout').waitFor({ state: 'detached' });
  });

  it('every help has a References section', async () => {
    await nodeRect('call').click();
    await page.click('#red-ui-tab-help-link-button');
    const help = page.locator('.red-ui-help');
    await help.locator('h3', { hasText: 'References' }).waitFor();
    await help.locator('a[href^="https://wamp-proto.org/"]').first().waitFor();
  });

  it('in zh-CN: one-line palette labels and the 参考 section', async () => {
    await page.evaluate("localStorage.setItem('editor-language', 'zh-CN')");
    await page.reload();
    await nodeRect('call').waitFor();
    const nodes = await palette();
    for (const n of nodes) assert.equal(n.lines, 1, `${n.type} "${n.label}" on ${n.lines} lines`);
    assert.ok(nodes.some((n) => n.label === '调用'));
    await nodeRect('call').click();
    await page.click('#red-ui-tab-help-link-button');
    await page.locator('.red-ui-help h3', { hasText: '参考' }).waitFor();
    await paletteShot({ path: path.join(shots, 'palette-zh-CN.png') });
  });

  it('ran without a script error in the page', () => {
    assert.deepEqual(editor.errors, []);
  });
});
