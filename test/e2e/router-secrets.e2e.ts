// The wamp-router dialog's secrets in a real headless Chromium: a stored ticket comes back only as
// Node-RED's __PWRD__ placeholder, a user added beside it gets its own credential, and after
// deploy both tickets work while neither ever reaches the browser. A realm with users admits no
// anonymous session unless ticked.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { Connection } from '../../src/client';
import { editorUnderTest } from '../support/editor-under-test';
import { freePort } from '../support/node-red-process';
import { stepByStep } from '../support/step-by-step';
const ALICE = 'alice-ticket-5d1e-never-in-the-browser';
const DAVE = 'dave-ticket-88ac-never-in-the-browser';

async function joins(url: string, authid?: string, ticket?: string): Promise<boolean> {
  const conn = new Connection({ url, realm: 'realm1', authid, ticket, reconnect: { enabled: false } });
  conn.open();
  try {
    await conn.connected(10_000);
    return true;
  } catch {
    return false;
  } finally {
    await conn.close();
  }
}

describe('the wamp-router dialog keeps secrets out of the browser', function () {
  this.timeout(120000);
  stepByStep();
  let port: number;
  const seen: string[] = [];
  const editor = editorUnderTest(
    async () => {
      port = await freePort();
      return {
        flows: [
          { id: 'f1', type: 'tab', label: 'plant' },
          {
            id: 'r1',
            type: 'wamp-router',
            z: 'f1',
            usePort: true,
            host: '127.0.0.1',
            port,
            path: '/ws',
            realms: [{ name: 'realm1' }],
            accounts: [{ realm: 'realm1', authid: 'alice', role: 'user', method: 'ticket', slot: 0 }],
            roles: '[]',
            x: 200,
            y: 100,
            wires: [],
          },
        ],
        credentials: { r1: { secret0: ALICE } },
      };
    },
    {
      // Everything the browser is sent, to show that no secret is among it.
      beforeLoad: (page) =>
        page.on('response', async (res) => {
          const type = res.headers()['content-type'] ?? '';
          if (/json|javascript|html|text/.test(type)) seen.push(await res.text().catch(() => ''));
        }),
    },
  );
  let page: Page;

  before(async () => {
    page = editor.page;
    await page.waitForFunction("!!(window.RED && RED.nodes && RED.nodes.node('r1'))");
  });

  const url = (): string => `ws://127.0.0.1:${port}/ws`;

  it('before any edit: alice logs in, anonymous does not (a realm with users)', async () => {
    assert.equal(await joins(url(), 'alice', ALICE), true);
    assert.equal(await joins(url()), false);
  });

  it("shows alice's stored ticket only as the placeholder, and the realm's anonymous box unticked", async () => {
    await page.locator('g.red-ui-flow-node-group[id="r1"] rect.red-ui-flow-node').dblclick();
    const secret = page.locator('.wamp-user-secret').first();
    await secret.waitFor({ state: 'visible' });
    assert.equal(await secret.inputValue(), '__PWRD__');
    assert.equal(await secret.getAttribute('type'), 'password');
    assert.equal(await page.locator('.wamp-realm-anon').first().isChecked(), false);
  });

  it('adds dave with a ticket, deploys; both tickets work', async () => {
    const users = page.locator('.red-ui-editableList', { has: page.locator('#node-input-user-list') });
    await users.locator('.red-ui-editableList-addButton').click();
    await page.locator('.wamp-user-authid').nth(1).fill('dave');
    await page.locator('.wamp-user-secret').nth(1).fill(DAVE);
    await page.click('#node-dialog-ok');
    await page.locator('.wamp-user-secret').first().waitFor({ state: 'detached' });
    await page.click('#red-ui-header-button-deploy');
    await page.locator('#red-ui-header-button-deploy.disabled').waitFor();
    // The router restarts with the new configuration.
    let both = false;
    for (let i = 0; i < 40 && !both; i++) {
      both = (await joins(url(), 'dave', DAVE)) && (await joins(url(), 'alice', ALICE));
      if (!both) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(both, 'alice kept her ticket, dave has his');
    assert.equal(await joins(url()), false);
  });

  it('reopened, both show the placeholder; no secret ever reached the browser', async () => {
    await page.locator('g.red-ui-flow-node-group[id="r1"] rect.red-ui-flow-node').dblclick();
    await page.locator('.wamp-user-secret').nth(1).waitFor({ state: 'visible' });
    assert.deepEqual(
      await page
        .locator('.wamp-user-secret')
        .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)),
      ['__PWRD__', '__PWRD__'],
    );
    await page.click('#node-dialog-cancel');
    const creds = await page.evaluate(async () => (await fetch('credentials/wamp-router/r1')).text());
    seen.push(creds);
    assert.match(creds, /has_secret0/);
    for (const body of seen) {
      assert.ok(!body.includes(ALICE), 'alice ticket sent to the browser');
      assert.ok(!body.includes(DAVE), 'dave ticket sent back to the browser');
    }
  });
});
