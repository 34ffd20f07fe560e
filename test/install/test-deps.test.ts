// `npm test` on a fresh machine: scripts/test-deps.js reads the Debian packages from .ci/run's
// debs= line; with all of them installed it says nothing and lets the run go on; with one
// missing and no root to install it, it stops at once with the one command that fixes it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../support/package-in-node-red';

const script = path.join(projectRoot, 'scripts', 'test-deps.js');

describe('test:deps (the Debian packages npm test needs)', function () {
  this.timeout(30000);

  it("reads the list from .ci/run's debs= line, and passes when all are installed", function () {
    const ci = fs.readFileSync(path.join(projectRoot, '.ci', 'run'), 'utf8');
    const debs = /^debs="([^"]*)"/m.exec(ci)?.[1].split(/\s+/) ?? [];
    for (const p of [
      'python3-autobahn',
      'python3-msgpack',
      'python3-cbor2',
      'python3-nacl',
      'chromium',
      'fonts-wqy-zenhei',
    ])
      assert.ok(debs.includes(p), `${p} in .ci/run's debs=`);
    // This machine runs the suite, so it has them: nothing to install, nothing said.
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout + r.stderr, '');
  });

  it('without root, stops at once with the one command that installs what is missing', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-deps-'));
    const ci = path.join(dir, 'run');
    fs.writeFileSync(ci, '#!/bin/sh\ndebs="chromium no-such-package-wamp-test"\n');
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(ci, 0o644);
    // A copy "nobody" can read wherever the checkout is (a clone under a private directory).
    const copy = path.join(dir, 'test-deps.js');
    fs.copyFileSync(script, copy);
    fs.chmodSync(copy, 0o644);
    try {
      // As root (CI), run it as "nobody", the way a user without sudo rights would.
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const r = spawnSync(process.execPath, [copy, ci], { encoding: 'utf8', ...asUser, cwd: dir });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /not installed: no-such-package-wamp-test\n/);
      assert.match(
        r.stderr,
        /sudo apt-get update && sudo apt-get install -y --no-install-recommends no-such-package-wamp-test\n/,
      );
      assert.doesNotMatch(r.stdout, /installing/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
