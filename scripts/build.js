#!/usr/bin/env node
// Compiles the TypeScript, then places beside each compiled node file what Node-RED looks for
// next to it: the editor .html, locales/<lang>/ and icons/. Sources stay at the top level.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist');

fs.rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });

const nodesOut = path.join(out, 'nodes');
fs.mkdirSync(nodesOut, { recursive: true });
for (const f of fs.readdirSync(path.join(root, 'nodes'))) {
  if (f.endsWith('.html')) fs.copyFileSync(path.join(root, 'nodes', f), path.join(nodesOut, f));
}
fs.cpSync(path.join(root, 'nodes', 'locales'), path.join(nodesOut, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
fs.chmodSync(path.join(out, 'src', 'cli', 'wamp-router.js'), 0o755);
