// Which Node-RED the tests run against. By default the project's own dev dependency; with
// TEST_NODE_RED_DIR set (test/nr5 does), the node-red and node-red-node-test-helper installed in
// that directory, so one compiled test suite runs against several Node-RED major versions.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TEST_NODE_RED_DIR ? path.resolve(process.env.TEST_NODE_RED_DIR) : undefined;

/** `require.resolve` from the Node-RED installation under test. */
export function resolveNodeRed(id: string): string {
  return dir ? require.resolve(id, { paths: [dir] }) : require.resolve(id);
}

/** The version of the Node-RED under test, e.g. "5.0.7". */
export function nodeRedVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(resolveNodeRed('node-red/package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
