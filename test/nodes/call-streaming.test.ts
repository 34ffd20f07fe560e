// wamp-call streams one call in chunks (progressive call invocations: msg.progress + msg.callId)
// to a wamp-register flow across serializers, through a router of the library on a real port;
// and example 10 runs as it ships.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { collect, flow, isRegistered, startRpc, until, withRouter } from './advanced-setup';
import { caughtError, coreNode, coreNodes, helper, nextMessages, waitStatus } from './helpers';
import { modules } from './with-words';

describe('wamp-call streams a call in chunks (progressive call invocations)', function () {
  this.timeout(20000);
  withRouter();
  it('chunks reach wamp-register as one message each (msg.progress, msg.parts); the answer to the last comes out on the closing message', async function () {
    await startRpc();
    const chunks = collect('callee');
    const outs = collect('out');
    const call = helper.getNode('call');
    call.receive({ payload: 'a', progress: true, callId: 'up1' });
    call.receive({ payload: 'b', progress: true, callId: 'up1' });
    await until(() => chunks.length === 2, 'two chunks');
    assert.equal(outs.length, 0, 'chunks produce no output');
    call.receive({ payload: 'c', callId: 'up1', mine: 'closing' });
    await until(() => chunks.length === 3, 'the last chunk');
    assert.deepEqual(
      chunks.map((m) => [
        m.payload,
        m.progress,
        (m.parts as { index: number }).index,
        (m.parts as { count?: number }).count,
      ]),
      [
        ['a', true, 0, undefined],
        ['b', true, 1, undefined],
        ['c', false, 2, 3],
      ],
    );
    const ids = new Set(chunks.map((m) => (m._wamp as { invocationId: string }).invocationId));
    assert.equal(ids.size, 1, 'one invocation');
    const out = nextMessages(helper.getNode('out'));
    helper.getNode('resp').receive({ ...chunks[2], payload: chunks.map((m) => m.payload).join('') });
    const [result] = await out;
    assert.equal(result.payload, 'abc');
    assert.equal(result.mine, 'closing');
    assert.equal(result.callId, 'up1');
  });

  it('a join node in automatic mode gathers the chunks for wamp-response', async function () {
    await startRpc(
      { wires: [['joiner']] },
      [
        { id: 'joiner', z: 'f1', type: 'join', mode: 'auto', wires: [['fn']] },
        {
          id: 'fn',
          z: 'f1',
          type: 'function',
          func: 'msg.payload = msg.payload.join("+"); return msg;',
          wires: [['resp']],
        },
      ],
      [coreNode('sequence/17-split.js'), coreNode('function/10-function.js')],
    );
    const out = nextMessages(helper.getNode('out'));
    const call = helper.getNode('call');
    for (const p of ['x', 'y']) call.receive({ payload: p, progress: true, callId: 'j' });
    call.receive({ payload: 'z', callId: 'j' });
    const [result] = await out;
    assert.equal(result.payload, 'x+y+z');
  });

  it('register → call → response passes a streamed call on, chunk by chunk (the invocation names the stream)', async function () {
    await helper.load(
      modules,
      flow([
        {
          id: 'call',
          z: 'f1',
          type: 'wamp-call',
          connection: 'connJson',
          procedure: 'com.test.front',
          wires: [['out']],
        },
        { id: 'out', z: 'f1', type: 'helper' },
        {
          id: 'front',
          z: 'f1',
          type: 'wamp-register',
          connection: 'connMp',
          procedure: 'com.test.front',
          wires: [['proxy']],
        },
        {
          id: 'proxy',
          z: 'f1',
          type: 'wamp-call',
          connection: 'connMp',
          procedure: 'com.test.back',
          wires: [['frontResp']],
        },
        { id: 'frontResp', z: 'f1', type: 'wamp-response' },
        {
          id: 'back',
          z: 'f1',
          type: 'wamp-register',
          connection: 'connJson',
          procedure: 'com.test.back',
          wires: [['callee']],
        },
        { id: 'callee', z: 'f1', type: 'helper' },
        { id: 'resp', z: 'f1', type: 'wamp-response' },
      ]),
    );
    await waitStatus(helper.getNode('front'), isRegistered, 10000);
    await waitStatus(helper.getNode('back'), isRegistered, 10000);
    const chunks = collect('callee');
    const out = nextMessages(helper.getNode('out'), 1, 5000);
    const call = helper.getNode('call');
    call.receive({ payload: 1, progress: true, callId: 'p' });
    call.receive({ payload: 2, progress: true, callId: 'p' });
    call.receive({ payload: 3, callId: 'p' });
    await until(() => chunks.length === 3, 'the chunks at the back end');
    assert.deepEqual(
      chunks.map((m) => [m.payload, m.progress]),
      [
        [1, true],
        [2, true],
        [3, false],
      ],
    );
    helper.getNode('resp').receive({ ...chunks[2], payload: 6 });
    assert.equal((await out)[0].payload, 6);
  });

  it('a chunk that cannot be sent (a BigInt over JSON) fails alone; the call goes on', async function () {
    await startRpc();
    const chunks = collect('callee');
    const call = helper.getNode('call');
    call.receive({ payload: 'a', progress: true, callId: 'big' });
    const failed = caughtError(5000);
    call.receive({ payload: 10n, progress: true, callId: 'big' });
    assert.equal((await failed).code, 'wamp.error.invalid_argument');
    const out = nextMessages(helper.getNode('out'), 1, 5000);
    call.receive({ payload: 'b', callId: 'big' });
    await until(() => chunks.length === 2, 'the last chunk');
    assert.deepEqual(
      chunks.map((m) => m.payload),
      ['a', 'b'],
    );
    helper.getNode('resp').receive({ ...chunks[1], payload: 'ok' });
    assert.equal((await out)[0].payload, 'ok');
  });

  it('msg.progress without msg.callId is an error for Catch', async function () {
    await startRpc();
    const failed = caughtError(5000);
    helper.getNode('call').receive({ payload: 1, progress: true });
    assert.match((await failed).message, /wamp-call\.errors\.no-call-id/);
  });

  it('a timeout between chunks is reported at once with the opening message; later messages of the call fail too', async function () {
    await startRpc();
    const chunks = collect('callee');
    const caught = collect('caught');
    const call = helper.getNode('call');
    call.receive({ payload: 'a', progress: true, callId: 'slow', timeout: 0.2, opening: true });
    await until(() => caught.length === 1, 'the timeout report');
    const first = caught[0];
    assert.equal(first.opening, true);
    assert.equal((first.error as { code?: string }).code, 'wamp.error.timeout');
    call.receive({ payload: 'b', progress: true, callId: 'slow' });
    call.receive({ payload: 'c', callId: 'slow' });
    await until(() => caught.length === 3, 'the errors of the later messages');
    for (const m of caught.slice(1)) {
      assert.equal((m.error as { code?: string }).code, 'wamp.error.timeout');
      assert.match((m.error as { message: string }).message, /wamp-call\.errors\.stream-ended .*slow/);
    }
    assert.equal(chunks.length, 1, 'nothing more was sent to the callee');
    // The callId is free again: a new stream under it works.
    const out = nextMessages(helper.getNode('out'));
    call.receive({ payload: 'again', progress: true, callId: 'slow' });
    call.receive({ payload: '!', callId: 'slow' });
    await until(() => chunks.length === 3, 'the new stream');
    helper.getNode('resp').receive({ ...chunks[2], payload: 'fresh' });
    assert.equal((await out)[0].payload, 'fresh');
  });

  it('msg.action "cancel" with the callId cancels the stream: Catch hears wamp.error.canceled', async function () {
    await startRpc();
    const chunks = collect('callee');
    const call = helper.getNode('call');
    call.receive({ payload: 'a', progress: true, callId: 'c1' });
    await until(() => chunks.length === 1, 'the first chunk');
    const failed = caughtError(5000);
    call.receive({ action: 'cancel', callId: 'c1' });
    assert.equal((await failed).code, 'wamp.error.canceled');
  });
});

describe('example 10: streaming a call in chunks', function () {
  this.timeout(20000);
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((r) => helper.stopServer(r));
  });

  it('two chunks and "finish" come back as one summary from the join → function → wamp-response flow', async function () {
    const file = path.resolve(__dirname, '../../../examples/10 - wamp-call streaming a call in chunks.json');
    const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
    const flow = [
      { id: 'e0c1a2b3c4d5e610', type: 'tab', label: 'example' },
      ...nodes
        .filter((n) => n.type !== 'comment')
        .map((n) => (n.type === 'debug' ? { id: n.id, z: n.z, type: 'helper' } : n)),
    ];
    await helper.load([...modules, ...coreNodes(), coreNode('sequence/17-split.js')], flow);
    await waitStatus(helper.getNode('reg10'), isRegistered, 10000);
    const result = nextMessages(helper.getNode('d101'), 1, 10000);
    helper.getNode('i101').receive({});
    helper.getNode('i101').receive({});
    helper.getNode('i102').receive({});
    const [msg] = await result;
    const summary = msg.payload as { chunks: number; first: unknown; last: unknown };
    assert.equal(summary.chunks, 3);
    assert.equal(typeof summary.first, 'number', 'the inject sends timestamps');
    assert.equal(msg.callId, 'upload');
  });
});
