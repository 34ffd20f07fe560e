// Attacks by one client on the others (issue "Hold against a hostile client"): each test performs
// the attack against a real listener and shows that it fails, that the attacker is the one
// refused, and that the other sessions never notice. docs/RELIABILITY.md "Attacks" lists them.
// Attacks by nesting: a payload nested 20,000 deep (or cyclic, in-process) is refused from its
// sender, and a message a receiver cannot be sent does not drop that receiver.
import assert from 'node:assert/strict';
import { MessageType as M } from '../../src/wamp/messages';
import { Peer } from '../router/peer';
import { deepMessage } from './attack-client';
import { KINDS, SERIALIZERS, answer, attackBed } from './attack-bed';
import type { RawClient } from './raw-client';

describe('attacks on other sessions fail', function () {
  this.timeout(60_000);
  const bed = attackBed();
  const { start, client, warnings } = bed;

  describe('a payload nested 20,000 deep is refused from its sender', () => {
    for (const kind of KINDS)
      for (const serializer of SERIALIZERS)
        it(`over ${kind}/${serializer}: retained publish and call are refused; subscribers, callee and later subscribers stay`, async () => {
          await start();
          // Receivers of every serializer, over both transports.
          const receivers: RawClient[] = [];
          for (const k of KINDS)
            for (const s of SERIALIZERS) {
              const r = await client(k, s);
              r.sendValue([M.SUBSCRIBE, 1, {}, 'com.t']);
              await answer(r, 1);
              receivers.push(r);
            }
          const callee = await client('websocket', 'json');
          callee.sendValue([M.REGISTER, 2, {}, 'com.p']);
          await answer(callee, 2);
          const attacker = await client(kind, serializer);
          const send = (c: RawClient, bytes: Buffer): void =>
            c.sendRaw(serializer === 'json' ? bytes.toString() : bytes, serializer !== 'json');

          // 1000 deep decodes everywhere: refused by the nesting limit with an ERROR, the
          // sender stays. 20,000 deep: the same, or (CBOR, whose decoder recurses) undecodable,
          // which is ABORT protocol_violation for the sender alone.
          for (const depth of [1000, 20_000]) {
            for (const type of ['publish', 'call'] as const) {
              const from = attacker.received.length;
              send(attacker, deepMessage(serializer, type, type === 'publish' ? 'com.t' : 'com.p', depth));
              const refused = await attacker.waitFor(
                (m) => (m[0] === M.ERROR && m[2] === 7) || m[0] === M.ABORT,
                10_000,
                from,
              );
              if (refused?.[0] === M.ABORT || (refused === null && attacker.closed)) {
                assert.equal(depth, 20_000, 'only a message too deep to decode ends the session');
                assert.equal(serializer, 'cbor');
                assert.equal(refused?.[2], 'wamp.error.protocol_violation');
                break;
              }
              assert.equal(refused?.[4], 'wamp.error.invalid_argument', JSON.stringify(refused));
              assert.match(String((refused?.[5] as unknown[])[0]), /nested deeper than 64 levels/);
            }
          }

          // A subscriber asking for retained events afterwards gets nothing and stays.
          const late = await client('websocket', 'json');
          late.sendValue([M.SUBSCRIBE, 3, { get_retained: true }, 'com.t']);
          await answer(late, 3);

          // Everyone is still connected and routing: an ordinary event reaches all of them.
          const publisher = attacker.closed ? await client(kind, serializer) : attacker;
          const from = publisher.received.length;
          publisher.sendValue([M.PUBLISH, 8, { acknowledge: true }, 'com.t', ['ok']]);
          await answer(publisher, 8, from);
          for (const r of [...receivers, late]) {
            const ev = await r.waitFor((m) => m[0] === M.EVENT, 10_000);
            assert.deepEqual(ev?.[4], ['ok'], `${r.kind}/${r.serializer.id} got the ordinary event only`);
            assert.equal(r.closed, false);
          }
          assert.equal(callee.closed, false);
          assert.equal(
            callee.received.some((m) => m[0] === M.INVOCATION),
            false,
          );
          if (serializer !== 'cbor')
            assert.equal(attacker.closed, false, 'the sender is answered, not dropped');
        });

    it('in-process: a cyclic or 20,000-deep value reaches in-process receivers, never the network', async () => {
      await start();
      // An in-process payload is shared by reference with in-process receivers (nothing is
      // encoded): it is walked only when a network receiver needs it encoded, and skipped there,
      // as a value the receiver's serializer cannot write is (the test below).
      const sub = await client('websocket', 'json');
      sub.sendValue([M.SUBSCRIBE, 1, {}, 'com.t']);
      await answer(sub, 1);
      const callee = await client('rawsocket', 'msgpack');
      callee.sendValue([M.REGISTER, 2, {}, 'com.p']);
      await answer(callee, 2);
      const localSub = await Peer.join(bed.router);
      await localSub.subscribe('com.t');
      const local = await Peer.join(bed.router);
      let deep: unknown[] = [];
      for (let i = 0; i < 20_000; i++) deep = [deep];
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const arg of [deep, cyclic]) {
        const req = local.request();
        local.send([M.PUBLISH, req, { acknowledge: true, retain: true }, 'com.t', [arg]]);
        assert.equal((await local.answer(req, M.PUBLISHED))[0], M.PUBLISHED);
        const ev = await localSub.next(M.EVENT);
        assert.equal((ev[4] as unknown[])[0], arg, 'the in-process subscriber gets the value itself');
        const call = await local.call('com.p', [arg]);
        assert.deepEqual([call[0], call[4]], [M.ERROR, 'wamp.error.invalid_argument']);
        assert.match(String((call[5] as unknown[])[0]), /nested deeper than 64 levels/);
      }
      local.send([M.PUBLISH, local.request(), {}, 'com.t', ['fine']]);
      const ev = await sub.waitFor((m) => m[0] === M.EVENT, 10_000);
      assert.deepEqual(ev?.[4], ['fine'], 'the network subscriber got only what it can be sent');
      assert.equal(sub.closed, false);
      assert.equal(callee.closed, false);
      assert.equal(
        callee.received.some((m) => m[0] === M.INVOCATION),
        false,
      );
      assert.match(warnings.join('\n'), /not sent: nested deeper than 64 levels/);
      assert.match(warnings.join('\n'), /not retained: nested deeper than 64 levels/);
      // A network subscriber asking for the retained event later gets none of them.
      const late = await client('websocket', 'json');
      late.sendValue([M.SUBSCRIBE, 3, { get_retained: true }, 'com.t']);
      await answer(late, 3);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        late.received.filter((m) => m[0] === M.EVENT).map((m) => m[4]),
        [],
      );
    });

    it('a message a receiver cannot be sent does not drop that receiver; the caller hears why', async () => {
      await start();
      const sub = await client('websocket', 'json');
      sub.sendValue([M.SUBSCRIBE, 1, {}, 'com.t']);
      await answer(sub, 1);
      const callee = await client('rawsocket', 'json');
      callee.sendValue([M.REGISTER, 2, {}, 'com.p']);
      await answer(callee, 2);
      // In-process values are not serialized on the way in: a BigInt reaches the router, and no
      // JSON encoder can write it.
      const local = await Peer.join(bed.router);
      local.send([M.PUBLISH, local.request(), {}, 'com.t', [10n]]);
      const call = await local.call('com.p', [10n]);
      assert.equal(call[0], M.ERROR);
      assert.equal(call[4], 'wamp.error.invalid_argument');
      assert.match(String((call[5] as unknown[])[0]), /cannot encode as JSON/);
      local.send([M.PUBLISH, local.request(), {}, 'com.t', ['fine']]);
      const ev = await sub.waitFor((m) => m[0] === M.EVENT, 10_000);
      assert.deepEqual(ev?.[4], ['fine']);
      assert.equal(sub.closed, false);
      assert.equal(callee.closed, false);
      assert.match(warnings.join('\n'), /not sent: cannot encode as JSON/);
    });
  });
});
