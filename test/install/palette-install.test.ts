// The user's path for real: the package packed as `npm publish` would pack it (prepack builds
// it from a clean copy of the sources), the tarball uploaded to a fresh Node-RED through the
// palette manager's own endpoint (Menu > Manage palette > Install > upload), which runs
// `npm install --omit=dev` in the user directory, so only the runtime dependencies come along.
// Then the same questions as the symlinked-package test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNodeRed, type NodeRedProcess } from '../support/node-red-process';
import { exampleNames, itFindsThePackage, nodeTypes, pkg, projectRoot } from '../support/package-in-node-red';

interface Packed {
  filename: string;
  files: { path: string }[];
}

/** `npm pack` of a clean copy of the working tree, so this run's own dist/ is never rebuilt under it. */
function pack(work: string): { tarball: string; files: string[] } {
  const copy = path.join(work, 'src');
  const skip = new Set(['node_modules', 'dist', '.git', '.node-red-dev', 'test-results']);
  fs.cpSync(projectRoot, copy, {
    recursive: true,
    filter: (src) => !skip.has(path.basename(src)) && !src.endsWith('.tgz'),
  });
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: copy,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(out.slice(out.indexOf('['))) as Packed[];
  return { tarball: path.join(work, packed.filename), files: packed.files.map((f) => f.path) };
}

describe('installed like a user: npm pack, then the palette manager', function () {
  this.timeout(180000);
  let work: string;
  let packed: { tarball: string; files: string[] };
  let red: NodeRedProcess;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-pack-'));
    packed = pack(work);
    // The npm cache is warm after `npm ci`; the runtime dependencies still resolve from the registry.
    red = await startNodeRed((userDir) => fs.writeFileSync(path.join(userDir, 'flows.json'), '[]'), {
      npm_config_prefer_offline: 'true',
    });
    const form = new FormData();
    form.append('tarball', new Blob([fs.readFileSync(packed.tarball)]), path.basename(packed.tarball));
    const res = await fetch(`${red.url}/nodes`, { method: 'POST', body: form });
    assert.equal(res.status, 200, `${await res.text()}\n${red.log()}`);
  });
  after(async () => {
    await red?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  describe('the tarball', function () {
    it('holds the built nodes next to their editor files, icons and locales', () => {
      for (const t of nodeTypes) {
        assert.ok(packed.files.includes(`dist/nodes/${t}.js`), `${t}.js`);
        assert.ok(packed.files.includes(`dist/nodes/${t}.html`), `${t}.html`);
        for (const lang of ['en-US', 'zh-CN'])
          assert.ok(packed.files.includes(`dist/nodes/locales/${lang}/${t}.json`), `${lang}/${t}.json`);
      }
      assert.ok(
        packed.files.some((f) => /^dist\/nodes\/icons\/.+\.svg$/.test(f)),
        'icons',
      );
      assert.ok(packed.files.includes('dist/src/index.js'), 'the library');
    });

    it('holds the examples, README, LICENSE and package.json', () => {
      for (const e of exampleNames) assert.ok(packed.files.includes(`examples/${e}.json`), e);
      for (const f of ['README.md', 'LICENSE', 'package.json']) assert.ok(packed.files.includes(f), f);
      for (const f of ['resources/roles-editor.js', 'resources/router-view-cells.js'])
        assert.ok(packed.files.includes(f), f);
    });

    it('holds no tests, benchmarks or TypeScript sources', () => {
      const stray = packed.files.filter(
        (f) => /^(dist\/)?(test|bench)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      );
      assert.deepEqual(stray, []);
    });
  });

  describe('the user directory after the install', function () {
    it('lists the package as a user dependency and holds only its runtime dependencies', () => {
      const userPkg = JSON.parse(fs.readFileSync(path.join(red.userDir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      assert.ok(userPkg.dependencies?.[pkg.name], JSON.stringify(userPkg));
      const modules = path.join(red.userDir, 'node_modules');
      for (const dep of ['ws', '@msgpack/msgpack', 'cborg'])
        assert.ok(fs.existsSync(path.join(modules, dep, 'package.json')), dep);
      for (const dev of ['node-red', 'mocha', 'typescript', 'autobahn'])
        assert.ok(!fs.existsSync(path.join(modules, dev)), `no ${dev}`);
    });

    it('lets a script there require the library with those dependencies alone', () => {
      const script = `const w = require(${JSON.stringify(pkg.name)}); process.stdout.write(Object.keys(w).length > 0 ? 'ok' : 'empty');`;
      assert.equal(
        execFileSync(process.execPath, ['-e', script], { cwd: red.userDir, encoding: 'utf8' }),
        'ok',
      );
    });
  });

  describe('Node-RED', function () {
    itFindsThePackage(() => red);
  });
});
