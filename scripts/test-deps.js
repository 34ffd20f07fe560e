#!/usr/bin/env node
// `npm run test:deps` (and the first step of `npm test`): the Debian packages the tests use
// (Autobahn|Python for the interop tests, Chromium and a CJK font for the browser tests) must be
// installed before anything runs. The list is the `debs=` line of .ci/run, the one place it is
// kept. Missing ones are installed here when we can (root, with apt-get, saying what); otherwise
// the run stops at once with the one command that fixes it: no skipped or half-run suite.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');

/** The packages named by `debs="..."` in .ci/run (or the file given as the first argument). */
function requiredPackages() {
  const ci = fs.readFileSync(process.argv[2] || path.join(root, '.ci', 'run'), 'utf8');
  const m = /^debs="([^"]*)"/m.exec(ci);
  if (!m) throw new Error('.ci/run has no debs="..." line');
  return m[1].split(/\s+/).filter(Boolean);
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const installed = (pkg) =>
  /^Status: install ok installed$/m.test(spawnSync('dpkg', ['-s', pkg], { encoding: 'utf8' }).stdout ?? '');

function run(cmd, args) {
  console.log(`test:deps: ${cmd} ${args.join(' ')}`);
  return (
    spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      .status === 0
  );
}

function stop(lines) {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

const packages = requiredPackages();
if (!has('dpkg')) {
  stop([
    "test:deps: the tests need these Debian packages (or your system's equivalents), and this is not",
    `a Debian-based system, so they cannot be checked: ${packages.join(' ')}`,
    'Run the tests on Debian or Ubuntu, or in a container: docker run -it -v "$PWD":/src -w /src node:20 bash',
  ]);
}
const missing = packages.filter((p) => !installed(p));
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  stop([
    `test:deps: the tests need Debian packages that are not installed: ${missing.join(' ')}`,
    'Install them, then run the tests again:',
    '',
    `    sudo apt-get update && sudo ${command}`,
  ]);
}
console.log(`test:deps: installing the Debian packages the tests need: ${missing.join(' ')}`);
const ok =
  run('apt-get', ['update', '-q']) &&
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing]);
const still = missing.filter((p) => !installed(p));
if (!ok || still.length > 0) {
  stop([
    `test:deps: apt-get could not install ${still.join(' ') || missing.join(' ')}; see its output above, or run:`,
    '',
    `    apt-get update && ${command}`,
  ]);
}
console.log('test:deps: done');
