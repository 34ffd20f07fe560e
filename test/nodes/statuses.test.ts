// Statuses that tell the truth, on both connection kinds (in-process to a wamp-router node, and by
// URL to the same router's port): a registration or subscription the router refuses shows a red
// dot with the reason on first connect and after every reconnect, and is logged by the node that
// asked for it; an accepted one shows its own state again after a reconnect. The test runs the
// nodes with a message lookup that keeps the substitutions, so that reasons can be checked.
import assert from 'node:assert/strict';
import type { NodeStatus } from '../../nodes/shared/red-types';
import { findRouter } from '../../nodes/shared/router-registry';
import {
  freePort,
  helper,
  nextMessages,
  nextStatus,
  type TestNode,
  waitStatus,
  nodeRedPerTest,
} from './helpers';
import { adminGet, keysLogged, lastStatus, logged, modules } from './with-words';

const KINDS = { L: 'in-process', U: 'by URL' } as const;
type Kind = keyof typeof KINDS;

const isRefused = (s: NodeStatus): boolean => s.fill === 'red' && s.shape === 'dot';
const registered = (s: NodeStatus): boolean =>
  s.fill === 'green' && s.shape === 'dot' && s.text === 'wamp-register.status.registered';
const subscribed = (s: NodeStatus): boolean =>
  s.fill === 'green' && s.shape === 'dot' && s.text === 'wamp-subscribe.status.subscribed';

/** A router node on its own port whose anonymous role may use com.ok.* only, and a connection of each kind. */
function routerAndConnections(port: number, extra: object[]): object[] {
  const roles = JSON.stringify([
    {
      name: 'guest',
      permissions: [
        { uri: 'com.ok', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
      ],
    },
  ]);
  const pace = { reconnectDelay: 0.05, reconnectMaxDelay: 0.2 };
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'router',
      z: 'f1',
      type: 'wamp-router',
      realms: [{ name: 'realm1', anonymousRole: 'guest' }],
      roles,
      usePort: true,
      host: '127.0.0.1',
      port,
      path: '/ws',
    },
    { id: 'connL', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1', ...pace },
    { id: 'connU', type: 'wamp-connection', url: `ws://127.0.0.1:${port}/ws`, realm: 'realm1', ...pace },
    { id: 'caught', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    ...extra,
  ];
}

/** For each kind: an accepted, a not-authorized and an invalid registration and subscription. */
function perKindNodes(k: Kind): object[] {
  const reg = (id: string, procedure: string) => ({
    id,
    z: 'f1',
    type: 'wamp-register',
    connection: `conn${k}`,
    procedure,
    wires: [[]],
  });
  const sub = (id: string, topic: string, dynamic = false) => ({
    id,
    z: 'f1',
    type: 'wamp-subscribe',
    connection: `conn${k}`,
    topic,
    dynamic,
    wires: [[`subOut${k}`]],
  });
  return [
    reg(`okReg${k}`, `com.ok.${k}.p`),
    reg(`deniedReg${k}`, `com.denied.${k}.p`),
    reg(`badReg${k}`, `com.ok..${k}`),
    sub(`okSub${k}`, `com.ok.${k}.t`),
    sub(`deniedSub${k}`, `com.denied.${k}.t`),
    sub(`dynSub${k}`, '', true),
    { id: `subOut${k}`, z: 'f1', type: 'helper' },
  ];
}

describe('node statuses: refused registrations and subscriptions, on every connection kind', function () {
  this.timeout(30000);
  nodeRedPerTest();

  it('first connect: red dot with the reason on the refused node, logged under its own name, no "after reconnecting"', async function () {
    const port = await freePort();
    await helper.load(modules, routerAndConnections(port, [...perKindNodes('L'), ...perKindNodes('U')]));
    for (const k of Object.keys(KINDS) as Kind[]) {
      const n = (id: string): TestNode => helper.getNode(`${id}${k}`);
      await waitStatus(n('okReg'), registered, 10000);
      await waitStatus(n('okSub'), subscribed, 10000);
      const expectations: Array<[string, string, string]> = [
        [
          'deniedReg',
          'wamp-register.status.failed {"error":"not authorized"}',
          'wamp-register.errors.register-failed',
        ],
        [
          'badReg',
          'wamp-register.status.failed {"error":"invalid uri"}',
          'wamp-register.errors.register-failed',
        ],
        [
          'deniedSub',
          'wamp-subscribe.status.failed {"error":"not authorized"}',
          'wamp-subscribe.errors.subscribe-failed',
        ],
      ];
      for (const [id, text, logKey] of expectations) {
        const s = await waitStatus(n(id), isRefused, 10000);
        assert.equal(s.text, text, `${id} ${KINDS[k]}`);
        // Still red once the connection is up and has told every node: the connection's
        // "connected" does not paint over the refusal.
        assert.deepEqual(lastStatus(n(id)), { fill: 'red', shape: 'dot', text }, `${id} ${KINDS[k]}`);
        assert.deepEqual(keysLogged(n(id), 'error'), [logKey], `${id} ${KINDS[k]}`);
        assert.match(logged(n(id), 'error')[0], /not_authorized|invalid_uri|invalid/);
      }
      assert.deepEqual(lastStatus(n('okReg')), {
        fill: 'green',
        shape: 'dot',
        text: 'wamp-register.status.registered',
      });
      // The connection itself logged its connection, not the nodes' refusals.
      assert.deepEqual(logged(helper.getNode(`conn${k}`), 'error'), [], KINDS[k]);

      // A dynamic subscription the router refuses: Catch gets the error, it is not kept.
      const caught = nextMessages(helper.getNode('caught'), 1, 10000);
      n('dynSub').receive({ action: 'subscribe', topic: `com.denied.${k}.dyn` });
      const [m] = await caught;
      assert.match(
        (m.error as { message: string }).message,
        /wamp-subscribe\.errors\.subscribe-failed.*not_authorized/,
      );
      const list = nextMessages(n('subOut'), 1, 10000);
      n('dynSub').receive({ action: 'getSubscriptions' });
      assert.deepEqual((await list)[0].payload, []);

      // The detail behind the short statuses, for the connection's dialog: each refusal in full.
      const { body } = await adminGet(`/wamp-connection/conn${k}/state`, 200);
      const refused = (body as { refused: Array<{ node: string; error: string }> }).refused;
      assert.deepEqual(refused.map((r) => r.node).sort(), [`badReg${k}`, `deniedReg${k}`, `deniedSub${k}`]);
      for (const r of refused)
        assert.match(r.error, /^com\.\S+: .*wamp\.error\.(not_authorized|invalid_uri)/);
    }
  });

  it('after a reconnect: refusals are shown and logged again ("after reconnecting"), accepted nodes show their own state', async function () {
    const port = await freePort();
    await helper.load(modules, routerAndConnections(port, [...perKindNodes('L'), ...perKindNodes('U')]));
    const ids = (k: Kind) => ['okReg', 'deniedReg', 'okSub', 'deniedSub'].map((id) => `${id}${k}`);
    for (const k of Object.keys(KINDS) as Kind[]) {
      await waitStatus(helper.getNode(`okReg${k}`), registered, 10000);
      await waitStatus(helper.getNode(`okSub${k}`), subscribed, 10000);
      await waitStatus(helper.getNode(`deniedReg${k}`), isRefused, 10000);
      await waitStatus(helper.getNode(`deniedSub${k}`), isRefused, 10000);
    }
    // Each node goes through a connection state (not connected) and then back to its own.
    const back = (Object.keys(KINDS) as Kind[]).flatMap((k) =>
      ids(k).map(async (id) => {
        const node = helper.getNode(id);
        await nextStatus(node, (s) => s.fill !== 'green' && !isRefused(s), 10000);
        return nextStatus(node, (s) => s.shape === 'dot', 10000);
      }),
    );
    // The router drops every session of the flow, as a lost link would (a redeploy of the router
    // node would restart the in-process connection and its nodes instead: no reconnect).
    const router = findRouter('router')!;
    const flowSessions = router.realm('realm1')!.clients();
    assert.equal(flowSessions.length, 2);
    for (const session of flowSessions) session.drop();
    const after = await Promise.all(back);
    for (const k of Object.keys(KINDS) as Kind[]) {
      const at = (id: string): NodeStatus => after[(k === 'L' ? 0 : 4) + ids(k).indexOf(`${id}${k}`)];
      assert.equal(at('okReg').text, 'wamp-register.status.registered', KINDS[k]);
      assert.equal(at('okSub').text, 'wamp-subscribe.status.subscribed', KINDS[k]);
      assert.equal(at('deniedReg').text, 'wamp-register.status.failed {"error":"not authorized"}', KINDS[k]);
      assert.equal(at('deniedSub').text, 'wamp-subscribe.status.failed {"error":"not authorized"}', KINDS[k]);
      assert.deepEqual(keysLogged(helper.getNode(`deniedReg${k}`), 'error'), [
        'wamp-register.errors.register-failed',
        'wamp-register.errors.reregister-failed',
      ]);
      assert.deepEqual(keysLogged(helper.getNode(`deniedSub${k}`), 'error'), [
        'wamp-subscribe.errors.subscribe-failed',
        'wamp-subscribe.errors.resubscribe-failed',
      ]);
      assert.deepEqual(logged(helper.getNode(`conn${k}`), 'error'), [], KINDS[k]);
    }
  });

  it('a duplicate procedure: the later nodes show "not registered: procedure already exists", the first stays registered', async function () {
    const port = await freePort();
    const first = {
      id: 'first',
      z: 'f1',
      type: 'wamp-register',
      connection: 'connL',
      procedure: 'com.ok.dup',
      wires: [[]],
    };
    const flow = routerAndConnections(port, [first]);
    await helper.load(modules, flow);
    await waitStatus(helper.getNode('first'), registered, 10000);
    const dups = (Object.keys(KINDS) as Kind[]).map((k) => ({
      ...first,
      id: `dup${k}`,
      connection: `conn${k}`,
    }));
    await helper.setFlows([...flow, ...dups], 'nodes');
    for (const k of Object.keys(KINDS) as Kind[]) {
      const dup = helper.getNode(`dup${k}`);
      const s = await waitStatus(dup, isRefused, 10000);
      assert.equal(s.text, 'wamp-register.status.failed {"error":"procedure already exists"}', KINDS[k]);
      assert.deepEqual(lastStatus(dup), s, KINDS[k]);
      assert.deepEqual(keysLogged(dup, 'error'), ['wamp-register.errors.register-failed'], KINDS[k]);
    }
    assert.deepEqual(lastStatus(helper.getNode('first')), {
      fill: 'green',
      shape: 'dot',
      text: 'wamp-register.status.registered',
    });
  });
});
