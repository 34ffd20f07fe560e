// The advanced profile through the nodes, against a router of the library on a real port:
// wamp-call streaming one call in chunks (msg.progress + msg.callId) to a wamp-register flow,
// msg.ppt (payload passthru) from a JSON connection to a MessagePack one and back untouched,
// and a wamp-subscribe whose subscription the meta API revokes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '../../src/client/connection';
import { Router } from '../../src/router';
import type { RoleConfig } from '../../src/router/config';
import { listen, type Listener } from '../../src/transports/listener';
import type { NodeMessage, NodeStatus } from '../../nodes/shared/red-types';
import {
  caughtError,
  coreNode,
  coreNodes,
  helper,
  isConnected,
  nextMessages,
  nextStatus,
  waitStatus,
} from './helpers';
import { modules } from './with-words';

/** Anonymous may do everything, the router's `wamp.` meta procedures included (they need a grant by name). */
const ROLES: RoleConfig[] = [
  {
    name: 'anonymous',
    permissions: [
      { uri: '', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
      { uri: 'wamp.', match: 'prefix', call: true, subscribe: true },
    ],
  },
];

let router: Router;
let listener: Listener;

/** Two connections to the router: `connJson` (JSON) and `connMp` (MessagePack), nodes on each as asked. */
function flow(nodes: object[]): object[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'connJson',
      type: 'wamp-connection',
      transport: 'url',
      url: listener.url,
      realm: 'realm1',
      serializer: 'json',
    },
    {
      id: 'connMp',
      type: 'wamp-connection',
      transport: 'url',
      url: listener.url,
      realm: 'realm1',
      serializer: 'msgpack',
    },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
    ...nodes,
  ];
}

/** wamp-call on JSON → out; wamp-register on MessagePack → callee; the test answers through resp. */
function rpcFlow(register: object = {}, more: object[] = []): object[] {
  return flow([
    {
      id: 'call',
      z: 'f1',
      type: 'wamp-call',
      connection: 'connJson',
      procedure: 'com.test.upload',
      wires: [['out']],
    },
    { id: 'out', z: 'f1', type: 'helper' },
    {
      id: 'reg',
      z: 'f1',
      type: 'wamp-register',
      connection: 'connMp',
      procedure: 'com.test.upload',
      wires: [['callee']],
      ...register,
    },
    { id: 'callee', z: 'f1', type: 'helper' },
    { id: 'resp', z: 'f1', type: 'wamp-response' },
    ...more,
  ]);
}

const isRegistered = (s: NodeStatus): boolean =>
  isConnected(s) && s.text === 'wamp-register.status.registered';

async function startRpc(register?: object, more?: object[], extraNodes: unknown[] = []): Promise<void> {
  await helper.load([...modules, ...extraNodes], rpcFlow(register, more));
  await waitStatus(helper.getNode('reg'), isRegistered, 10000);
  await waitStatus(helper.getNode('call'), isConnected, 10000);
}

/** Collects every message a helper node gets from now on. */
function collect(id: string): NodeMessage[] {
  const got: NodeMessage[] = [];
  helper.getNode(id).on('input', (m: NodeMessage) => got.push(m));
  return got;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('advanced profile through the nodes', function () {
  this.timeout(20000);
  beforeEach(async () => {
    router = new Router({ realms: [{ name: 'realm1', roles: ROLES }] });
    listener = await listen({ host: '127.0.0.1', port: 0 }, (t) => router.accept(t));
    await new Promise<void>((r) => helper.startServer(r));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((r) => helper.stopServer(r));
    await listener.close();
    await router.close();
  });

  describe('wamp-call streams a call in chunks (progressive call invocations)', function () {
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

  describe('msg.ppt: payload passthru', function () {
    const BYTES = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x22, 0x5c, 0x7b]);

    it('wamp-publish (JSON) → wamp-subscribe (MessagePack): the Buffer arrives unaltered with msg.ppt', async function () {
      await helper.load(
        modules,
        flow([
          {
            id: 'pub',
            z: 'f1',
            type: 'wamp-publish',
            connection: 'connJson',
            topic: 'com.test.ppt',
            acknowledge: true,
          },
          {
            id: 'sub',
            z: 'f1',
            type: 'wamp-subscribe',
            connection: 'connMp',
            topic: 'com.test.ppt',
            wires: [['out']],
          },
          { id: 'out', z: 'f1', type: 'helper' },
        ]),
      );
      await waitStatus(helper.getNode('sub'), (s) => s.text === 'wamp-subscribe.status.subscribed', 10000);
      await waitStatus(helper.getNode('pub'), isConnected, 10000);
      const out = nextMessages(helper.getNode('out'), 1, 5000);
      const ppt = { scheme: 'x_custom', serializer: 'native', cipher: 'none', keyid: 'k1' };
      helper.getNode('pub').receive({ payload: BYTES, ppt });
      const [msg] = await out;
      assert.ok(Buffer.isBuffer(msg.payload) || msg.payload instanceof Uint8Array);
      assert.deepEqual(Buffer.from(msg.payload as Uint8Array), BYTES);
      assert.deepEqual(msg.ppt, ppt);
      assert.equal((msg.details as Record<string, unknown>).ppt_scheme, 'x_custom');
    });

    it('wamp-call (JSON) → wamp-register (MessagePack) → wamp-response: both ways untouched, msg.ppt on each side', async function () {
      await startRpc();
      const out = nextMessages(helper.getNode('out'), 1, 5000);
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        assert.deepEqual(msg.ppt, { scheme: 'mqtt' });
        assert.deepEqual(Buffer.from(msg.payload as Uint8Array), BYTES);
        const answer = Buffer.from(BYTES).reverse();
        helper.getNode('resp').receive({ ...msg, payload: answer, ppt: { scheme: 'x_reply', keyid: 'r' } });
      });
      helper.getNode('call').receive({ payload: BYTES, ppt: { scheme: 'mqtt' } });
      const [result] = await out;
      assert.deepEqual(Buffer.from(result.payload as Uint8Array), Buffer.from(BYTES).reverse());
      assert.deepEqual(result.ppt, { scheme: 'x_reply', keyid: 'r' });
    });

    it('a result without passthru takes an earlier msg.ppt off the message', async function () {
      await startRpc();
      const out = nextMessages(helper.getNode('out'), 1, 5000);
      helper.getNode('callee').on('input', (msg: NodeMessage) => {
        delete msg.ppt;
        helper.getNode('resp').receive({ ...msg, payload: 'plain' });
      });
      helper.getNode('call').receive({ payload: BYTES, ppt: { scheme: 'mqtt' } });
      const [result] = await out;
      assert.equal(result.payload, 'plain');
      assert.equal(result.ppt, undefined);
    });

    it('msg.ppt with a payload that is not a Buffer, or without a scheme, is an error for Catch', async function () {
      await startRpc();
      let failed = caughtError(5000);
      helper.getNode('call').receive({ payload: 'text', ppt: { scheme: 'mqtt' } });
      assert.match((await failed).message, /ppt-not-binary/);
      failed = caughtError(5000);
      helper.getNode('call').receive({ payload: BYTES, ppt: { serializer: 'cbor' } });
      assert.match((await failed).message, /ppt-invalid/);
    });
  });

  describe('wamp-subscribe: revocation', function () {
    it('wamp.subscription.remove turns the status red with the reason; the next session subscribes again', async function () {
      await helper.load(
        modules,
        flow([
          {
            id: 'sub',
            z: 'f1',
            type: 'wamp-subscribe',
            connection: 'connMp',
            topic: 'com.test.revoke',
            wires: [[]],
          },
        ]),
      );
      const sub = helper.getNode('sub');
      await waitStatus(sub, (s) => s.text === 'wamp-subscribe.status.subscribed', 10000);
      const admin = new Connection({ url: listener.url, realm: 'realm1', reconnect: { enabled: false } });
      admin.open();
      await admin.connected();
      try {
        const found = await admin.call('wamp.subscription.lookup', ['com.test.revoke']);
        const red = nextStatus(sub, (s) => s.fill === 'red', 5000);
        await admin.call('wamp.subscription.remove', [found.args[0]], { reason: 'com.admin.kicked_out' });
        const status = await red;
        assert.equal(status.shape, 'dot');
        // The test runtime renders RED._(key, subs) as "key {subs}": the failed text holds the revoked one.
        assert.match(
          status.text ?? '',
          /^wamp-subscribe\.status\.failed .*revoked-reason .*com\.admin\.kicked_out/,
        );
        // Reconnecting (the connection's disconnect / connect actions) subscribes again.
        const green = nextStatus(sub, (s) => s.text === 'wamp-subscribe.status.subscribed', 10000);
        sub.receive({ action: 'disconnect' });
        sub.receive({ action: 'connect' });
        await green;
      } finally {
        await admin.close();
      }
    });

    it('the meta API\'s default reason (wamp.error.removed) reads "removed", in the status and the warning', async function () {
      await helper.load(
        modules,
        flow([
          {
            id: 'sub',
            z: 'f1',
            type: 'wamp-subscribe',
            connection: 'connJson',
            topic: 'com.test.revoke2',
            wires: [[]],
          },
        ]),
      );
      const sub = helper.getNode('sub');
      await waitStatus(sub, (s) => s.text === 'wamp-subscribe.status.subscribed', 10000);
      const warned = new Promise<string>((resolve) =>
        sub.on('call:warn', (c) => resolve(String((c as { args: unknown[] }).args[0]))),
      );
      const admin = new Connection({ url: listener.url, realm: 'realm1', reconnect: { enabled: false } });
      admin.open();
      await admin.connected();
      try {
        const found = await admin.call('wamp.subscription.lookup', ['com.test.revoke2']);
        const red = nextStatus(sub, (s) => s.fill === 'red', 5000);
        await admin.call('wamp.subscription.remove', [found.args[0]]);
        assert.match(
          (await red).text ?? '',
          /^wamp-subscribe\.status\.failed .*revoked-reason .*\\"reason\\":\\"removed\\"/,
        );
        assert.equal(
          await warned,
          'wamp-subscribe.errors.revoked {"topic":"com.test.revoke2","reason":"removed"}',
        );
      } finally {
        await admin.close();
      }
    });

    it('wamp-register shows the reason of wamp.registration.remove too', async function () {
      await helper.load(
        modules,
        flow([
          {
            id: 'reg',
            z: 'f1',
            type: 'wamp-register',
            connection: 'connMp',
            procedure: 'com.test.revoked',
            wires: [[]],
          },
        ]),
      );
      const reg = helper.getNode('reg');
      await waitStatus(reg, isRegistered, 10000);
      const admin = new Connection({ url: listener.url, realm: 'realm1', reconnect: { enabled: false } });
      admin.open();
      await admin.connected();
      try {
        const found = await admin.call('wamp.registration.lookup', ['com.test.revoked']);
        const red = nextStatus(reg, (s) => s.fill === 'red', 5000);
        await admin.call('wamp.registration.remove', [found.args[0]], { reason: 'com.admin.maintenance' });
        assert.match(
          (await red).text ?? '',
          /^wamp-register\.status\.failed .*revoked-reason .*com\.admin\.maintenance/,
        );
      } finally {
        await admin.close();
      }
    });
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
