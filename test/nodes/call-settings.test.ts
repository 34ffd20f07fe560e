// The rules by which a wamp-call reads its procedure and timeout (nodes/shared/call-settings.ts),
// with Node-RED's own evaluator; the flow tests are typed-properties.test.ts.
import assert from 'node:assert/strict';
import { CallConfig, DEFAULT_CALL_TIMEOUT_S } from '../../nodes/shared/call-settings';
import type { Node, NodeAPI, NodeMessage } from '../../nodes/shared/red-types';
import { describe as describeProperty } from '../../nodes/shared/typed-property';
import { resolveNodeRed } from '../support/node-red-under-test';

const fakeNode = {} as Node;
/** Node-RED's own util (evaluateNodeProperty), message keys as their own text. */
function fakeRED(): NodeAPI {
  const util = require(resolveNodeRed('@node-red/util')).util as NodeAPI['util'];
  return { util, _: (key: string) => key } as unknown as NodeAPI;
}

describe('wamp-call settings', function () {
  it(`is ${DEFAULT_CALL_TIMEOUT_S} s when none is saved, 0 means none, empty typed values take the default`, async function () {
    const RED = fakeRED();
    const settings = (def: object, msg: NodeMessage = {}) =>
      new CallConfig(RED, { procedure: 'com.x', ...def }).settings(fakeNode, msg).then((s) => s.timeoutMs);
    assert.equal(DEFAULT_CALL_TIMEOUT_S, 120);
    assert.equal(await settings({}), 120000);
    assert.equal(await settings({ timeout: '120', timeoutType: 'num' }), 120000);
    assert.equal(await settings({ timeout: '0', timeoutType: 'num' }), undefined);
    assert.equal(await settings({ timeout: 5 }), 5000);
    assert.equal(await settings({ timeout: 'd', timeoutType: 'msg' }, { d: '1.5' }), 1500);
    assert.equal(await settings({ timeout: 'd', timeoutType: 'msg' }, {}), 120000);
    assert.equal(await settings({ timeout: '5', timeoutType: 'num' }, { timeout: 0 }), undefined);
    await assert.rejects(settings({}, { timeout: -1 }), /invalid-timeout/);
  });

  it("settingsNow: the node's own procedure and timeout are one shared object; a message's timeout or procedure is read each time", function () {
    const RED = fakeRED();
    const fixed = new CallConfig(RED, { procedure: 'com.x', timeout: 5 });
    const a = fixed.settingsNow({ topic: 'com.other' });
    assert.deepEqual(a, { procedure: 'com.x', timeoutMs: 5000 });
    assert.equal(fixed.settingsNow({}), a, 'made once');
    assert.ok(Object.isFrozen(a));
    assert.deepEqual(fixed.settingsNow({ timeout: 2 }), { procedure: 'com.x', timeoutMs: 2000 });
    assert.throws(() => fixed.settingsNow({ timeout: -1 }), /invalid-timeout/);
    // Without a procedure of its own the node reads each message's.
    const open = new CallConfig(RED, { procedure: '' });
    assert.equal(open.fixed, undefined);
    assert.deepEqual(open.settingsNow({ topic: 'com.t' }), { procedure: 'com.t', timeoutMs: 120000 });
    assert.deepEqual(open.settingsNow({ procedure: 'com.p' }), { procedure: 'com.p', timeoutMs: 120000 });
    // An invalid timeout of the node's own is reported for each message, not fixed.
    const bad = new CallConfig(RED, { procedure: 'com.x', timeout: 'x', timeoutType: 'num' });
    assert.equal(bad.fixed, undefined);
    assert.throws(() => bad.settingsNow({}), /invalid-timeout/);
  });

  it('errors name a typed property as the user set it, a context store included', function () {
    assert.equal(describeProperty({ type: 'msg', value: 'target' }), 'msg.target');
    assert.equal(describeProperty({ type: 'flow', value: '#:(slow)::proc' }), 'flow.proc (slow)');
    assert.equal(describeProperty({ type: 'env', value: 'PROC' }), 'env.PROC');
    assert.equal(describeProperty({ type: 'str', value: 'com.x' }), 'com.x');
  });

  it('a string procedure; empty: msg.procedure, then msg.topic; typed and empty: an error', async function () {
    const RED = fakeRED();
    const procedure = (def: object, msg: NodeMessage) =>
      new CallConfig(RED, def).settings(fakeNode, msg).then((s) => s.procedure);
    assert.equal(await procedure({ procedure: ' com.a ' }, { procedure: 'com.b' }), 'com.a');
    assert.equal(await procedure({ procedure: '' }, { procedure: 'com.b', topic: 'com.c' }), 'com.b');
    assert.equal(await procedure({}, { topic: 'com.c' }), 'com.c');
    assert.equal(await procedure({ procedure: 'p', procedureType: 'msg' }, { p: 'com.d' }), 'com.d');
    await assert.rejects(
      procedure({ procedure: 'p', procedureType: 'msg' }, { topic: 'com.c' }),
      /procedure-empty/,
    );
    await assert.rejects(procedure({}, {}), /no-procedure/);
  });
});
