// The wamp-router dialog in a real browser: the empty Users and Roles lists say they are empty
// (not a thin sliver); a role is built in its editable list (name, realm, a row of URI pattern,
// match and actions) and saved as the roles the runtime reads; the JSON button shows the same
// roles as JSON and takes a pasted list back; an event history row is saved and shown again.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { editorUnderTest } from '../support/editor-under-test';
import { stepByStep } from '../support/step-by-step';

interface Role {
  name: string;
  realm?: string;
  permissions: Record<string, unknown>[];
}

const rolesOf = (page: Page): Promise<Role[]> =>
  page.evaluate("JSON.parse(RED.nodes.node('r1').roles)") as Promise<Role[]>;

async function openDialog(page: Page): Promise<void> {
  await page.locator('g.red-ui-flow-node-group[id="r1"] rect.red-ui-flow-node').dblclick();
  await page.locator('#node-input-roles-json').waitFor();
  await page.waitForFunction("window.$ && $('.red-ui-tray:animated').length === 0");
}

describe('the wamp-router dialog in a real browser', function () {
  this.timeout(120000);
  stepByStep();
  const editor = editorUnderTest(() => ({
    flows: [
      { id: 'f1', type: 'tab', label: 'plant' },
      {
        id: 'r1',
        type: 'wamp-router',
        z: 'f1',
        name: 'Plant router',
        realms: [{ name: 'realm1', anonymous: true }],
        accounts: [],
        roles: '[]',
        x: 200,
        y: 100,
        wires: [],
      },
    ],
  }));
  let page: Page;

  before(async () => {
    page = editor.page;
    await page.locator('g.red-ui-flow-node-group[id="r1"]').waitFor();
  });

  it('shows the empty Users and Roles lists as a row saying so, not a thin sliver', async () => {
    await openDialog(page);
    // The list's container: what the user sees as the list's box.
    for (const id of ['#node-input-user-list', '#node-input-role-list']) {
      const box = (await page.locator(`.red-ui-editableList-container:has(> ${id})`).boundingBox())!;
      assert.ok(box.height >= 30, `${id} is ${box.height} px high`);
    }
    const says = await page.evaluate(
      "getComputedStyle(document.querySelector('#node-input-user-list').parentElement, '::before').content",
    );
    assert.match(String(says), /No users/);
  });

  it('builds a role in the list: name, realm, a URI pattern with its match and actions', async () => {
    // The editableList's add button sits right after the list's container.
    await page
      .locator('.red-ui-editableList:has(#node-input-role-list) button.red-ui-editableList-addButton')
      .click();
    const role = page.locator('#node-input-role-list > li').last();
    await role.locator('.wamp-role-name').fill('sensor');
    await role.locator('.wamp-role-realm').fill('realm1');
    const perm = role.locator('.wamp-role-perm').first();
    await perm.locator('.wamp-perm-uri').fill('com.plant.');
    assert.equal(await perm.locator('.wamp-perm-match').inputValue(), 'prefix');
    await perm.locator('.wamp-perm-publish').check();
    await perm.locator('.wamp-perm-call').check();
    await role.locator('.wamp-perm-add').click();
    const second = role.locator('.wamp-role-perm').nth(1);
    await second.locator('.wamp-perm-uri').fill('com.plant.config.reset');
    await second.locator('.wamp-perm-match').selectOption('exact');
    await editor.shot('router-roles');
    await page.click('#node-dialog-ok');
    await page.locator('#node-input-roles-json').waitFor({ state: 'detached' });
    assert.deepEqual(await rolesOf(page), [
      {
        name: 'sensor',
        realm: 'realm1',
        permissions: [
          {
            uri: 'com.plant.',
            match: 'prefix',
            call: true,
            register: false,
            publish: true,
            subscribe: false,
          },
          {
            uri: 'com.plant.config.reset',
            match: 'exact',
            call: false,
            register: false,
            publish: false,
            subscribe: false,
          },
        ],
      },
    ]);
  });

  it('shows the saved role again, and the JSON button exports it and imports a pasted list', async () => {
    await openDialog(page);
    const role = page.locator('#node-input-role-list > li');
    assert.equal(await role.count(), 1);
    assert.equal(await role.locator('.wamp-role-name').inputValue(), 'sensor');
    assert.equal(await role.locator('.wamp-role-perm').count(), 2);

    await page.click('#node-input-roles-json');
    // Node-RED's JSON editor (Monaco or Ace) opens in its own tray with the roles.
    const text = page.locator('.red-ui-tray:last-child .red-ui-editor-text-container');
    await text.waitFor();
    await page.waitForFunction("window.$ && $('.red-ui-tray:animated').length === 0");
    const shown = await page.evaluate(
      "(() => { const t = document.querySelector('.red-ui-tray:last-child .red-ui-editor-text-container'); return t.innerText; })()",
    );
    assert.match(String(shown), /"com\.plant\."/);
    const pasted: Role[] = [
      {
        name: 'operator',
        permissions: [{ uri: 'com.plant.', match: 'prefix', call: true, subscribe: true }],
      },
      {
        name: 'device',
        realm: 'realm1',
        permissions: [{ uri: 'com.plant..status', match: 'wildcard', publish: true }],
      },
    ];
    await text.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify(pasted));
    await page.locator('.red-ui-tray:last-child #node-dialog-ok').click();
    await page.waitForFunction("document.querySelectorAll('#node-input-role-list > li').length === 2");
    assert.equal(
      await page.locator('#node-input-role-list > li').first().locator('.wamp-role-name').inputValue(),
      'operator',
    );
    await page.click('#node-dialog-ok');
    await page.locator('#node-input-roles-json').waitFor({ state: 'detached' });
    const saved = await rolesOf(page);
    assert.deepEqual(
      saved.map((r) => [
        r.name,
        r.realm,
        r.permissions.map((p) => [p.uri, p.match, p.call, p.publish, p.subscribe]),
      ]),
      [
        ['operator', undefined, [['com.plant.', 'prefix', true, false, true]]],
        ['device', 'realm1', [['com.plant..status', 'wildcard', false, true, false]]],
      ],
    );
    assert.deepEqual(editor.errors, [], 'no script error in the editor');
  });

  it('adds an event history row (realm, topic, match, limit) and shows it again', async () => {
    await openDialog(page);
    await page
      .locator('.red-ui-editableList:has(#node-input-history-list) button.red-ui-editableList-addButton')
      .click();
    const row = page.locator('#node-input-history-list > li').last();
    await row.locator('.wamp-history-realm').fill('realm1');
    await row.locator('.wamp-history-uri').fill('com.plant.log.');
    await row.locator('.wamp-history-match').selectOption('prefix');
    await row.locator('.wamp-history-limit').fill('500');
    await page.click('#node-dialog-ok');
    await page.locator('#node-input-roles-json').waitFor({ state: 'detached' });
    assert.deepEqual(await page.evaluate("RED.nodes.node('r1').history"), [
      { realm: 'realm1', uri: 'com.plant.log.', match: 'prefix', limit: 500 },
    ]);
    await openDialog(page);
    const shown = page.locator('#node-input-history-list > li');
    assert.equal(await shown.count(), 1);
    assert.equal(await shown.locator('.wamp-history-uri').inputValue(), 'com.plant.log.');
    assert.equal(await shown.locator('.wamp-history-match').inputValue(), 'prefix');
    assert.equal(await shown.locator('.wamp-history-limit').inputValue(), '500');
    await page.click('#node-dialog-cancel');
    await page.locator('#node-input-roles-json').waitFor({ state: 'detached' });
    assert.deepEqual(editor.errors, [], 'no script error in the editor');
  });
});
