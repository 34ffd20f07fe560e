// A flow saved by the editor before procedure, topic, timeout and the result property were
// typedInputs (test/fixtures/old-editor-flow.json: every property as that editor wrote it, no
// *Type): it must behave exactly as it did. The browser test (test/e2e/node-dialogs.e2e.ts)
// opens the same flow in the editor, saves and deploys it again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CallConfig } from '../../nodes/shared/call-settings';
import type { Node, NodeAPI, NodeMessage } from '../../nodes/shared/red-types';
import { resolveNodeRed } from '../support/node-red-under-test';
import {
  caughtError,
  coreNodes,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  type TestNode,
  waitStatus,
  nodeRedPerTest,
} from './helpers';

const fixture = path.resolve(__dirname, '../../../test/fixtures/old-editor-flow.json');
const node = (id: string): TestNode => helper.getNode(id);

async function callOnce(msg: NodeMessage): Promise<NodeMessage> {
  const out = nextMessages(node('out'));
  node('call').receive(msg);
  return (await out)[0];
}

describe('typed fields: old flows still work', function () {
  this.timeout(20000);
  nodeRedPerTest();

  describe('a flow saved by the editor before the fields were typed (no *Type properties)', function () {
    const oldFlow = (): object[] => JSON.parse(fs.readFileSync(fixture, 'utf8')) as object[];

    beforeEach(async () => {
      await helper.load([...nodeModules, ...coreNodes()], oldFlow());
      await waitStatus(node('reg'), isConnected);
    });

    it('wamp-call with an empty procedure calls msg.procedure, else msg.topic; the result is msg.payload', async function () {
      const a = await callOnce({ procedure: 'com.test.old', payload: 'a', topic: 'com.not.this' });
      assert.equal(a.payload, 'answered a');
      const b = await callOnce({ topic: 'com.test.old', payload: 'b' });
      assert.equal(b.payload, 'answered b');
      const caught = caughtError();
      node('call').receive({ payload: 'c' });
      assert.match((await caught).message, /wamp-call.errors.no-procedure$/);
    });

    it("wamp-call's saved empty timeout still means none, not the new default", function () {
      const def = (oldFlow() as Array<{ id: string; procedure?: string }>).find((n) => n.id === 'call')!;
      const config = new CallConfig(fakeRED(), def);
      return config
        .settings(fakeNode, { procedure: 'com.x' })
        .then((s) => assert.deepEqual(s, { procedure: 'com.x', timeoutMs: undefined }));
    });

    it('wamp-publish with an empty topic publishes to msg.topic; wamp-subscribe and wamp-register read their strings', async function () {
      const events = nextMessages(node('events'));
      node('pub').receive({ topic: 'com.test.old', payload: 'hello' });
      assert.equal((await events)[0].payload, 'hello');
      const caught = caughtError();
      node('pub').receive({ payload: 'no topic' });
      assert.match((await caught).message, /wamp-publish.errors.no-topic$/);
    });
  });
});

const fakeNode = {} as Node;
/** Node-RED's own util (evaluateNodeProperty), message keys as their own text. */
function fakeRED(): NodeAPI {
  const util = require(resolveNodeRed('@node-red/util')).util as NodeAPI['util'];
  return { util, _: (key: string) => key } as unknown as NodeAPI;
}
