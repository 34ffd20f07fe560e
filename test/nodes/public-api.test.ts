// The nodes are adapters over the library's public API: every file of nodes/ reaches src/ only
// through its entry, src/index.ts, so that what the nodes need is what any user of the package
// gets, and the library's internals can change without the nodes noticing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../../..');
const src = path.join(root, 'src');
const PUBLIC_ENTRY = [path.join(src, 'index'), path.join(src, 'index.ts'), src];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module a file names: imports, re-exports, `import type`, `require` and `import()`. */
function modulesOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The modules of src/ other than its entry that `file` (whose text is `text`) reaches into. */
function internalsReached(file: string, text: string): string[] {
  return modulesOf(text).filter((m) => {
    if (!m.startsWith('.')) return false;
    const target = path.resolve(path.dirname(file), m);
    const inSrc = target === src || target.startsWith(src + path.sep);
    return inSrc && !PUBLIC_ENTRY.includes(target);
  });
}

describe('nodes import the library only through its public entry (src/index.ts)', () => {
  const files = tsFiles(path.join(root, 'nodes'));

  it('finds the node sources, and the library reached from them', () => {
    assert.ok(files.length > 10, `found ${files.length} files under nodes/`);
    const library = files.find((f) => f.endsWith(path.join('shared', 'library.ts')));
    assert.ok(library, 'nodes/shared/library.ts');
    assert.ok(
      modulesOf(fs.readFileSync(library, 'utf8')).some((m) => path.resolve(path.dirname(library), m) === src),
      'library.ts re-exports src/index.ts',
    );
  });

  it('no file of nodes/ imports from src/ other than src/index.ts', () => {
    const offenders = files.flatMap((f) =>
      internalsReached(f, fs.readFileSync(f, 'utf8')).map((m) => `${path.relative(root, f)}: ${m}`),
    );
    assert.deepEqual(offenders, []);
  });

  it('the check catches every form of import of an internal module', () => {
    const file = path.join(root, 'nodes', 'shared', 'example.ts');
    const text = [
      "import { Router } from '../../src';",
      "import { Session } from '../../src/index';",
      "import type { Realm } from '../../src/router/realm';",
      "export { Broker } from '../../src/router/broker';",
      "const m = require('../../src/wamp/messages');",
      "const d = import('../../src/router/dealer');",
      "import { x } from './library';",
      "import { y } from 'node-red';",
    ].join('\n');
    assert.deepEqual(internalsReached(file, text), [
      '../../src/router/realm',
      '../../src/router/broker',
      '../../src/wamp/messages',
      '../../src/router/dealer',
    ]);
  });
});
