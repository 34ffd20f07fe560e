// The client session against a scripted raw router, exactly what goes on the wire: HELLO and
// WELCOME, ABORT and GOODBYE, the router's protocol violations, and every promise settling on close.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { CLIENT_ROLES, Session, type SessionCloseInfo } from '../../src/client/session';
import { WampError } from '../../src/wamp/errors';
import { joined, outcome, rawPair } from './raw-peer';

describe('client session: HELLO', () => {
  it('names the realm, announces the four client roles with only the supported features, and offers anonymous by default', async () => {
    const { session, peer, hello } = await joined();
    assert.equal(hello[1], 'realm1');
    const details = hello[2] as Record<string, unknown>;
    assert.deepEqual(details.roles, CLIENT_ROLES);
    assert.deepEqual(Object.keys(details.roles as object).sort(), [
      'callee',
      'caller',
      'publisher',
      'subscriber',
    ]);
    const caller = (details.roles as Record<string, { features: Record<string, boolean> }>).caller.features;
    // Bondy refuses progressive_call_results without call_canceling: both go together.
    assert.equal(caller.progressive_call_results, true);
    assert.equal(caller.call_canceling, true);
    assert.deepEqual(details.authmethods, ['anonymous']);
    assert.equal(details.authid, undefined);
    assert.equal(session.isOpen, true);
    assert.equal(session.id, 12345);
    peer.transport.close();
    await peer.whenClosed();
  });

  it('WELCOME establishes the session with its id and details', async () => {
    const { session } = await joined();
    assert.equal(session.details.authrole, 'anonymous');
    assert.equal(session.currentState, 'established');
  });
});

describe('client session: ABORT and GOODBYE', () => {
  it('ABORT in answer to HELLO rejects join with the reason as a WampError', async () => {
    const { peer, clientEnd } = rawPair();
    const session = new Session(clientEnd, { realm: 'nope' });
    const joining = session.join();
    await peer.expect(1);
    peer.send([3, { message: 'no realm' }, 'wamp.error.no_such_realm']);
    await assert.rejects(
      joining,
      (e: WampError) =>
        e instanceof WampError && e.uri === 'wamp.error.no_such_realm' && e.details.message === 'no realm',
    );
    await peer.whenClosed();
  });

  it('router GOODBYE is answered with GOODBYE goodbye_and_out, pending requests reject, close reports the router reason', async () => {
    const { session, peer } = await joined();
    const closed = new Promise<SessionCloseInfo>((r) => session.once('close', r));
    const call = session.call('com.x');
    await peer.expect(48);
    peer.send([6, { message: 'bye' }, 'wamp.close.system_shutdown']);
    assert.deepEqual(await peer.next(), [6, {}, 'wamp.close.goodbye_and_out']);
    const info = await closed;
    assert.equal(info.reason, 'wamp.close.system_shutdown');
    assert.equal(info.byRouter, true);
    assert.equal(await outcome(call), 'wamp.error.connection_lost');
    await peer.whenClosed();
    assert.equal(await outcome(session.call('com.y')), 'wamp.error.connection_lost');
  });

  it('leave() sends GOODBYE and completes on the router GOODBYE', async () => {
    const { session, peer } = await joined();
    const left = session.leave();
    assert.deepEqual(await peer.next(), [6, {}, 'wamp.close.normal']);
    peer.send([6, {}, 'wamp.close.goodbye_and_out']);
    await left;
    assert.equal(session.isOpen, false);
    await peer.whenClosed();
  });
});

describe('client session: protocol violations by the router', () => {
  const cases: Array<[string, unknown[]]> = [
    ['a REGISTERED for a request never made', [65, 999, 7]],
    ['a malformed message', [36, 'x', 1, {}]],
    ['a message type a router never sends', [48, 1, {}, 'com.x']],
    ['a second WELCOME', [2, 5, {}]],
  ];
  for (const [what, msg] of cases) {
    it(`${what} => ABORT wamp.error.protocol_violation and the transport closes`, async () => {
      const { session, peer } = await joined();
      const pending = session.call('com.pending');
      await peer.expect(48);
      peer.send(msg);
      const abort = await peer.expect(3);
      assert.equal(abort[2], 'wamp.error.protocol_violation');
      await peer.whenClosed();
      assert.equal(await outcome(pending), 'wamp.error.connection_lost');
      assert.equal(session.isOpen, false);
    });
  }

  it('a message before WELCOME => ABORT protocol_violation and join rejects', async () => {
    const { peer, clientEnd } = rawPair();
    const session = new Session(clientEnd, { realm: 'realm1' });
    const joining = session.join();
    await peer.expect(1);
    peer.send([36, 1, 2, {}]);
    assert.equal((await peer.expect(3))[2], 'wamp.error.protocol_violation');
    assert.equal(await outcome(joining), 'wamp.error.protocol_violation');
  });
});

describe('client session: every promise settles when the session closes', () => {
  it('call, register, subscribe, acknowledged publish and unregister all reject with wamp.error.connection_lost', async () => {
    const { session, peer } = await joined();
    const regP = session.register('com.r', () => 1);
    const req = await peer.expect(64);
    peer.send([65, req[1], 77]);
    const reg = await regP;
    const call = session.call('com.c');
    const register = session.register('com.r2', () => 1);
    const subscribe = session.subscribe('com.t', () => undefined);
    const publish = session.publish('com.t', [1], {}, { acknowledge: true });
    const unregister = reg.unregister();
    for (let i = 0; i < 5; i++) await peer.next();
    peer.transport.close(1006, 'gone');
    const results = await Promise.all([call, register, subscribe, publish, unregister].map(outcome));
    assert.deepEqual(results, Array(5).fill('wamp.error.connection_lost'));
    assert.equal(reg.id, undefined);
  });

  it('requests made after the close reject at once', async () => {
    const { session, peer } = await joined();
    peer.transport.close();
    await new Promise((r) => session.once('close', r));
    const all = [
      session.call('a.b'),
      session.register('a.b', () => 1),
      session.subscribe('a.b', () => 1),
      session.publish('a.b'),
    ];
    assert.deepEqual(await Promise.all(all.map(outcome)), Array(4).fill('wamp.error.connection_lost'));
  });
});
