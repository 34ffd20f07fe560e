// Access promises at the Node-RED level: secrets (tickets, WAMP-CRA secrets, router user
// secrets) appear in no log line, no flow export and no error; turning TLS verification off is
// explicit and logged; realms are isolated over the network.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';
import { Router } from '../../src/router';
import { listen } from '../../src/transports';
import { isWampError } from '../../src/wamp/errors';
import { helper, nodeModules, waitStatus } from '../nodes/helpers';
import { testCert, testKey } from '../transports/helpers';
import { until, within } from './support';

const ROUTER_TICKET = 'S3cret-router-ticket-1f9a';
const WRONG_TICKET = 'S3cret-wrong-ticket-77c2';
const CRA_SECRET = 'S3cret-wampcra-5e1d';

interface LogSpy {
  getCalls(): Array<{ args: unknown[] }>;
}

function allLogText(): string {
  const spy = (helper as unknown as { log(): LogSpy }).log();
  return spy
    .getCalls()
    .map((c) => JSON.stringify(c.args))
    .join('\n');
}

describe('reliability: access', function () {
  this.timeout(15_000);
  afterEach(() => helper.unload());

  it('secrets appear in no log line, no flow export and no login error', async function () {
    const flow = [
      { id: 'f1', type: 'tab', label: 'test' },
      {
        id: 'router',
        z: 'f1',
        type: 'wamp-router',
        realms: [{ name: 'realm1', anonymous: false }],
        users: [
          { realm: 'realm1', authid: 'alice', role: 'user', method: 'ticket' },
          { realm: 'realm1', authid: 'bob', role: 'user', method: 'wampcra' },
        ],
      },
      {
        id: 'conn',
        type: 'wamp-connection',
        transport: 'local',
        router: 'router',
        realm: 'realm1',
        authmethod: 'ticket',
        authid: 'alice',
        reconnect: false,
      },
      {
        id: 'conn2',
        type: 'wamp-connection',
        transport: 'local',
        router: 'router',
        realm: 'realm1',
        authmethod: 'wampcra',
        authid: 'bob',
        reconnect: false,
      },
      { id: 'call', z: 'f1', type: 'wamp-call', connection: 'conn', procedure: 'com.x', wires: [[]] },
      { id: 'call2', z: 'f1', type: 'wamp-call', connection: 'conn2', procedure: 'com.x', wires: [[]] },
    ];
    await helper.load(nodeModules, flow, {
      router: { secrets: JSON.stringify({ 'realm1/alice': ROUTER_TICKET, 'realm1/bob': CRA_SECRET }) },
      conn: { ticket: WRONG_TICKET },
      conn2: { secret: `not-${CRA_SECRET}` },
    });
    const failed = await waitStatus(
      helper.getNode('call'),
      (s) => s.fill === 'red' && s.shape === 'dot',
      5000,
    );
    await waitStatus(helper.getNode('call2'), (s) => s.fill === 'red' && s.shape === 'dot', 5000);
    const logs = allLogText();
    // The test runtime logs message keys untranslated; the library test below checks the texts.
    assert.match(logs, /wamp-connection.errors.failed/, 'the failure itself is logged');
    for (const secret of [ROUTER_TICKET, WRONG_TICKET, CRA_SECRET]) {
      assert.ok(!logs.includes(secret), `a secret is in the log: ${secret}`);
      assert.ok(!JSON.stringify(failed).includes(secret));
    }
    // What Node-RED writes to the flow file: credentials are stored apart, never in the flow.
    const red = (helper as unknown as { _RED: { nodes: { getFlows(): { flows: unknown[] } } } })._RED;
    const exported = JSON.stringify(red.nodes.getFlows());
    assert.ok(exported.includes('"authid":"alice"'));
    for (const secret of [ROUTER_TICKET, WRONG_TICKET, CRA_SECRET])
      assert.ok(!exported.includes(secret), `a secret is in the flow export: ${secret}`);
  });

  it('a login error from the library carries no secret', async function () {
    const router = new Router({
      realms: [
        {
          name: 'realm1',
          anonymous: false,
          users: [{ authid: 'alice', role: 'user', ticket: ROUTER_TICKET }],
        },
      ],
    });
    const client = new Connection({
      transportFactory: () => router.connectLocal(),
      realm: 'realm1',
      authid: 'alice',
      ticket: WRONG_TICKET,
      reconnect: { enabled: false },
    });
    const failed = new Promise<{ reason: string; error?: Error }>((resolve) =>
      client.on(
        'status',
        (s: { state: string; reason: string; error?: Error }) => s.state === 'failed' && resolve(s),
      ),
    );
    client.open();
    const s = await within(failed, 3000, 'failed login');
    const text = `${s.reason} ${s.error?.message ?? ''} ${JSON.stringify(s.error ?? {})}`;
    assert.ok(isWampError(s.error) && s.error.uri === 'wamp.error.authentication_failed', text);
    assert.ok(!text.includes(ROUTER_TICKET) && !text.includes(WRONG_TICKET), text);
    await client.close();
    await router.close();
  });

  it('TLS verification is on by default; turning it off in the tls-config node is logged as a warning', async function () {
    const router = new Router({ realms: [{ name: 'realm1' }] });
    const listener = await listen({ port: 0, tls: { key: testKey, cert: testCert } }, (t) =>
      router.accept(t),
    );
    const tlsNode = require(require.resolve('@node-red/nodes/core/network/05-tls.js'));
    const url = `wss://127.0.0.1:${listener.port}/ws`;
    try {
      await helper.load(
        [...nodeModules, tlsNode],
        [
          { id: 'f1', type: 'tab', label: 'test' },
          { id: 'verify', type: 'tls-config', cert: '', key: '', ca: '', verifyservercert: true },
          { id: 'noverify', type: 'tls-config', cert: '', key: '', ca: '', verifyservercert: false },
          { id: 'safe', type: 'wamp-connection', url, realm: 'realm1', tls: 'verify', reconnect: false },
          { id: 'optout', type: 'wamp-connection', url, realm: 'realm1', tls: 'noverify', reconnect: false },
          { id: 'call1', z: 'f1', type: 'wamp-call', connection: 'safe', procedure: 'com.x', wires: [[]] },
          { id: 'call2', z: 'f1', type: 'wamp-call', connection: 'optout', procedure: 'com.x', wires: [[]] },
        ],
      );
      await waitStatus(helper.getNode('call2'), (s) => s.fill === 'green', 5000);
      assert.equal(
        router.sessionCount,
        1,
        'only the opted-out connection got in: the self-signed certificate was refused',
      );
      const warnings = (helper as unknown as { log(): LogSpy })
        .log()
        .getCalls()
        .map((c) => JSON.stringify(c.args))
        .filter((l) => /tls-unverified/.test(l));
      assert.equal(warnings.length, 1, 'one warning, for the opted-out connection only');
      assert.match(warnings[0], /"id":"optout"/);
    } finally {
      await helper.unload();
      await listener.close();
      await router.close();
    }
  });

  it('realms are isolated over the network: no call, event or registration crosses', async function () {
    const router = new Router({ realms: [{ name: 'realm.a' }, { name: 'realm.b' }] });
    const listener = await listen({ port: 0 }, (t) => router.accept(t));
    const open = (realm: string, url: string): Connection => {
      const c = new Connection({ url, realm, reconnect: { enabled: false } });
      c.open();
      return c;
    };
    const a = open('realm.a', listener.url);
    const b = open('realm.b', `rs://127.0.0.1:${listener.port}`);
    try {
      const got: unknown[] = [];
      await new Promise<void>((r) => (a.status.state === 'connected' ? r() : a.once('status', () => r())));
      await new Promise<void>((r) => (b.status.state === 'connected' ? r() : b.once('status', () => r())));
      await a.register('shared.name', () => 'from a');
      await a.subscribe('shared.topic', (e) => got.push(e.args));
      await assert.rejects(
        b.call('shared.name'),
        (e: unknown) => isWampError(e) && e.uri === 'wamp.error.no_such_procedure',
      );
      await b.register('shared.name', () => 'from b'); // the same URI is free in realm b
      assert.deepEqual((await b.call('shared.name')).args, ['from b']);
      assert.deepEqual((await a.call('shared.name')).args, ['from a']);
      await b.publish('shared.topic', ['b'], undefined, { acknowledge: true });
      await a.publish('shared.topic', ['a'], undefined, { acknowledge: true, exclude_me: false });
      // b's event, had it crossed, was sent to a before PUBLISHED reached b, so before a's own.
      await until(() => got.length > 0, 2000, 'own event');
      assert.deepEqual(got, [['a']]);
      const listed = await b.call('wamp.session.list');
      assert.equal((listed.args[0] as unknown[]).length, 1, 'realm b sees only its own session');
    } finally {
      await a.close();
      await b.close();
      await listener.close();
      await router.close();
    }
  });
});
