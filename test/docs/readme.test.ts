// The README is the user's contract: what it tells a newcomer to type must work, and its
// pictures must show wherever it is read (on GitHub, and on the npm registry, which gets the
// README but not docs/).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  repository: { url: string };
  scripts: Record<string, string>;
  files: string[];
  bin: Record<string, string>;
};

describe('README', function () {
  it("shows its screenshots by absolute URLs into the package's repository, and each picture exists", function () {
    const repo = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)?.[1];
    assert.ok(repo, pkg.repository.url);
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 2, 'the first-start and sidebar screenshots');
    const prefix = `https://raw.githubusercontent.com/${repo}/main/`;
    for (const url of images) {
      assert.ok(url.startsWith(prefix), `${url} is not under ${prefix} (docs/ is not in the package)`);
      assert.ok(
        fs.existsSync(path.join(root, url.slice(prefix.length))),
        `${url}: the file is in the repository`,
      );
    }
    assert.ok(!pkg.files.some((f) => f.startsWith('docs')), 'docs/ stays out of the package');
    assert.ok(
      images.some((u) => u.endsWith('/first-start.png')),
      'the picture is what npm start opens',
    );
  });

  it('gives a command-line router command that works inside the clone', function () {
    assert.doesNotMatch(
      readme,
      /^npx wamp-router/m,
      "npx does not link a package's own bin inside its clone",
    );
    assert.match(readme, /^npm run router -- /m);
    const script = pkg.scripts.router;
    assert.equal(script, `node ${pkg.bin['wamp-router']}`);
    assert.ok(fs.existsSync(path.join(root, pkg.bin['wamp-router'])), 'built by npm start / npm test');
  });

  it('says how to install before the package is on the registry, and what the Autobahn|JS snippet needs', function () {
    assert.match(readme, /npm pack/);
    assert.match(readme, /Manage palette → Install → the upload button/);
    assert.match(readme, /cd ~\/\.node-red && npm install \/path\/to\/[\w.-]+\.tgz/);
    assert.match(readme, /npm install autobahn/);
  });
});
