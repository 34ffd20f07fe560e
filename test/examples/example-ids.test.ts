// Node-RED imports an example with its own node ids (Import > Examples does not make new ones),
// so an id that two examples share, or that `npm start`'s flow shares with an example, turns a
// second import into a "nodes already exist" conflict. Every example: its ids, and its tab
// id, its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../support/package-in-node-red';

const dir = path.join(projectRoot, 'examples');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('example ids', function () {
  it('no node id appears in two examples', function () {
    const owner = new Map<string, string>();
    const shared: string[] = [];
    for (const f of files) {
      for (const n of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { id: string }[]) {
        const other = owner.get(n.id);
        if (other && other !== f) shared.push(`${n.id} in "${other}" and "${f}"`);
        owner.set(n.id, f);
      }
    }
    assert.deepEqual(shared, []);
  });

  it('each example sits on a tab id of its own, and its nodes on one tab', function () {
    const tabOf = new Map<string, string>();
    for (const f of files) {
      const nodes = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { id: string; z?: string }[];
      const tabs = [...new Set(nodes.filter((n) => n.z !== undefined && n.z !== '').map((n) => n.z!))];
      assert.equal(tabs.length, 1, `${f}: tabs ${tabs.join(', ')}`);
      assert.equal(
        tabOf.get(tabs[0]),
        undefined,
        `${f} and ${tabOf.get(tabs[0])} share the tab id ${tabs[0]}`,
      );
      tabOf.set(tabs[0], f);
    }
  });
});
