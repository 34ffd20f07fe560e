// The set-up every editor test shares: a Node-RED of its own with this package linked in and the
// suite's flow file, and the editor open in a fresh headless Chromium. A failed step leaves its
// picture; Chromium and Node-RED are stopped after the suite, also when its `before` failed.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { type EditorOptions, openEditor, screenshotDir } from './browser';
import { type NodeRedProcess, startNodeRed } from './node-red-process';
import { linkPackage } from './package-in-node-red';

export interface EditorFiles {
  /** flows.json */
  flows: unknown[];
  /** flows_cred.json, if any. */
  credentials?: Record<string, unknown>;
}

export interface EditorUnderTest {
  red: NodeRedProcess;
  page: Page;
  /** Script errors the page raised. */
  errors: string[];
  /** Saves a picture of the page as `<name>.png` in the screenshot folder. */
  shot(name: string): Promise<void>;
}

/**
 * Declares the `before`, `afterEach` and `after` hooks in the calling `describe`; the returned
 * object's fields are set once `before` has run. `files` runs in `before` (it may pick ports).
 */
export function editorUnderTest(
  files: () => EditorFiles | Promise<EditorFiles>,
  options: EditorOptions = {},
): EditorUnderTest {
  let red: NodeRedProcess | undefined;
  let close: (() => Promise<void>) | undefined;
  const editor = {} as EditorUnderTest;

  before(async () => {
    const { flows, credentials } = await files();
    red = await startNodeRed((userDir) => {
      linkPackage(userDir);
      fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
      if (credentials) fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials));
    });
    const browser = await openEditor(red.url, options);
    close = browser.close;
    Object.assign(editor, {
      red,
      page: browser.page,
      errors: browser.errors,
      shot: async (name: string) => {
        await browser.page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
      },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && editor.page)
      await editor.shot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  after(async () => {
    try {
      await close?.();
    } finally {
      await red?.stop();
    }
  });

  return editor;
}
