#!/usr/bin/env node
// `npm start`: runs the project's own Node-RED (a dev dependency) on http://127.0.0.1:1880 with
// this package installed into a private user directory (.node-red-dev/) the way `npm install
// <path>` would (a symlink), and the end-to-end example as the starting flow.

const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const userDir = path.join(root, '.node-red-dev');
const link = path.join(userDir, 'node_modules', ...pkg.name.split('/'));

fs.mkdirSync(path.dirname(link), { recursive: true });
if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');

const flowFile = path.join(userDir, 'flows.json');
if (!fs.existsSync(flowFile)) {
  const example = fs
    .readdirSync(path.join(root, 'examples'))
    .filter((f) => f.endsWith('.json'))
    .sort()[0];
  if (example) fs.copyFileSync(path.join(root, 'examples', example), flowFile);
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
