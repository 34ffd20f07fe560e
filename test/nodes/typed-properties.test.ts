// Procedure, topic, timeout and the result property as typedInputs, read the way core nodes read
// theirs (RED.util.evaluateNodeProperty: msg, flow, global, env, string; an asynchronous context
// store through the callback form), and msg.timeout. Flows saved before: old-editor-flow.test.ts;
// the rules of CallConfig alone: call-settings.test.ts.
import assert from 'node:assert/strict';
import type { Node, NodeMessage } from '../../nodes/shared/red-types';
import {
  caughtError,
  coreNodes,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  type TestNode,
  waitStatus,
  nodeRedPerTest,
} from './helpers';

/**
 * A context store that only answers through callbacks, a tick later, as a database-backed store
 * does: reading it synchronously throws, so a node that works with it used the callback form.
 */
function asyncStore(): unknown {
  const data = new Map<string, Map<string, unknown>>();
  const scope = (s: string): Map<string, unknown> => data.get(s) ?? data.set(s, new Map()).get(s)!;
  const later = (fn: () => void): void => void setImmediate(fn);
  const sync = (): never => {
    throw new Error('this store is asynchronous: pass a callback');
  };
  return () => ({
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    get(s: string, key: string, cb?: (err: Error | null, v?: unknown) => void) {
      if (!cb) return sync();
      later(() => cb(null, scope(s).get(key)));
    },
    set(s: string, key: string, value: unknown, cb?: (err?: Error | null) => void) {
      if (!cb) return sync();
      scope(s).set(key, value);
      later(() => cb(null));
    },
    keys(s: string, cb: (err: Error | null, keys: string[]) => void) {
      later(() => cb(null, [...scope(s).keys()]));
    },
    delete(s: string) {
      data.delete(s);
      return Promise.resolve();
    },
    clean: () => Promise.resolve(),
  });
}

interface Internals {
  _context: { load(): Promise<void> };
}

/** A tab with env vars, the router, a connection, a catch node, and the given nodes. */
function flow(nodes: object[], env: Record<string, string> = {}): object[] {
  return [
    {
      id: 'f1',
      type: 'tab',
      label: 'typed',
      env: Object.entries(env).map(([name, value]) => ({ name, value, type: 'str' })),
    },
    { id: 'router', z: 'f1', type: 'wamp-router', realms: [{ name: 'realm1', anonymous: true }] },
    { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
    ...nodes,
  ];
}

/** A callee answering `com.test.echo` with "echo <payload>", and one that never answers. */
const callees = [
  {
    id: 'reg',
    z: 'f1',
    type: 'wamp-register',
    connection: 'conn',
    procedure: 'com.test.echo',
    wires: [['echo']],
  },
  {
    id: 'echo',
    z: 'f1',
    type: 'function',
    func: "msg.payload = 'echo ' + msg.payload; return msg;",
    wires: [['resp']],
  },
  { id: 'resp', z: 'f1', type: 'wamp-response' },
  {
    id: 'silent',
    z: 'f1',
    type: 'wamp-register',
    connection: 'conn',
    procedure: 'com.test.silent',
    timeout: 0,
    wires: [['nobody']],
  },
  { id: 'nobody', z: 'f1', type: 'helper' },
];

function call(props: object): object[] {
  return [
    ...callees,
    { id: 'call', z: 'f1', type: 'wamp-call', connection: 'conn', wires: [['out']], ...props },
    { id: 'out', z: 'f1', type: 'helper' },
  ];
}

async function load(nodes: object[], env?: Record<string, string>): Promise<void> {
  await helper.load([...nodeModules, ...coreNodes()], flow(nodes, env));
  await waitStatus(helper.getNode('reg'), isConnected);
}

const node = (id: string): TestNode => helper.getNode(id);
const contextOf = (id: string): Node => helper.getNode(id) as unknown as Node;

/** Reads a context value through the callback form (any store). */
function contextGet(id: string, scope: 'flow' | 'global', key: string, store?: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    contextOf(id)
      .context()
      [scope].get(key, store, (err, v) => (err ? reject(err) : resolve(v))),
  );
}

function contextSet(id: string, scope: 'flow' | 'global', key: string, value: unknown, store?: string) {
  return new Promise<void>((resolve, reject) =>
    contextOf(id)
      .context()
      [scope].set(key, value, store, (err) => (err ? reject(err) : resolve())),
  );
}

async function callOnce(msg: NodeMessage): Promise<NodeMessage> {
  const out = nextMessages(node('out'));
  node('call').receive(msg);
  return (await out)[0];
}

describe('typed fields of the WAMP nodes in flows', function () {
  this.timeout(20000);
  nodeRedPerTest(() => helper.settings({}));

  describe('wamp-call: the procedure', function () {
    it('from a msg property', async function () {
      await load(call({ procedure: 'target', procedureType: 'msg' }));
      const m = await callOnce({ target: 'com.test.echo', payload: 1, procedure: 'com.not.this' });
      assert.equal(m.payload, 'echo 1');
    });

    it('from flow and global context, and from an env var of the tab', async function () {
      await load(call({ procedure: 'proc', procedureType: 'flow' }));
      await contextSet('call', 'flow', 'proc', 'com.test.echo');
      assert.equal((await callOnce({ payload: 2 })).payload, 'echo 2');
      await helper.unload();
      await load(call({ procedure: 'where.proc', procedureType: 'global' }));
      await contextSet('call', 'global', 'where', { proc: 'com.test.echo' });
      assert.equal((await callOnce({ payload: 3 })).payload, 'echo 3');
      await helper.unload();
      await load(call({ procedure: 'ECHO_PROC', procedureType: 'env' }), { ECHO_PROC: 'com.test.echo' });
      assert.equal((await callOnce({ payload: 4 })).payload, 'echo 4');
    });

    it('a string procedure wins over msg.procedure and msg.topic', async function () {
      await load(call({ procedure: 'com.test.echo', procedureType: 'str' }));
      const m = await callOnce({ payload: 5, procedure: 'com.not.this', topic: 'com.not.that' });
      assert.equal(m.payload, 'echo 5');
    });

    it('a typed procedure that reads empty is an error for Catch, naming the property (no fallback to msg.topic)', async function () {
      await load(call({ procedure: 'target', procedureType: 'msg' }));
      const caught = caughtError();
      node('call').receive({ topic: 'com.test.echo', payload: 6 });
      const err = await caught;
      assert.match(err.message, /wamp-call\.errors\.procedure-empty$/);
      assert.equal(err.source?.id, 'call');
    });
  });

  describe('wamp-call: where the result goes', function () {
    it('to another msg property, keeping msg.payload; args and kwargs are set as always', async function () {
      await load(call({ procedure: 'com.test.echo', property: 'answer.text', propertyType: 'msg' }));
      const m = await callOnce({ payload: 'in' });
      assert.equal(m.payload, 'in');
      assert.deepEqual(m.answer, { text: 'echo in' });
      assert.deepEqual(m.args, ['echo in']);
    });

    it('to flow context; the message still goes on', async function () {
      await load(call({ procedure: 'com.test.echo', property: 'last', propertyType: 'flow' }));
      const m = await callOnce({ payload: 'x' });
      assert.equal(m.payload, 'x');
      assert.equal(await contextGet('call', 'flow', 'last'), 'echo x');
    });

    it('a result kept elsewhere does not count as a changed msg.payload at the next WAMP node', async function () {
      await load([
        ...call({ procedure: 'com.test.echo', property: 'answer', propertyType: 'msg' }),
        {
          id: 'call2',
          z: 'f1',
          type: 'wamp-call',
          connection: 'conn',
          procedure: 'com.test.echo',
          wires: [['out2']],
        },
        { id: 'out2', z: 'f1', type: 'helper' },
      ]);
      const first = await callOnce({ payload: 'p' });
      const out2 = nextMessages(node('out2'));
      node('call2').receive(first);
      // The second call sends the first one's result args, as it would with the result in msg.payload.
      assert.equal((await out2)[0].payload, 'echo echo p');
    });
  });

  describe('an asynchronous context store (read and written only through callbacks)', function () {
    it('procedure, timeout and result property all work with it', async function () {
      helper.settings({ contextStorage: { default: { module: 'memory' }, slow: { module: asyncStore() } } });
      await load(
        call({
          procedure: '#:(slow)::proc',
          procedureType: 'flow',
          timeout: '#:(slow)::timeout',
          timeoutType: 'global',
          property: '#:(slow)::result',
          propertyType: 'flow',
        }),
      );
      await (helper as unknown as Internals)._context.load();
      await contextSet('call', 'flow', 'proc', 'com.test.echo', 'slow');
      await contextSet('call', 'global', 'timeout', 30, 'slow');
      const m = await callOnce({ payload: 'slow' });
      assert.equal(m.payload, 'slow');
      assert.equal(await contextGet('call', 'flow', 'result', 'slow'), 'echo slow');
      // The timeout really is read from it: a silent callee with a tiny one.
      await contextSet('call', 'flow', 'proc', 'com.test.silent', 'slow');
      await contextSet('call', 'global', 'timeout', 0.2, 'slow');
      const caught = caughtError(5000);
      node('call').receive({ payload: 'never answered' });
      assert.equal((await caught).code, 'wamp.error.timeout');
    });
  });

  describe('wamp-call: the timeout', function () {
    it('a callee that never answers: the node timeout fails the call with wamp.error.timeout for Catch', async function () {
      await load(call({ procedure: 'com.test.silent', timeout: '0.2', timeoutType: 'num' }));
      const caught = caughtError(5000);
      node('call').receive({ payload: 1 });
      const err = await caught;
      assert.equal(err.code, 'wamp.error.timeout');
    });

    it('msg.timeout sets it for one call (over the node default); an invalid one is an error', async function () {
      await load(call({ procedure: 'com.test.silent' }));
      const caught = caughtError(5000);
      node('call').receive({ payload: 1, timeout: 0.2 });
      assert.equal((await caught).code, 'wamp.error.timeout');
      const invalid = caughtError();
      node('call').receive({ payload: 1, timeout: 'soon' });
      assert.match((await invalid).message, /wamp-call.errors.invalid-timeout$/);
    });

    it('from an env var', async function () {
      await load(call({ procedure: 'com.test.silent', timeout: 'CALL_TIMEOUT', timeoutType: 'env' }), {
        CALL_TIMEOUT: '0.2',
      });
      const caught = caughtError(5000);
      node('call').receive({ payload: 1 });
      assert.equal((await caught).code, 'wamp.error.timeout');
    });
  });

  describe('wamp-publish: the topic', function () {
    const pubsub = (pub: object): object[] => [
      {
        id: 'reg',
        z: 'f1',
        type: 'wamp-subscribe',
        connection: 'conn',
        topic: 'com.test.t',
        wires: [['events']],
      },
      { id: 'events', z: 'f1', type: 'helper' },
      { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', ...pub },
    ];

    it('from a msg property, flow context or an env var; a string wins over msg.topic', async function () {
      for (const [pub, env, before] of [
        [{ topic: 'dest', topicType: 'msg' }, {}, undefined],
        [{ topic: 'T', topicType: 'env' }, { T: 'com.test.t' }, undefined],
        [{ topic: 't', topicType: 'flow' }, {}, 'com.test.t'],
        [{ topic: 'com.test.t', topicType: 'str' }, {}, undefined],
      ] as Array<[object, Record<string, string>, string | undefined]>) {
        await load(pubsub(pub), env);
        if (before) await contextSet('pub', 'flow', 't', before);
        const events = nextMessages(node('events'));
        node('pub').receive({ dest: 'com.test.t', topic: 'com.not.this', payload: JSON.stringify(pub) });
        assert.equal((await events)[0].payload, JSON.stringify(pub));
        await helper.unload();
      }
    });

    it('a typed topic that reads empty is an error for Catch', async function () {
      await load(pubsub({ topic: 'dest', topicType: 'msg' }));
      const caught = caughtError();
      node('pub').receive({ topic: 'com.test.t', payload: 1 });
      assert.match((await caught).message, /wamp-publish.errors.topic-empty$/);
    });
  });

  describe('wamp-register and wamp-subscribe: read once at start', function () {
    it('a procedure and a topic from env vars; from global context (seeded by the settings)', async function () {
      helper.settings({ functionGlobalContext: { names: { proc: 'com.test.g' } } });
      await load(
        [
          {
            id: 'regEnv',
            z: 'f1',
            type: 'wamp-register',
            connection: 'conn',
            procedure: 'P',
            procedureType: 'env',
            wires: [['r']],
          },
          {
            id: 'regGlobal',
            z: 'f1',
            type: 'wamp-register',
            connection: 'conn',
            procedure: 'names.proc',
            procedureType: 'global',
            wires: [['r']],
          },
          {
            id: 'r',
            z: 'f1',
            type: 'function',
            func: "msg.payload = 'from ' + msg.procedure; return msg;",
            wires: [['resp']],
          },
          {
            id: 'sub',
            z: 'f1',
            type: 'wamp-subscribe',
            connection: 'conn',
            topic: 'T',
            topicType: 'env',
            wires: [['events']],
          },
          { id: 'events', z: 'f1', type: 'helper' },
          ...call({ procedure: 'procedure', procedureType: 'msg' }),
          { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', topic: 'com.test.envtopic' },
        ],
        { P: 'com.test.e', T: 'com.test.envtopic' },
      );
      await waitStatus(node('regEnv'), isConnected);
      await waitStatus(node('regGlobal'), isConnected);
      await waitStatus(node('sub'), isConnected);
      assert.equal((await callOnce({ procedure: 'com.test.e' })).payload, 'from com.test.e');
      assert.equal((await callOnce({ procedure: 'com.test.g' })).payload, 'from com.test.g');
      const events = nextMessages(node('events'));
      node('pub').receive({ payload: 'via env' });
      assert.equal((await events)[0].payload, 'via env');
    });

    it('an env var that is not set: a red "no procedure" / "no topic" status, nothing registered', async function () {
      await load([
        {
          id: 'regEnv',
          z: 'f1',
          type: 'wamp-register',
          connection: 'conn',
          procedure: 'UNSET_P',
          procedureType: 'env',
          wires: [[]],
        },
        {
          id: 'sub',
          z: 'f1',
          type: 'wamp-subscribe',
          connection: 'conn',
          topic: 'UNSET_T',
          topicType: 'env',
          wires: [[]],
        },
        ...callees,
      ]);
      const red = (s: { fill?: string; shape?: string }) => s.fill === 'red' && s.shape === 'dot';
      assert.equal((await waitStatus(node('regEnv'), red)).text, 'wamp-register.status.no-procedure');
      assert.equal((await waitStatus(node('sub'), red)).text, 'wamp-subscribe.status.no-topic');
    });
  });
});
