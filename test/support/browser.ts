// Debian's Chromium driven by playwright-core (no browser is ever downloaded), on a fresh
// profile, allowed to reach only the Node-RED under test. Shared by every browser test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from './package-in-node-red';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without these, Chromium keeps trying to reach update, sync and field-trial servers.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const screenshotDir = path.resolve(
  projectRoot,
  process.env.E2E_SCREENSHOTS ?? 'test-results/screenshots',
);

export interface Browser {
  page: Page;
  /** Script errors the page raised. */
  errors: string[];
  close(): Promise<void>;
}

export interface EditorOptions {
  viewport?: { width: number; height: number };
  /** Called with the page before it loads the editor (to watch every response, say). */
  beforeLoad?: (page: Page) => void;
}

/**
 * Opens `url` in a new headless Chromium. If anything fails on the way, the browser is closed
 * and its profile removed before the error is thrown: a failed `before` leaves no Chromium behind.
 */
export async function openEditor(url: string, options: EditorOptions = {}): Promise<Browser> {
  assert.ok(fs.existsSync(chromiumPath), `Chromium at ${chromiumPath} (npm run test:deps installs it)`);
  fs.mkdirSync(screenshotDir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-chromium-'));
  let context: BrowserContext | undefined;
  const close = async (): Promise<void> => {
    try {
      await context?.close();
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: options.viewport ?? { width: 1440, height: 900 },
      locale: 'en-US',
    });
    // Only Node-RED itself: the editor's palette catalogue and anything else off this machine is refused.
    await context.route(
      (u) => !u.href.startsWith(url),
      (route) => route.abort(),
    );
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    // Monaco (the editor's JSON editor) throws this from a deferred decoration update when its
    // editor closes first: a race inside Node-RED's own editor, not a fault of these nodes.
    const monacoCloseRace = /^Illegal value for lineNumber$/;
    page.on('pageerror', (e) => {
      if (!monacoCloseRace.test(e.message)) errors.push(e.message);
    });
    page.setDefaultTimeout(30000);
    options.beforeLoad?.(page);
    await page.goto(url);
    return { page, errors, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}
