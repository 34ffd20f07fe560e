#!/usr/bin/env node
// `npm start`: runs the project's own Node-RED (a dev dependency) on http://127.0.0.1:1880 with
// this package installed into a private user directory (.node-red-dev/) the way `npm install
// <path>` would (a symlink), and the IoT example as the starting flow, on a tab of its own.
// WAMP_START_USERDIR chooses another user directory (the browser test starts from a fresh one).

const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { onATab } = require('./flow-on-a-tab');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const userDir = path.resolve(process.env.WAMP_START_USERDIR || path.join(root, '.node-red-dev'));
const link = path.join(userDir, 'node_modules', ...pkg.name.split('/'));

fs.mkdirSync(path.dirname(link), { recursive: true });
if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');

const flowFile = path.join(userDir, 'flows.json');
if (!fs.existsSync(flowFile)) {
  const example = fs
    .readdirSync(path.join(root, 'examples'))
    .filter((f) => f.endsWith('.json'))
    .sort()[0];
  if (example) {
    const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', example), 'utf8'));
    fs.writeFileSync(flowFile, `${JSON.stringify(onATab(nodes, example.replace(/\.json$/, '')), null, 2)}\n`);
  }
} else {
  // A flow file written by an earlier version of this script (the example as is, no tab): mend it.
  try {
    const nodes = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
    const mended = Array.isArray(nodes) ? onATab(nodes, 'Flow 1') : nodes;
    if (mended !== nodes) fs.writeFileSync(flowFile, `${JSON.stringify(mended, null, 2)}\n`);
  } catch {
    // Not ours to judge: Node-RED reports a broken flow file itself.
  }
}

const red = require.resolve('node-red/red.js');
const args = [
  red,
  '--userDir',
  userDir,
  '--settings',
  path.join(__dirname, 'node-red-settings.js'),
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
