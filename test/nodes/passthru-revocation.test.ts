// msg.ppt (payload passthru) from a JSON connection to a MessagePack one and back untouched, and
// wamp-subscribe / wamp-register showing a revocation by the meta API, through a router of the
// library on a real port.
import assert from 'node:assert/strict';
import type { Connection } from '../../src/client/connection';
import type { NodeMessage } from '../../nodes/shared/red-types';
import { asAdmin, flow, isRegistered, isSubscribed, loadOne, startRpc, withRouter } from './advanced-setup';
import { caughtError, helper, isConnected, nextMessages, nextStatus, waitStatus } from './helpers';
import { modules } from './with-words';

describe('msg.ppt: payload passthru through the nodes', function () {
  this.timeout(20000);
  withRouter();
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
    await waitStatus(helper.getNode('sub'), isSubscribed, 10000);
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

/** Removes the subscription or registration of `uri` by the meta API (wamp.<kind>.remove). */
async function remove(
  admin: Connection,
  kind: 'subscription' | 'registration',
  uri: string,
  kwargs: Record<string, unknown> = {},
): Promise<void> {
  const found = await admin.call(`wamp.${kind}.lookup`, [uri]);
  await admin.call(`wamp.${kind}.remove`, [found.args[0]], kwargs);
}

describe('revocation: the nodes show it', function () {
  this.timeout(20000);
  withRouter();
  it('wamp.subscription.remove turns the status red with the reason; the next session subscribes again', async function () {
    const sub = await loadOne(
      { id: 'sub', type: 'wamp-subscribe', connection: 'connMp', topic: 'com.test.revoke' },
      isSubscribed,
    );
    await asAdmin(async (admin) => {
      const red = nextStatus(sub, (s) => s.fill === 'red', 5000);
      await remove(admin, 'subscription', 'com.test.revoke', { reason: 'com.admin.kicked_out' });
      const status = await red;
      assert.equal(status.shape, 'dot');
      // The test runtime renders RED._(key, subs) as "key {subs}": the failed text holds the revoked one.
      assert.match(
        status.text ?? '',
        /^wamp-subscribe\.status\.failed .*revoked-reason .*com\.admin\.kicked_out/,
      );
      // Reconnecting (the connection's disconnect / connect actions) subscribes again.
      const green = nextStatus(sub, isSubscribed, 10000);
      sub.receive({ action: 'disconnect' });
      sub.receive({ action: 'connect' });
      await green;
    });
  });

  it('the meta API\'s default reason (wamp.error.removed) reads "removed", in the status and the warning', async function () {
    const sub = await loadOne(
      { id: 'sub', type: 'wamp-subscribe', connection: 'connJson', topic: 'com.test.revoke2' },
      isSubscribed,
    );
    const warned = new Promise<string>((resolve) =>
      sub.on('call:warn', (c) => resolve(String((c as { args: unknown[] }).args[0]))),
    );
    await asAdmin(async (admin) => {
      const red = nextStatus(sub, (s) => s.fill === 'red', 5000);
      await remove(admin, 'subscription', 'com.test.revoke2');
      assert.match(
        (await red).text ?? '',
        /^wamp-subscribe\.status\.failed .*revoked-reason .*\\"reason\\":\\"removed\\"/,
      );
      assert.equal(
        await warned,
        'wamp-subscribe.errors.revoked {"topic":"com.test.revoke2","reason":"removed"}',
      );
    });
  });

  it('wamp-register shows the reason of wamp.registration.remove too', async function () {
    const reg = await loadOne(
      { id: 'reg', type: 'wamp-register', connection: 'connMp', procedure: 'com.test.revoked' },
      isRegistered,
    );
    await asAdmin(async (admin) => {
      const red = nextStatus(reg, (s) => s.fill === 'red', 5000);
      await remove(admin, 'registration', 'com.test.revoked', { reason: 'com.admin.maintenance' });
      assert.match(
        (await red).text ?? '',
        /^wamp-register\.status\.failed .*revoked-reason .*com\.admin\.maintenance/,
      );
    });
  });
});
