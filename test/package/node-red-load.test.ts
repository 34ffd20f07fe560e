// The registration path for real: this package installed into a fresh Node-RED user directory
// (as `npm install <path>` does, a symlink), Node-RED started, and its admin API asked what it
// found: every node registered without error, the icons served, the examples listed, the help
// and both locales loaded.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startNodeRed, type NodeRedProcess } from '../support/node-red-process';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string> } };
const types = Object.keys(pkg['node-red'].nodes);

describe('the package in a real Node-RED runtime', function () {
  this.timeout(60000);
  let red: NodeRedProcess;

  before(async () => {
    red = await startNodeRed((userDir) => {
      const link = path.join(userDir, 'node_modules', ...pkg.name.split('/'));
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(root, link, 'dir');
      fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
    });
  });
  after(async () => red?.stop());

  it('registers all seven node types, enabled and without errors', async () => {
    const res = await red.get('/nodes');
    assert.equal(res.status, 200);
    const sets = (JSON.parse(res.body) as { module: string; types: string[]; enabled: boolean; err?: string }[]).filter((s) => s.module === pkg.name);
    const found = sets.flatMap((s) => s.types).sort();
    assert.deepEqual(found, [...types].sort(), red.log());
    for (const s of sets) {
      assert.equal(s.err, undefined, `${s.types}: ${s.err}`);
      assert.ok(s.enabled, `${s.types} enabled`);
    }
  });

  it('serves the icons from beside the node files', async () => {
    const res = await red.get('/icons');
    const icons = (JSON.parse(res.body) as Record<string, string[]>)[pkg.name];
    assert.ok(icons && icons.length > 0, `icons listed: ${res.body}`);
    for (const icon of icons) {
      const svg = await red.get(`/icons/${pkg.name}/${icon}`, '*/*');
      assert.equal(svg.status, 200, icon);
      assert.ok(svg.body.length > 50, `${icon} has content`);
    }
  });

  it('lists the examples in Import > Examples', async () => {
    const res = await red.get(`/library/examples/flows/${pkg.name}/`);
    assert.equal(res.status, 200, res.body);
    const listing = JSON.parse(res.body) as ({ fn: string } | string)[];
    const names = listing.map((e) => (typeof e === 'string' ? e : e.fn));
    const onDisk = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual(names.sort(), onDisk.sort());
  });

  it('loads each node\'s editor file with its help text', async () => {
    const res = await red.get('/nodes', 'text/html');
    for (const t of types) {
      assert.ok(res.body.includes(`data-template-name="${t}"`), `${t} editor template`);
      assert.ok(res.body.includes(`data-help-name="${t}"`), `${t} help`);
    }
  });

  for (const lang of ['en-US', 'zh-CN']) {
    it(`loads the ${lang} message catalogue of every node`, async () => {
      const res = await red.get(`/nodes/messages?lng=${lang}`);
      const catalogues = JSON.parse(res.body) as Record<string, unknown>;
      for (const t of types) {
        const cat = catalogues[`${pkg.name}/${t}`] as Record<string, unknown> | undefined;
        assert.ok(cat && Object.keys(cat).length > 0, `${lang} catalogue for ${t}`);
        if (lang === 'zh-CN') assert.match(JSON.stringify(cat), /[\u4e00-\u9fff]/, `${t} is translated`);
      }
    });
  }
});
