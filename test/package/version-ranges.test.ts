// The version ranges package.json promises are the ones the tests run on: `npm test`'s main run
// (this project's Node-RED 4.1 on the machine's Node 20) and test:nr5 (Node-RED 5 on Node 22) each
// run this file, so each proves that its Node-RED and Node lie inside the ranges, and the main run
// that the ranges start where it tests. The README's "Supported versions" says the same in words.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nodeRedVersion } from '../support/node-red-under-test';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as {
  engines: { node: string };
  'node-red': { version: string };
  devDependencies: Record<string, string>;
};

type Version = [number, number, number];
function parse(v: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  assert.ok(m, `a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
/** The subset of npm's range syntax used here: `>=X.Y.Z`, `^X.Y.Z`, joined by `||`. */
function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((part) => {
    const p = part.trim();
    if (p.startsWith('>=')) return cmp(v, parse(p.slice(2))) >= 0;
    if (p.startsWith('^')) {
      const low = parse(p.slice(1));
      return v[0] === low[0] && cmp(v, low) >= 0;
    }
    throw new Error(`unsupported range part ${p}`);
  });
}
const lowest = (range: string): Version =>
  range
    .split('||')
    .map((p) => parse(p.trim().replace(/^(>=|\^)/, '')))
    .sort(cmp)[0];

const mainRun = !process.env.TEST_NODE_RED_DIR;

describe('supported version ranges (package.json) are the tested ones', () => {
  it(`the Node-RED under test (${nodeRedVersion()}) is inside node-red.version ${pkg['node-red'].version}`, () => {
    assert.ok(satisfies(nodeRedVersion(), pkg['node-red'].version));
  });
  it(`this Node (${process.version}) is inside engines.node ${pkg.engines.node}`, () => {
    assert.ok(satisfies(process.version, pkg.engines.node));
  });
  if (mainRun) {
    it('node-red.version starts at the Node-RED minor the main run tests (the devDependency)', () => {
      const low = lowest(pkg['node-red'].version);
      const tested = parse(nodeRedVersion());
      assert.deepEqual(
        [low[0], low[1]],
        [tested[0], tested[1]],
        `the range admits Node-RED ${low.join('.')} but the main run tests ${nodeRedVersion()} (devDependency ${pkg.devDependencies['node-red']})`,
      );
    });
    it('engines.node starts at the Node major the main run tests', () => {
      const low = lowest(pkg.engines.node);
      assert.equal(
        low[0],
        parse(process.version)[0],
        `engines.node admits Node ${low.join('.')}, but this run is on ${process.version}: test that Node or narrow the range`,
      );
    });
  }
});
