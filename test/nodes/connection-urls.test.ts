// wamp-connection with several router URLs, keepalive and a maximum message size: the form
// turned into Connection options, and a deployed connection that skips a router that is down.
import assert from 'node:assert/strict';
import { Router } from '../../src/router';
import { buildConnectionOptions, type WampConnectionDef } from '../../nodes/shared/connection-config';
import type { Connection } from '../../src/client';
import { freePort } from '../support/node-red-process';
import { helper, isConnected, nodeModules, waitStatus, nodeRedPerTest } from './helpers';

const noLocal = (): never => {
  throw new Error('not in-process');
};
const build = (def: Partial<WampConnectionDef>) =>
  buildConnectionOptions(
    { id: 'c', type: 'wamp-connection', realm: 'realm1', ...def } as WampConnectionDef,
    {},
    noLocal,
    () => undefined,
  );

describe('wamp-connection: router URLs, keepalive, message size (form → options)', function () {
  it('an old flow with a single url keeps working', () => {
    const b = build({ url: ' ws://r1:8080/ws ' });
    assert.equal(b.options.url, 'ws://r1:8080/ws');
    assert.equal(b.endpoint, 'ws://r1:8080/ws');
    assert.equal(b.urlCount, 1);
  });

  it('a list of URLs wins over url and keeps its order; blank rows are dropped', () => {
    const b = build({ url: 'ws://r1:8080/ws', urls: ['ws://r1:8080/ws', ' ', 'rs://r2:8081'] });
    assert.deepEqual(b.options.url, ['ws://r1:8080/ws', 'rs://r2:8081']);
    assert.equal(b.endpoint, 'ws://r1:8080/ws, rs://r2:8081');
    assert.equal(b.urlCount, 2);
  });

  it('one bad URL in the list is a configuration error naming it', () => {
    assert.throws(() => build({ urls: ['ws://r1:8080/ws', 'ftp://r2'] }), /"ftp:\/\/r2" is not valid/);
  });

  it('keepalive: 30 s pings answered within 10 s by default; 0 turns it off', () => {
    const d = build({ url: 'ws://r1/ws' }).options;
    assert.equal(d.keepaliveMs, 30000);
    assert.equal(d.keepaliveTimeoutMs, 10000);
    const off = build({ url: 'ws://r1/ws', keepalive: '0' }).options;
    assert.equal(off.keepaliveMs, 0);
    const set = build({ url: 'ws://r1/ws', keepalive: 5, keepaliveTimeout: '2.5' }).options;
    assert.equal(set.keepaliveMs, 5000);
    assert.equal(set.keepaliveTimeoutMs, 2500);
  });

  it('max message size: empty is the library default; under 1024 bytes or not a number is an error', () => {
    assert.equal(build({ url: 'ws://r1/ws' }).options.maxMessageSize, undefined);
    assert.equal(build({ url: 'ws://r1/ws', maxMessageSize: '65536' }).options.maxMessageSize, 65536);
    assert.throws(() => build({ url: 'ws://r1/ws', maxMessageSize: 100 }), /at least 1024/);
    assert.throws(() => build({ url: 'ws://r1/ws', maxMessageSize: 'lots' }), /whole number of bytes/);
  });
});

describe('wamp-connection: a list of routers, deployed', function () {
  let router: Router | null = null;
  nodeRedPerTest(async () => {
    await router?.close();
    router = null;
  });

  it('skips the router that is down and says which one it is on', async function () {
    this.timeout(30000);
    router = new Router({ realms: [{ name: 'realm1' }] });
    const listener = await router.listen({ port: 0 });
    const down = `ws://127.0.0.1:${await freePort()}/ws`;
    await helper.load(nodeModules, [
      { id: 'f1', type: 'tab', label: 'test' },
      {
        id: 'conn',
        type: 'wamp-connection',
        url: down,
        urls: [down, listener.url],
        realm: 'realm1',
        reconnectDelay: 0.05,
      },
      { id: 'call', z: 'f1', type: 'wamp-call', connection: 'conn', procedure: 'p', wires: [[]] },
    ]);
    const s = await waitStatus(helper.getNode('call'), isConnected);
    assert.equal(s.text, 'wamp-connection.status.connected-to');
    const conn = helper.getNode('conn') as unknown as {
      connection(): Connection;
      log: { getCalls(): Array<{ args: unknown[] }> };
    };
    const status = conn.connection().status;
    assert.equal(status.state === 'connected' && status.url, listener.url);
    assert.ok(
      conn.log.getCalls().some((c) => c.args[0] === 'wamp-connection.log.connected-to'),
      'the log says which router',
    );
    assert.equal(router.sessionCount, 1);
  });
});
