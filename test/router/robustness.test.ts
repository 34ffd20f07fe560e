import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { MessageType as M } from '../../src/wamp/messages';
import { FakeTransport } from './fake-transport';
import { ALL_ROLES, Peer } from './peer';

describe('router robustness', () => {
  let router: Router;
  let healthyCallee: Peer;
  let healthyCaller: Peer;
  const logged: string[] = [];

  beforeEach(async () => {
    logged.length = 0;
    const log = (m: string) => logged.push(m);
    router = new Router({ realms: [{ name: 'realm1' }], logger: { info: log, warn: log, error: log } });
    healthyCallee = await Peer.join(router);
    healthyCaller = await Peer.join(router);
    await healthyCallee.register('healthy.echo');
  });
  afterEach(() => router.close());

  /** The other sessions still route: an RPC round trip through the healthy pair. */
  async function assertHealthy(): Promise<void> {
    const request = healthyCaller.request();
    healthyCaller.send([M.CALL, request, {}, 'healthy.echo', ['ping']]);
    const inv = await healthyCallee.next(M.INVOCATION);
    healthyCallee.send([M.YIELD, inv[1], {}, inv[4]]);
    assert.deepEqual(await healthyCaller.answer(request, M.RESULT), [M.RESULT, request, {}, ['ping']]);
    assert.ok(healthyCaller.isOpen && healthyCallee.isOpen);
  }

  async function assertViolation(p: Peer, pattern?: RegExp): Promise<void> {
    await p.protocolViolation(pattern);
    await p.closed;
    await assertHealthy();
  }

  describe('a malformed message is ABORT wamp.error.protocol_violation and closes that session only', () => {
    it('wrong arity', async () => {
      const p = await Peer.join(router);
      p.send([M.PUBLISH, 1, {}]);
      await assertViolation(p, /PUBLISH has 3 elements/);
      assert.equal(router.sessionCount, 2);
    });

    it('a wrong element type', async () => {
      const p = await Peer.join(router);
      p.send([M.CALL, 'one', {}, 'healthy.echo']);
      await assertViolation(p);
    });

    it('an unknown message type', async () => {
      const p = await Peer.join(router);
      p.send([99, 1, {}]);
      await assertViolation(p, /unknown message type 99/);
    });

    it('a value that is not a list', async () => {
      const p = await Peer.join(router);
      p.send({ hello: 'world' } as unknown as unknown[]);
      await assertViolation(p);
    });

    it('an undecodable frame', async () => {
      const t = new FakeTransport();
      router.accept(t);
      t.receive([M.HELLO, 'realm1', {}]);
      assert.equal(t.sent[0][0], M.WELCOME);
      t.decodeError('bad json');
      assert.equal(t.sent[1][0], M.ABORT);
      assert.equal(t.sent[1][2], 'wamp.error.protocol_violation');
      await t.closed;
      await assertHealthy();
    });
  });

  describe('a session must begin with HELLO', () => {
    it('a message before HELLO is a protocol violation', async () => {
      const p = new Peer(router.connectLocal());
      p.send([M.SUBSCRIBE, 1, {}, 'topic']);
      await assertViolation(p, /before HELLO/);
    });

    it('AUTHENTICATE before HELLO is a protocol violation', async () => {
      const p = new Peer(router.connectLocal());
      p.send([M.AUTHENTICATE, 'sig', {}]);
      await assertViolation(p);
    });
  });

  describe('HELLO and AUTHENTICATE only in their place', () => {
    it('a second HELLO is a protocol violation', async () => {
      const p = await Peer.join(router);
      p.send([M.HELLO, 'realm1', { roles: ALL_ROLES }]);
      await assertViolation(p, /HELLO/);
      assert.equal(
        router.sessions().some((s) => s.id === p.sessionId),
        false,
      );
    });

    it('AUTHENTICATE without a CHALLENGE is a protocol violation', async () => {
      const p = await Peer.join(router);
      p.send([M.AUTHENTICATE, 'sig', {}]);
      await assertViolation(p, /AUTHENTICATE/);
    });

    it('a message other than AUTHENTICATE during the challenge is a protocol violation', async () => {
      await router.close();
      router = new Router({
        realms: [{ name: 'realm1' }],
        authenticators: () => [
          {
            method: 'ticket',
            begin: () => ({
              kind: 'challenge',
              method: 'ticket',
              extra: {},
              verify: () => ({ kind: 'abort', reason: 'wamp.error.authentication_failed', message: 'no' }),
            }),
          },
        ],
      });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'realm1', { roles: ALL_ROLES, authmethods: ['ticket'] }]);
      await p.next(M.CHALLENGE);
      p.send([M.CALL, 1, {}, 'x']);
      assert.equal((await p.next(M.ABORT))[2], 'wamp.error.protocol_violation');
      await p.closed;
    });
  });

  describe('only messages a client sends are accepted', () => {
    for (const [name, msg] of [
      ['WELCOME', [M.WELCOME, 1, {}]],
      ['EVENT', [M.EVENT, 1, 2, {}]],
      ['ERROR for a CALL', [M.ERROR, M.CALL, 1, {}, 'wamp.error.canceled']],
    ] as const) {
      it(`${name} from a client is a protocol violation`, async () => {
        const p = await Peer.join(router);
        p.send([...msg]);
        await assertViolation(p);
      });
    }
  });

  describe("YIELD for someone else's invocation is not accepted", () => {
    it('is a protocol violation for the impostor, and the real callee still answers', async () => {
      const impostor = await Peer.join(router);
      const request = healthyCaller.request();
      healthyCaller.send([M.CALL, request, {}, 'healthy.echo', ['real']]);
      const inv = await healthyCallee.next(M.INVOCATION);
      impostor.send([M.YIELD, inv[1], {}, ['forged']]);
      assert.equal((await impostor.next(M.ABORT))[2], 'wamp.error.protocol_violation');
      await impostor.closed;
      healthyCallee.send([M.YIELD, inv[1], {}, ['real']]);
      assert.deepEqual(await healthyCaller.answer(request, M.RESULT), [M.RESULT, request, {}, ['real']]);
      await assertHealthy();
    });

    it('an ERROR for an invocation never sent to this session is a protocol violation', async () => {
      const p = await Peer.join(router);
      p.send([M.ERROR, M.INVOCATION, 12345, {}, 'com.error']);
      await assertViolation(p);
    });
  });

  describe('a stalled consumer (bufferedAmount over maxOutboundBytes) is dropped', () => {
    it('closes the slow subscriber only', async () => {
      await router.close();
      router = new Router({ realms: [{ name: 'realm1' }], maxOutboundBytes: 1000 });
      healthyCallee = await Peer.join(router);
      healthyCaller = await Peer.join(router);
      await healthyCallee.register('healthy.echo');
      const slow = new FakeTransport();
      router.accept(slow);
      slow.receive([M.HELLO, 'realm1', {}]);
      slow.receive([M.SUBSCRIBE, 1, {}, 'feed']);
      const fast = await Peer.join(router);
      await fast.subscribe('feed');
      const pub = await Peer.join(router);
      slow.bufferedAmount = 5000;
      const req = pub.request();
      pub.send([M.PUBLISH, req, { acknowledge: true }, 'feed', ['x']]);
      await pub.answer(req, M.PUBLISHED);
      await slow.closed;
      assert.deepEqual((await fast.next(M.EVENT))[4], ['x']);
      assert.equal(router.sessionCount, 4);
      await assertHealthy();
    });
  });

  describe('the router never throws out of a transport callback', () => {
    it('drops a session whose transport throws on send; the publisher and others go on', async () => {
      const broken = new FakeTransport();
      router.accept(broken);
      broken.receive([M.HELLO, 'realm1', {}]);
      broken.receive([M.SUBSCRIBE, 1, {}, 'feed']);
      const ok = await Peer.join(router);
      await ok.subscribe('feed');
      const pub = await Peer.join(router);
      broken.failSend = true;
      const req = pub.request();
      pub.send([M.PUBLISH, req, { acknowledge: true }, 'feed']);
      await pub.answer(req, M.PUBLISHED);
      await ok.next(M.EVENT);
      await broken.closed;
      assert.ok(logged.some((l) => /socket exploded/.test(l)));
      await assertHealthy();
    });

    it('an authenticator that throws is ABORT wamp.error.authentication_failed', async () => {
      await router.close();
      router = new Router({
        realms: [{ name: 'realm1' }],
        authenticators: () => [
          {
            method: 'anonymous',
            begin: () => {
              throw new Error('db down');
            },
          },
        ],
      });
      const p = new Peer(router.connectLocal());
      p.send([M.HELLO, 'realm1', {}]);
      assert.equal((await p.next(M.ABORT))[2], 'wamp.error.authentication_failed');
      await p.closed;
    });

    it('an authorizer that throws refuses with wamp.error.not_authorized', async () => {
      await router.close();
      router = new Router({
        realms: [{ name: 'realm1' }],
        authorize: () => {
          throw new Error('boom');
        },
      });
      const p = await Peer.join(router);
      const req = p.request();
      p.send([M.SUBSCRIBE, req, {}, 't']);
      assert.equal((await p.answer(req, M.SUBSCRIBED))[4], 'wamp.error.not_authorized');
    });
  });

  describe('a session that goes away loses its registrations and subscriptions', () => {
    it('an aborted session leaves no registration behind', async () => {
      const p = await Peer.join(router);
      await p.register('gone.proc');
      await p.subscribe('gone.topic');
      p.send([M.HELLO, 'realm1', {}]);
      await p.closed;
      await healthyCaller.sync();
      const realm = router.realm('realm1')!;
      assert.equal(realm.dealer.lookup('gone.proc'), undefined);
      assert.equal(realm.broker.lookup('gone.topic'), undefined);
    });
  });
});
