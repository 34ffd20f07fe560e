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
// The editor translates a status key in the namespace of the node that shows it, and every node
// using a wamp-connection shows the connection's states: each catalogue gets those keys.
for (const lang of fs.readdirSync(path.join(nodesOut, 'locales'))) {
  const dir = path.join(nodesOut, 'locales', lang);
  const conn = JSON.parse(fs.readFileSync(path.join(dir, 'wamp-connection.json'), 'utf8'))['wamp-connection'];
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.json') || f === 'wamp-connection.json') continue;
    const file = path.join(dir, f);
    const catalogue = JSON.parse(fs.readFileSync(file, 'utf8'));
    catalogue['wamp-connection'] = { status: conn.status };
    fs.writeFileSync(file, `${JSON.stringify(catalogue, null, 4)}\n`);
  }
}
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
fs.chmodSync(path.join(out, 'src', 'cli', 'wamp-router.js'), 0o755);
