// The WAMP sidebar tab in a real headless Chromium: a router node deployed on its own port, the
// tab opened, a client joining (its session row appears, with its registration), the tab
// readable at the sidebar's default width, the call tester answering, and the session
// disappearing when the client leaves; a realm's event history and a revocation shown.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Session } from '../../src/client';
import { connectTransport } from '../../src/transports';
import { screenshotDir as shots } from '../support/browser';
import { editorUnderTest } from '../support/editor-under-test';
import { freePort } from '../support/node-red-process';
import { stepByStep } from '../support/step-by-step';

describe('the WAMP sidebar tab in a real browser', function () {
  this.timeout(120000);
  stepByStep();
  let port: number;
  let client: Session | undefined;
  // Declared before the editor's hooks, so it runs before Node-RED stops.
  after(async () => {
    if (client?.isOpen) await client.leave();
  });
  const editor = editorUnderTest(async () => {
    port = await freePort();
    return {
      flows: [
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
            { name: 'sensors', anonymous: true, anonymousRole: 'operator' },
          ],
          accounts: [],
          // In sensors the operator may remove subscriptions (a grant by name), for the revocation.
          roles: JSON.stringify([
            {
              realm: 'sensors',
              name: 'operator',
              permissions: [
                { uri: '', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
                { uri: 'wamp.', match: 'prefix', call: true, subscribe: true },
              ],
            },
          ]),
          history: [{ realm: 'sensors', uri: 'com.sensor.temp', match: 'exact', limit: 10 }],
          x: 200,
          y: 100,
          wires: [],
        },
      ],
    };
  });
  let page: Page;

  before(() => {
    page = editor.page;
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
    await client.subscribe('com.plant.sensors.pressure.line_3.outlet', () => undefined);
    await page.locator(`tr.wamp-rv-session[data-session="${client.id}"]`).waitFor();
    const row = await page.locator(`tr.wamp-rv-session[data-session="${client.id}"]`).innerText();
    // The transport in plain text, as the URL scheme a client uses (no emoji glyph).
    assert.match(row, /anonymous\s+ws\/json\s+127\.0\.0\.1:/);
    await page.getByText('com.plant.pump.start').first().waitFor();
    await page.getByText('com.plant.sensors.pressure.line_3.outlet').first().waitFor();
  });

  it('is readable at the default sidebar width: short ids, no cell over two lines, tables scroll in their card', async () => {
    const sidebarWidth = await page.evaluate(
      "document.querySelector('#red-ui-sidebar').getBoundingClientRect().width",
    );
    // Node-RED's default: the test never resizes the sidebar.
    assert.ok(Number(sidebarWidth) < 400, `sidebar ${String(sidebarWidth)} px wide`);
    const idCell = page.locator(`tr.wamp-rv-session[data-session="${client!.id}"] td`).first();
    assert.equal(await idCell.getAttribute('title'), String(client!.id), 'the whole id on hover');
    assert.ok(((await idCell.textContent()) ?? '').length <= 7, `short id: ${await idCell.textContent()}`);
    const authid = page.locator(`tr.wamp-rv-session[data-session="${client!.id}"] td`).nth(1);
    // The router gives anonymous sessions an authid of its own (WELCOME.Details.authid).
    assert.equal(await authid.getAttribute('title'), String(client!.details.authid));
    const report = (await page.evaluate(`(() => {
      const out = { tall: [], overflowingCards: [], nonAscii: [] };
      for (const cell of document.querySelectorAll('.wamp-rv-body td, .wamp-rv-body th')) {
        const style = getComputedStyle(cell);
        const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
        const inner = cell.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        if (cell.querySelector('button')) continue; // the kill button is a control, not text
        if (inner > 2 * line + 1) out.tall.push(cell.textContent + ' (' + Math.round(inner) + ' px)');
      }
      for (const card of document.querySelectorAll('.wamp-rv-realm')) {
        if (card.scrollWidth > card.clientWidth + 1) out.overflowingCards.push(card.dataset.realm);
      }
      for (const row of document.querySelectorAll('tr.wamp-rv-session')) {
        const transport = row.children[3].textContent;
        if (!/^[ -~]+$/.test(transport)) out.nonAscii.push(transport);
      }
      return out;
    })()`)) as { tall: string[]; overflowingCards: string[]; nonAscii: string[] };
    assert.deepEqual(report, { tall: [], overflowingCards: [], nonAscii: [] });
    // The sessions table is wider than the card: it scrolls sideways inside it, its last column reachable.
    const scroller = page.locator('.wamp-rv-realm[data-realm="realm1"] .wamp-rv-scroll').first();
    const widths = (await scroller.evaluate((el) => [el.scrollWidth, el.clientWidth])) as number[];
    if (widths[0] > widths[1]) {
      await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
      await page
        .locator(`tr.wamp-rv-session[data-session="${client!.id}"] .wamp-rv-kill`)
        .click({ trial: true });
    }
    const sidebar = (await page.locator('#red-ui-sidebar').boundingBox())!;
    await scroller.evaluate((el) => el.scrollTo({ left: 0 }));
    await page.screenshot({
      path: path.join(shots, 'router-view.png'),
      clip: { x: sidebar.x, y: 0, width: sidebar.width, height: Math.min(sidebar.y + sidebar.height, 900) },
    });
  });

  it('the call tester sends a call from the editor and shows the answer', async () => {
    await page.locator('.wamp-rv-uri').fill('com.plant.pump.start');
    await page.locator('.wamp-rv-send').click();
    await page.waitForFunction(
      "/started/.test(document.querySelector('.wamp-rv-answer')?.textContent ?? '')",
    );
    await editor.shot('router-view-e2e');
  });

  it('the session disappears when the client leaves', async () => {
    const id = client!.id;
    await client!.leave();
    await page.locator(`tr.wamp-rv-session[data-session="${id}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(editor.errors, [], 'no script error in the editor');
  });

  it("shows a realm's event history (events kept of the limit) and a revocation with its reason", async () => {
    const s = new Session(await connectTransport({ url: `ws://127.0.0.1:${port}/ws` }), { realm: 'sensors' });
    await s.join();
    try {
      for (const n of [20.5, 21]) await s.publish('com.sensor.temp', [n], {}, { acknowledge: true });
      const sub = await s.subscribe('com.sensor.alarm', () => {});
      await s.call('wamp.subscription.remove_subscriber', [sub.id, s.id], {
        reason: 'com.plant.maintenance',
      });
      const realm = page.locator('.wamp-rv-realm[data-realm="sensors"]');
      // The view is pushed what changed: wait until it shows both events.
      await page.waitForFunction(
        "/2 \\/ 10/.test(document.querySelector('.wamp-rv-realm[data-realm=\"sensors\"] tr.wamp-rv-history')?.textContent ?? '')",
      );
      assert.deepEqual(await realm.locator('tr.wamp-rv-history td').allInnerTexts(), [
        'com.sensor.temp',
        'exact',
        '2 / 10',
      ]);
      const revoked = realm.locator('tr.wamp-rv-revocation');
      await revoked.waitFor();
      const texts = await revoked.locator('td').allInnerTexts();
      assert.deepEqual(texts.slice(0, 3), ['subscription', 'com.sensor.alarm', 'com.plant.maintenance']);
      await page.screenshot({ path: path.join(shots, 'router-view-history.png') });
    } finally {
      await s.leave();
    }
    assert.deepEqual(editor.errors, [], 'no script error in the editor');
  });
});
