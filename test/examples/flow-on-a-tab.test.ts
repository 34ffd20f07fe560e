// What `npm start` writes as the flow file (scripts/flow-on-a-tab.js): every example on one tab
// that holds all of its nodes, a flow file from an earlier version (no tab) mended, one that has
// its tabs left alone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../support/package-in-node-red';

type FlowNode = { id: string; type: string; z?: string; label?: string };
const { onATab } = require(path.join(projectRoot, 'scripts', 'flow-on-a-tab.js')) as {
  onATab: (nodes: FlowNode[], fallbackLabel: string) => FlowNode[];
};

const dir = path.join(projectRoot, 'examples');

describe("npm start's flow file", function () {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`${file}: one tab, holding every flow node`, function () {
      const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowNode[];
      const flow = onATab(nodes, 'fallback');
      const tabs = flow.filter((n) => n.type === 'tab');
      assert.equal(tabs.length, 1);
      assert.ok(tabs[0].label && tabs[0].label.length <= 60, `a short tab label: ${tabs[0].label}`);
      for (const n of flow) if (n.z !== undefined) assert.equal(n.z, tabs[0].id, n.id);
      assert.equal(flow.length, nodes.length + 1);
    });
  }

  it('leaves a flow that has its tab as it is', function () {
    const flow: FlowNode[] = [
      { id: 't', type: 'tab', label: 'mine' },
      { id: 'a', type: 'inject', z: 't' },
    ];
    assert.equal(onATab(flow, 'x'), flow);
  });
});
