// Secrets live in Node-RED's credentials, never in the flow configuration that is exported,
// saved to flows.json or sent to the editor: wamp-connection ticket/secret/privateKey and the
// wamp-router's user secrets.
import assert from 'node:assert/strict';
import { publicKeyHexOf } from '../../src/wamp/auth/cryptosign';
import { findRouter } from '../../nodes/shared/router-registry';
import { helper, isConnected, nodeModules, waitStatus, nodeRedPerTest } from './helpers';

const TICKET = 'ticket-7f3a9c-do-not-export';
const CRA_SECRET = 'cra-secret-41be02-do-not-export';
const PRIVATE_KEY = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
const SECRETS = [TICKET, CRA_SECRET, PRIVATE_KEY];

/** The runtime's flow API behind the helper (what the admin API's GET /flows returns and deploy saves). */
interface RedNodes {
  getFlows(): { flows: object[] };
  setFlows(flows: object[], credentials: object | null, type: string): Promise<unknown>;
}
const redNodes = (): RedNodes => (helper as unknown as { _redNodes: RedNodes })._redNodes;

function flow(): Array<Record<string, unknown>> {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'router',
      z: 'f1',
      type: 'wamp-router',
      realms: [{ name: 'realm1', anonymous: false }],
      accounts: [
        { realm: 'realm1', authid: 'alice', role: 'user', method: 'ticket' },
        { realm: 'realm1', authid: 'bob', role: 'user', method: 'wampcra' },
        {
          realm: 'realm1',
          authid: 'carol',
          role: 'user',
          method: 'cryptosign',
          pubkey: publicKeyHexOf(PRIVATE_KEY),
        },
      ],
    },
    {
      id: 'c1',
      type: 'wamp-connection',
      transport: 'local',
      router: 'router',
      realm: 'realm1',
      authmethod: 'ticket',
      authid: 'alice',
    },
    {
      id: 'c2',
      type: 'wamp-connection',
      transport: 'local',
      router: 'router',
      realm: 'realm1',
      authmethod: 'wampcra',
      authid: 'bob',
    },
    {
      id: 'c3',
      type: 'wamp-connection',
      transport: 'local',
      router: 'router',
      realm: 'realm1',
      authmethod: 'cryptosign',
      authid: 'carol',
    },
    { id: 'p1', z: 'f1', type: 'wamp-publish', connection: 'c1', topic: 'com.test.t' },
    { id: 'p2', z: 'f1', type: 'wamp-publish', connection: 'c2', topic: 'com.test.t' },
    { id: 'p3', z: 'f1', type: 'wamp-publish', connection: 'c3', topic: 'com.test.t' },
  ];
}

const CREDS: Record<string, Record<string, string>> = {
  router: { secrets: JSON.stringify({ 'realm1/alice': TICKET, 'realm1/bob': CRA_SECRET }) },
  c1: { ticket: TICKET },
  c2: { secret: CRA_SECRET },
  c3: { privateKey: PRIVATE_KEY },
};

function assertNoSecrets(what: string, value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} contains a secret`);
}

/** Every connection authenticated with its credentials: the secrets reached the nodes. */
async function allAuthenticated(): Promise<void> {
  await Promise.all(['p1', 'p2', 'p3'].map((id) => waitStatus(helper.getNode(id), isConnected)));
  assert.deepEqual(
    findRouter('router')!
      .sessions('realm1')
      .map((s) => s.authid)
      .sort(),
    ['alice', 'bob', 'carol'],
  );
}

describe('credentials stay out of the flow configuration', function () {
  nodeRedPerTest();

  it('loaded with credentials: the nodes have them, the flows Node-RED exports do not', async function () {
    await helper.load(nodeModules, flow(), CREDS);
    const creds = (id: string): Record<string, string> =>
      (helper.getNode(id) as unknown as { credentials: Record<string, string> }).credentials;
    assert.equal(creds('c1').ticket, TICKET);
    assert.equal(creds('c2').secret, CRA_SECRET);
    assert.equal(creds('c3').privateKey, PRIVATE_KEY);
    assert.deepEqual(JSON.parse(creds('router').secrets), {
      'realm1/alice': TICKET,
      'realm1/bob': CRA_SECRET,
    });
    await allAuthenticated();

    const exported = redNodes().getFlows();
    assert.equal(exported.flows.length, flow().length);
    assertNoSecrets('the exported flows', exported);
    // The public key of a cryptosign user is not secret and stays in the flow.
    assert.ok(JSON.stringify(exported).includes(publicKeyHexOf(PRIVATE_KEY)));
  });

  it('deployed from the editor with credentials inside the nodes: extracted, and gone from the flows', async function () {
    await helper.load(nodeModules, [{ id: 'f1', type: 'tab', label: 'test' }]);
    // The editor sends each node's credentials inside the node; the runtime moves them to the
    // credential store before saving and running the flows.
    const deployed = flow().map((n) =>
      CREDS[String(n.id)] ? { ...n, credentials: CREDS[String(n.id)] } : n,
    );
    const events = (helper as unknown as { _events: { once(e: string, f: () => void): void } })._events;
    const started = new Promise<void>((resolve) => events.once('flows:started', resolve));
    await redNodes().setFlows(deployed, null, 'full');
    await started;
    await allAuthenticated();
    const exported = redNodes().getFlows();
    assertNoSecrets('the flows after deploy', exported);
    for (const n of exported.flows as Array<Record<string, unknown>>)
      assert.equal(n.credentials, undefined, `node ${String(n.id)} has no credentials property`);
  });
});

describe('wamp-router secrets are password credentials, one slot per user', function () {
  nodeRedPerTest();

  const events = (): { once(e: string, f: () => void): void } =>
    (helper as unknown as { _events: { once(e: string, f: () => void): void } })._events;
  async function deploy(nodes: Array<Record<string, unknown>>): Promise<void> {
    const started = new Promise<void>((resolve) => events().once('flows:started', resolve));
    await redNodes().setFlows(nodes, null, 'full');
    await started;
  }
  const routerNode = (accounts: object[], credentials: Record<string, string>) => ({
    id: 'router',
    z: 'f1',
    type: 'wamp-router',
    realms: [{ name: 'realm1', anonymous: false }],
    accounts,
    credentials,
  });
  const connection = (id: string, authid: string, ticket: string) => ({
    id,
    type: 'wamp-connection',
    transport: 'local',
    router: 'router',
    realm: 'realm1',
    authmethod: 'ticket',
    authid,
    credentials: { ticket },
  });
  const publisher = (id: string, conn: string) => ({
    id,
    z: 'f1',
    type: 'wamp-publish',
    connection: conn,
    topic: 'com.t',
  });

  it('a slot left at __PWRD__ keeps its secret while another user is added (GET /credentials: test/plugin/router-view-admin-auth.test.ts)', async function () {
    await helper.load(nodeModules, [{ id: 'f1', type: 'tab', label: 'test' }]);
    const alice = { realm: 'realm1', authid: 'alice', role: 'user', method: 'ticket', slot: 0 };
    await deploy([
      { id: 'f1', type: 'tab', label: 'test' },
      routerNode([alice], { secret0: TICKET }),
      connection('c1', 'alice', TICKET),
      publisher('p1', 'c1'),
    ]);
    await waitStatus(helper.getNode('p1'), isConnected);

    // The editor leaves alice's slot at __PWRD__ and adds dave in slot 1.
    const dave = { realm: 'realm1', authid: 'dave', role: 'user', method: 'ticket', slot: 1 };
    await deploy([
      { id: 'f1', type: 'tab', label: 'test' },
      routerNode([alice, dave], { secret0: '__PWRD__', secret1: 'dave-ticket' }),
      connection('c1', 'alice', TICKET),
      connection('c2', 'dave', 'dave-ticket'),
      publisher('p1', 'c1'),
      publisher('p2', 'c2'),
    ]);
    await Promise.all(['p1', 'p2'].map((id) => waitStatus(helper.getNode(id), isConnected)));
    assert.deepEqual(
      findRouter('router')!
        .sessions('realm1')
        .map((s) => s.authid)
        .sort(),
      ['alice', 'dave'],
    );
  });
});
