// The editor half's texts: every key the sidebar tab uses exists in both catalogues, and the two
// catalogues have the same keys.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

function keysOf(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

const catalogue = (lang: string): string[] =>
  keysOf(
    JSON.parse(fs.readFileSync(path.join(root, 'nodes/locales', lang, 'wamp-router-view.json'), 'utf8')),
  ).sort();

describe('router view texts', () => {
  it('en-US and zh-CN have the same keys', () => {
    assert.deepEqual(catalogue('zh-CN'), catalogue('en-US'));
  });

  it('every key the sidebar tab uses is in the catalogue', () => {
    const html = fs.readFileSync(path.join(root, 'nodes/wamp-router-view.html'), 'utf8');
    const used = [...new Set([...html.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1]))];
    assert.ok(used.length > 30, `found ${used.length} keys`);
    const known = new Set(catalogue('en-US'));
    assert.deepEqual(
      used.filter((k) => !known.has(k)),
      [],
    );
  });
});
