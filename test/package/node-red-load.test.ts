// The registration path for real: this package installed into a fresh Node-RED user directory
// (as `npm install <path>` does, a symlink), Node-RED started, and its admin API asked what it
// found. The palette-install test asks the same of the packed tarball.
import fs from 'node:fs';
import path from 'node:path';
import { startNodeRed, type NodeRedProcess } from '../support/node-red-process';
import { itFindsThePackage, linkPackage } from '../support/package-in-node-red';

describe('the package in a real Node-RED runtime', function () {
  this.timeout(60000);
  let red: NodeRedProcess;

  before(async () => {
    red = await startNodeRed((userDir) => {
      linkPackage(userDir);
      fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
    });
  });
  after(async () => red?.stop());

  itFindsThePackage(() => red);
});
