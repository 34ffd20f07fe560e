// What a user's Node-RED must find of this package once it is installed, asked through the admin
// API: every node registered without error, the icons served, the examples listed, the help and
// both locales loaded. Shared by the symlinked-package test and the palette-install test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { NodeRedProcess } from './node-red-process';

export const projectRoot = path.resolve(__dirname, '../../..');
export const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
  'node-red': { nodes: Record<string, string> };
};
export const nodeTypes = Object.keys(pkg['node-red'].nodes);
export const exampleNames = fs
  .readdirSync(path.join(projectRoot, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

/** Declares the `it`s; `red` gives the running Node-RED once the caller's `before` has started it. */
export function itFindsThePackage(red: () => NodeRedProcess): void {
  it('registers all seven node types, enabled and without errors', async () => {
    const res = await red().get('/nodes');
    assert.equal(res.status, 200);
    const sets = (
      JSON.parse(res.body) as { module: string; types: string[]; enabled: boolean; err?: string }[]
    ).filter((s) => s.module === pkg.name);
    const found = sets.flatMap((s) => s.types).sort();
    assert.deepEqual(found, [...nodeTypes].sort(), red().log());
    for (const s of sets) {
      assert.equal(s.err, undefined, `${s.types}: ${s.err}`);
      assert.ok(s.enabled, `${s.types} enabled`);
    }
  });

  it('serves the icons from beside the node files', async () => {
    const res = await red().get('/icons');
    const icons = (JSON.parse(res.body) as Record<string, string[]>)[pkg.name];
    assert.ok(icons && icons.length > 0, `icons listed: ${res.body}`);
    for (const icon of icons) {
      const svg = await red().get(`/icons/${pkg.name}/${icon}`, '*/*');
      assert.equal(svg.status, 200, icon);
      assert.ok(svg.body.length > 50, `${icon} has content`);
    }
  });

  it('lists the examples in Import > Examples', async () => {
    const res = await red().get(`/library/examples/flows/${pkg.name}/`);
    assert.equal(res.status, 200, res.body);
    const listing = JSON.parse(res.body) as ({ fn: string } | string)[];
    const names = listing.map((e) => (typeof e === 'string' ? e : e.fn));
    assert.deepEqual(names.sort(), [...exampleNames].sort());
  });

  it("loads each node's editor file with its help text", async () => {
    const res = await red().get('/nodes', 'text/html');
    for (const t of nodeTypes) {
      assert.ok(res.body.includes(`data-template-name="${t}"`), `${t} editor template`);
      assert.ok(res.body.includes(`data-help-name="${t}"`), `${t} help`);
    }
  });

  it('serves the editor scripts the node files load from resources/', async () => {
    const [nodes, plugins] = [
      await red().get('/nodes', 'text/html'),
      await red().get('/plugins', 'text/html'),
    ];
    const sources = [...(nodes.body + plugins.body).matchAll(/<script src="(resources\/[^"]+)"/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(sources.sort(), [
      `resources/${pkg.name}/roles-editor.js`,
      `resources/${pkg.name}/router-view-cells.js`,
    ]);
    for (const src of sources) {
      const res = await red().get(`/${src}`);
      assert.equal(res.status, 200, src);
      assert.match(res.body, /window\.Wamp\w+ =/, src);
    }
  });

  for (const lang of ['en-US', 'zh-CN']) {
    it(`loads the ${lang} message catalogue of every node`, async () => {
      const res = await red().get(`/nodes/messages?lng=${lang}`);
      const catalogues = JSON.parse(res.body) as Record<string, unknown>;
      for (const t of nodeTypes) {
        const cat = catalogues[`${pkg.name}/${t}`] as Record<string, unknown> | undefined;
        assert.ok(cat && Object.keys(cat).length > 0, `${lang} catalogue for ${t}`);
        if (lang === 'zh-CN') assert.match(JSON.stringify(cat), /[\u4e00-\u9fff]/, `${t} is translated`);
      }
    });
  }
}

/** Makes `userDir/node_modules/<package>` a symlink to this working tree (as `npm install <path>` does). */
export function linkPackage(userDir: string): void {
  const link = path.join(userDir, 'node_modules', ...pkg.name.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(projectRoot, link, 'dir');
}
