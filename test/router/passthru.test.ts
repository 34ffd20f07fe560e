// Payload passthru mode: CALL/INVOCATION/YIELD/RESULT/ERROR and PUBLISH/EVENT with ppt_* options
// travel untouched; the router checks only the announcement and the spec's shape.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client/connection';
import { Result, type EventInfo } from '../../src/client/types';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports/listener';
import { MessageType as M } from '../../src/wamp/messages';
import { ALL_ROLES, Peer } from './peer';

const PPT = {
  roles: Object.fromEntries(
    Object.entries(ALL_ROLES).map(([role, r]) => [
      role,
      { features: { ...r.features, payload_passthru_mode: true } },
    ]),
  ),
};
const OPTS = {
  ppt_scheme: 'wamp.eth',
  ppt_serializer: 'cbor',
  ppt_cipher: 'xsalsa20poly1305',
  ppt_keyid: 'k1',
};
const SECRET = new Uint8Array([0, 1, 2, 254, 255]);

describe('router: payload passthru mode', () => {
  let router: Router;
  let listener: Listener | undefined;
  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
  });
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
    await router.close();
  });

  it('is announced by dealer and broker', async () => {
    const p = await Peer.join(router);
    const roles = p.welcome.roles as Record<string, { features: Record<string, boolean> }>;
    assert.equal(roles.dealer.features.payload_passthru_mode, true);
    assert.equal(roles.broker.features.payload_passthru_mode, true);
  });

  it('CALL -> INVOCATION -> YIELD -> RESULT and callee ERROR carry the ppt options and the bytes', async () => {
    const callee = await Peer.join(router, 'realm1', PPT);
    await callee.register('com.secret');
    const caller = await Peer.join(router, 'realm1', PPT);
    caller.send([M.CALL, 1, { ...OPTS }, 'com.secret', [SECRET]]);
    const inv = await callee.next(M.INVOCATION);
    assert.deepEqual(inv[3], OPTS);
    assert.deepEqual(inv[4], [SECRET]);
    callee.send([M.YIELD, inv[1], { ppt_scheme: 'wamp.eth', ppt_keyid: 'k2' }, [SECRET]]);
    const result = await caller.answer(1, M.RESULT);
    assert.deepEqual(result[2], { ppt_scheme: 'wamp.eth', ppt_keyid: 'k2' });
    assert.deepEqual(result[3], [SECRET]);

    caller.send([M.CALL, 2, { ...OPTS }, 'com.secret', [SECRET]]);
    const inv2 = await callee.next(M.INVOCATION);
    callee.send([M.ERROR, M.INVOCATION, inv2[1], { ppt_scheme: 'wamp.eth' }, 'com.error.secret', [SECRET]]);
    const err = await caller.answer(2, M.ERROR);
    assert.deepEqual([err[3], err[4], err[5]], [{ ppt_scheme: 'wamp.eth' }, 'com.error.secret', [SECRET]]);
  });

  it('PUBLISH -> EVENT carries the ppt options; retained events keep them', async () => {
    const sub = await Peer.join(router, 'realm1', PPT);
    await sub.subscribe('com.feed');
    const pub = await Peer.join(router, 'realm1', PPT);
    pub.send([M.PUBLISH, 1, { ...OPTS, retain: true }, 'com.feed', [SECRET]]);
    const ev = await sub.next(M.EVENT);
    assert.deepEqual([ev[3], ev[4]], [OPTS, [SECRET]]);
    const late = await Peer.join(router, 'realm1', PPT);
    late.send([M.SUBSCRIBE, 5, { get_retained: true }, 'com.feed']);
    const retained = await late.next(M.EVENT);
    assert.equal((retained[3] as Record<string, unknown>).ppt_scheme, 'wamp.eth');
  });

  it('without the announcement: protocol violation; bad shape: invalid_argument; a callee without it: feature_not_supported', async () => {
    const plainCallee = await Peer.join(router);
    await plainCallee.register('com.plain');
    const caller = await Peer.join(router, 'realm1', PPT);
    caller.send([M.CALL, 1, { ...OPTS }, 'com.plain', [SECRET]]);
    assert.equal((await caller.answer(1, M.ERROR))[4], 'wamp.error.feature_not_supported');
    caller.send([M.CALL, 2, { ...OPTS }, 'com.plain', ['not bytes']]);
    assert.equal((await caller.answer(2, M.ERROR))[4], 'wamp.error.invalid_argument');
    caller.send([M.CALL, 3, { ...OPTS }, 'com.plain', [SECRET], { k: 1 }]);
    assert.equal((await caller.answer(3, M.ERROR))[4], 'wamp.error.invalid_argument');

    const unannounced = await Peer.join(router);
    unannounced.send([M.PUBLISH, 1, { ...OPTS }, 'com.feed', [SECRET]]);
    assert.equal((await unannounced.next(M.ABORT))[2], 'wamp.error.protocol_violation');
  });

  it('a YIELD in passthru mode to a caller without the feature: ERROR to the callee, and the call ends', async () => {
    const callee = await Peer.join(router, 'realm1', PPT);
    await callee.register('com.reply');
    const caller = await Peer.join(router);
    caller.send([M.CALL, 1, {}, 'com.reply', []]);
    const inv = await callee.next(M.INVOCATION);
    callee.send([M.YIELD, inv[1], { ppt_scheme: 'x_custom' }, [SECRET]]);
    const toCallee = await callee.next(M.ERROR);
    assert.deepEqual(
      [toCallee[1], toCallee[2], toCallee[4]],
      [M.YIELD, inv[1], 'wamp.error.feature_not_supported'],
    );
    assert.equal((await caller.answer(1, M.ERROR))[4], 'wamp.error.feature_not_supported');
  });

  it('between serializers (MessagePack and CBOR callers, a JSON callee and subscriber) the bytes are not altered', async () => {
    listener = await router.listen({ port: 0 });
    const open = async (serializer: 'json' | 'msgpack' | 'cbor'): Promise<Connection> => {
      const c = new Connection({ url: listener!.url, realm: 'realm1', serializer });
      c.open();
      await c.connected();
      return c;
    };
    const jsonSide = await open('json');
    const bytes = new Uint8Array(256).map((_, i) => i);
    await jsonSide.register(
      'com.echo',
      (inv) => new Result(inv.args, {}, { ppt_scheme: String(inv.details.ppt_scheme) }),
    );
    const got = new Promise<EventInfo>((resolve) => void jsonSide.subscribe('com.feed', resolve));
    for (const serializer of ['msgpack', 'cbor'] as const) {
      const c = await open(serializer);
      const r = await c.call('com.echo', [bytes], {}, { ppt_scheme: 'x_test', ppt_serializer: 'custom' });
      assert.deepEqual(new Uint8Array(r.args[0] as Uint8Array), bytes);
      assert.equal(r.details.ppt_scheme, 'x_test');
      if (serializer === 'msgpack')
        await c.publish('com.feed', [bytes], {}, { ppt_scheme: 'x_test', acknowledge: true });
      await c.close();
    }
    const e = await got;
    assert.deepEqual(new Uint8Array(e.args[0] as Uint8Array), bytes);
    assert.equal(e.details.ppt_scheme, 'x_test');
    await jsonSide.close();
  });
});
