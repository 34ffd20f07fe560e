// What `npm pack` would ship (asked of npm itself, from the dist/ this run built), checked
// against package.json and tsconfig.json: every path package.json names is in the package, every
// "files" entry ships something, and the compiled files point to nothing that is not shipped.
// Source maps are not built (tsconfig "sourceMap": false): their .ts sources are not shipped, and
// tsc's ES2022 output keeps the sources' names and shape, so a stack trace reads without them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../support/package-in-node-red';

interface PackageJson {
  main: string;
  types: string;
  bin: Record<string, string>;
  files: string[];
  'node-red': { nodes: Record<string, string>; plugins?: Record<string, string> };
}

const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as PackageJson;

describe('the package as npm would pack it', function () {
  this.timeout(60000);
  let files: string[];

  before(() => {
    // --ignore-scripts: no prepack rebuild under the running tests; dist/ is already built.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: projectRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [packed] = JSON.parse(out.slice(out.indexOf('['))) as { files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);
  });

  it('ships every file package.json points to: main, types, bin, node and plugin files', () => {
    const named = [
      pkg.main,
      pkg.types,
      ...Object.values(pkg.bin),
      ...Object.values(pkg['node-red'].nodes),
      ...Object.values(pkg['node-red'].plugins ?? {}),
    ].map((p) => path.posix.normalize(p));
    assert.deepEqual(
      named.filter((p) => !files.includes(p)),
      [],
    );
  });

  it('ships something for every "files" entry', () => {
    for (const entry of pkg.files)
      assert.ok(
        files.some((f) => f === entry || f.startsWith(`${entry}/`)),
        `"files" entry ${entry} ships nothing`,
      );
  });

  it('ships no source maps, and no compiled file refers to one (tsconfig builds none)', () => {
    const tsconfig = fs.readFileSync(path.join(projectRoot, 'tsconfig.json'), 'utf8');
    assert.match(tsconfig, /"sourceMap":\s*false/);
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
    );
    const pointing = files
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /\/\/# sourceMappingURL=/.test(fs.readFileSync(path.join(projectRoot, f), 'utf8')));
    assert.deepEqual(pointing, []);
  });

  it('ships no TypeScript sources (only the declarations the "types" entry needs)', () => {
    assert.deepEqual(
      files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
      [],
    );
    assert.ok(files.includes(pkg.types));
  });
});
