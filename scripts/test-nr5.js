#!/usr/bin/env node
// Runs the compiled node, package and install tests against Node-RED 5 on Node.js 22 (Node-RED 5
// needs Node >= 22.9), both installed by `npm ci --prefix test/nr5`, while `npm test`'s main run
// covers the project's own Node-RED 4 on the machine's Node.js. Then, on the same Node 22, the
// Autobahn|JS interop tests again with test/nr5's Autobahn|JS 26 (it needs the platform
// WebSocket of Node >= 22; the main run tests Autobahn|JS 22.11.1).

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const nr5 = path.join(root, 'test', 'nr5');
const node = path.join(nr5, 'node_modules', 'node', 'bin', 'node');
const installed = [node, path.join(nr5, 'node_modules', 'autobahn', 'package.json')];
if (!installed.every((f) => fs.existsSync(f))) {
  // `npm install && npm test` on a fresh clone (or after test/nr5 gained a package): install
  // Node-RED 5, Node 22 and Autobahn|JS 26 on first use.
  console.log('test/nr5: installing Node-RED 5 and Node.js 22 (npm ci --prefix test/nr5)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--prefix', nr5, '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (install.status !== 0 || !installed.every((f) => fs.existsSync(f))) {
    console.error('test/nr5 could not be installed: run `npm ci --prefix test/nr5` and look at its output');
    process.exit(1);
  }
}
const mocha = path.join(nr5, 'node_modules', 'mocha', 'bin', 'mocha.js');
const specs = [
  'dist/test/nodes/**/*.test.js',
  'dist/test/package/**/*.test.js',
  'dist/test/install/**/*.test.js',
];
const r = spawnSync(node, [mocha, '--no-config', '--timeout', '10000', '--exit', ...specs], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TEST_NODE_RED_DIR: nr5 },
});
const interop = ['dist/test/interop/autobahn-js.test.js', 'dist/test/interop/autobahn-auth.test.js'];
const a = spawnSync(node, [mocha, '--no-config', '--timeout', '20000', '--exit', ...interop], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, AUTOBAHN_JS_DIR: nr5 },
});
process.exit(r.status === 0 ? (a.status ?? 1) : (r.status ?? 1));
