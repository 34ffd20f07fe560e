// wamp-register and wamp-subscribe read a typed procedure / topic once, at start, and a context
// store may be asynchronous (a database behind it). The test helper cannot load a custom store
// before flows start, so this runs a real Node-RED with one in settings.js: a store that answers
// only through callbacks, a tick later, and throws when read synchronously. A WAMP client then
// calls the procedure and publishes to the topic that the nodes found there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '../../src/client';
import { type NodeRedProcess, startNodeRed } from '../support/node-red-process';
import { linkPackage } from '../support/package-in-node-red';

const STORE = `// An asynchronous context store, for the test: callbacks only, answered a tick later.
module.exports = function (config) {
  const data = JSON.parse(JSON.stringify(config.data || {}));
  const scope = (s) => (data[s] = data[s] || {});
  const sync = () => { throw new Error('this store is asynchronous: pass a callback'); };
  return {
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    get(s, key, cb) {
      if (!cb) return sync();
      setImmediate(() => cb(null, Array.isArray(key) ? key.map((k) => scope(s)[k]) : scope(s)[key]));
    },
    set(s, key, value, cb) {
      if (!cb) return sync();
      scope(s)[key] = value;
      setImmediate(() => cb(null));
    },
    keys: (s, cb) => setImmediate(() => cb(null, Object.keys(scope(s)))),
    delete(s) { delete data[s]; return Promise.resolve(); },
    clean: () => Promise.resolve(),
  };
};
`;

const flow = [
  { id: 'f1', type: 'tab', label: 'async store' },
  {
    id: 'router',
    z: 'f1',
    type: 'wamp-router',
    useHttp: true,
    httpPath: '/wamp',
    realms: [{ name: 'realm1', anonymous: true }],
    wires: [],
  },
  { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
  {
    id: 'reg',
    z: 'f1',
    type: 'wamp-register',
    connection: 'conn',
    procedure: '#:(slow)::proc',
    procedureType: 'global',
    wires: [['fn']],
  },
  {
    id: 'fn',
    z: 'f1',
    type: 'function',
    func: "msg.payload = 'slow ' + msg.payload; return msg;",
    wires: [['resp']],
  },
  { id: 'resp', z: 'f1', type: 'wamp-response', wires: [] },
  {
    id: 'sub',
    z: 'f1',
    type: 'wamp-subscribe',
    connection: 'conn',
    topic: '#:(slow)::topic',
    topicType: 'global',
    wires: [['pub']],
  },
  { id: 'pub', z: 'f1', type: 'wamp-publish', connection: 'conn', topic: 'com.slow.echo', wires: [] },
];

describe('typed procedure and topic from an asynchronous context store, in a real Node-RED', function () {
  this.timeout(60000);
  let red: NodeRedProcess;
  let client: Connection;

  before(async () => {
    const data = { global: { proc: 'com.slow.proc', topic: 'com.slow.topic' } };
    red = await startNodeRed(
      (userDir) => {
        linkPackage(userDir);
        fs.writeFileSync(path.join(userDir, 'slow-store.js'), STORE);
        fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
      },
      {},
      `contextStorage: { default: { module: 'memory' }, slow: { module: require(__dirname + '/slow-store.js'), config: { data: ${JSON.stringify(data)} } } }`,
    );
    client = new Connection({
      url: `${red.url.replace(/^http/, 'ws')}/wamp`,
      realm: 'realm1',
      reconnect: { enabled: false },
    });
    client.open();
    await client.connected(10000);
  });
  after(async () => {
    await client?.close();
    await red?.stop();
  });

  /** Retries while the flow's registration or subscription is still being made. */
  async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 20000;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`${String(e)}\n${red.log()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  it('wamp-register registered the procedure it read from the store', async () => {
    const r = await eventually(() => client.call('com.slow.proc', ['x']));
    assert.deepEqual(r.args, ['slow x']);
  });

  it('wamp-subscribe subscribed to the topic it read from the store', async () => {
    const echoed = new Promise<unknown>(
      (resolve) => void client.subscribe('com.slow.echo', (ev) => resolve(ev.args[0])),
    );
    // Publish until the flow's subscriber answers (its subscription may still be on its way).
    let got: unknown;
    void echoed.then((v) => (got = v));
    await eventually(async () => {
      await client.publish('com.slow.topic', ['ping'], {}, { acknowledge: true });
      await new Promise((r) => setTimeout(r, 100));
      if (got === undefined) throw new Error('no echo yet');
    });
    assert.equal(got, 'ping');
    assert.doesNotMatch(red.log(), /asynchronous: pass a callback/);
  });
});
