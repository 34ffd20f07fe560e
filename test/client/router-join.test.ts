// The client joining the embedded router: each auth method with right and wrong credentials, an
// unknown realm, and a router that closes (the client reconnects and restores what it held).
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Connection, type ConnectionOptions } from '../../src/client/connection';
import { OTHER_SEED, SEED, embeddedRouterPerTest, open, router, track, waitStatus } from './embedded-router';

describe('client against the embedded router: sessions', () => {
  embeddedRouterPerTest();

  it('router close sends GOODBYE; the client answers, reconnects to a new router and restores its registration and subscription', async () => {
    let current = router();
    const c = new Connection({
      realm: 'realm1',
      transportFactory: () => current.connectLocal(),
      reconnect: { initialDelayMs: 10, jitter: 0 },
    });
    track(c).open();
    await waitStatus(c, (s) => s.state === 'connected');
    const events: unknown[] = [];
    await c.register('com.echo', (inv) => inv.args[0]);
    await c.subscribe('com.t', (e) => events.push(e.args[0]));
    const down = waitStatus(c, (s) => s.state === 'disconnected');
    const old = current;
    current = router();
    await old.close();
    const d = await down;
    assert.equal(d.state === 'disconnected' && d.reason, 'wamp.close.system_shutdown');
    await waitStatus(c, (s) => s.state === 'connected');
    const other = await open({}, current);
    assert.deepEqual((await other.call('com.echo', ['x'])).args, ['x']);
    await other.publish('com.t', ['y'], {}, { acknowledge: true });
    await c.call('com.echo', ['sync']);
    assert.deepEqual(events, ['y']);
  });

  it('an unknown realm fails with wamp.error.no_such_realm', async () => {
    const c = await open({ realm: 'nowhere' });
    const s = c.status;
    assert.equal(s.state, 'failed');
    assert.equal(s.state === 'failed' && s.error?.uri, 'wamp.error.no_such_realm');
  });
});

describe('client against the embedded router: authentication', () => {
  embeddedRouterPerTest();

  const right: Array<[string, Partial<ConnectionOptions>, string]> = [
    ['ticket', { authid: 'tim', ticket: 'tick3t' }, 'ticket'],
    ['wampcra', { authid: 'cra', secret: 'cr4' }, 'wampcra'],
    ['salted wampcra', { authid: 'salty', secret: 's4lt' }, 'wampcra'],
    ['cryptosign', { authid: 'dev', privateKey: SEED }, 'cryptosign'],
    ['cryptosign without authid (found by public key)', { privateKey: SEED }, 'cryptosign'],
  ];
  for (const [name, creds, method] of right) {
    it(`${name} with the right credentials joins with that authmethod`, async () => {
      const c = await open({ realm: 'secure', ...creds });
      assert.equal(c.status.state, 'connected', JSON.stringify(c.status));
      assert.equal(c.session?.details.authmethod, method);
    });
  }

  const wrong: Array<[string, Partial<ConnectionOptions>]> = [
    ['ticket', { authid: 'tim', ticket: 'nope' }],
    ['wampcra', { authid: 'cra', secret: 'nope' }],
    ['salted wampcra', { authid: 'salty', secret: 'nope' }],
    ['cryptosign', { authid: 'dev', privateKey: OTHER_SEED }],
  ];
  for (const [name, creds] of wrong) {
    it(`${name} with wrong credentials fails with a fatal ABORT and stops (onFatal 'stop')`, async () => {
      const c = await open({ realm: 'secure', ...creds });
      const s = c.status;
      assert.equal(s.state, 'failed');
      assert.ok(
        s.state === 'failed' &&
          [
            'wamp.error.authentication_failed',
            'wamp.error.not_authorized',
            'wamp.error.no_matching_auth_method',
          ].includes(s.error?.uri ?? ''),
        JSON.stringify(s),
      );
    });
  }

  it('anonymous on a realm without anonymous access fails', async () => {
    const c = await open({ realm: 'secure' });
    assert.equal(c.status.state, 'failed');
  });
});
