// The editor side of statuses and names, from the built files Node-RED serves: status keys the
// editor can translate on every node that shows them, short English status texts, and the
// wamp-connection form's validators and labels run as the editor runs them (the node
// definitions evaluated with a stand-in for the editor's RED).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const built = path.resolve(__dirname, '../../nodes');
const LANGS = ['en-US', 'zh-CN'];
const USERS = ['wamp-call', 'wamp-register', 'wamp-response', 'wamp-publish', 'wamp-subscribe'];

type Catalogue = Record<string, Record<string, Record<string, string>>>;
const catalogue = (lang: string, type: string): Catalogue =>
  JSON.parse(fs.readFileSync(path.join(built, 'locales', lang, `${type}.json`), 'utf8')) as Catalogue;

interface NodeDefinition {
  defaults: Record<string, { value: unknown; validate?: (this: object, v: unknown) => boolean }>;
  label(this: object): string;
}

/** Runs a node's editor script and returns what it registered. */
function definitions(files: string[], nodes: Record<string, object> = {}): Record<string, NodeDefinition> {
  const registered: Record<string, NodeDefinition> = {};
  const en = (type: string) => catalogue('en-US', type)[type];
  const lookup = (type: string, key: string): string =>
    key
      .split('.')
      .slice(1)
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], en(type)) as string;
  const RED = {
    nodes: {
      registerType: (type: string, def: NodeDefinition) => {
        registered[type] = def;
      },
      node: (id: string) => nodes[id],
    },
    validators: {
      number: () => (v: unknown) => String(v).trim() !== '' && !Number.isNaN(Number(v)),
      regex: (re: RegExp) => (v: unknown) => re.test(String(v)),
    },
    utils: {
      getNodeLabel: (n: { type: string }, fallback: string) =>
        registered[n.type].label.call({ ...n, _: (k: string) => lookup(n.type, k) }) || fallback,
    },
  };
  for (const file of files) {
    const html = fs.readFileSync(path.join(built, file), 'utf8');
    const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1];
    vm.runInNewContext(script, { RED, $: () => ({}) });
  }
  return registered;
}

describe('editor: statuses and names', function () {
  it('every node that uses a connection can translate its states: the connection status keys are in its catalogue, in each language', function () {
    for (const lang of LANGS) {
      const states = catalogue(lang, 'wamp-connection')['wamp-connection'].status;
      assert.ok(states.connected && states.connecting && states['no-connection'] && states['auth-failed']);
      for (const type of USERS)
        assert.deepEqual(catalogue(lang, type)['wamp-connection'].status, states, `${lang} ${type}`);
    }
  });

  it('status texts are short (under 20 characters, the reason of a refusal aside) in English', function () {
    const samples: Record<string, string> = { seconds: '30', count: '12', error: '' };
    for (const file of fs.readdirSync(path.join(built, 'locales', 'en-US'))) {
      if (!file.endsWith('.json')) continue;
      const type = file.replace(/\.json$/, '');
      const states = catalogue('en-US', type)[type]?.status ?? {};
      for (const [key, text] of Object.entries(states)) {
        const shown = text.replace(/__(\w+)__/g, (_m, name: string) => samples[name] ?? name);
        assert.ok(shown.length < 20, `${type}.status.${key}: "${shown}"`);
      }
    }
  });

  describe('wamp-connection form', function () {
    const defs = definitions(['wamp-router.html', 'wamp-connection.html'], {
      r1: { id: 'r1', type: 'wamp-router', useHttp: true, httpPath: '/wamp' },
      r2: { id: 'r2', type: 'wamp-router', usePort: true, port: 8080 },
      r3: { id: 'r3', type: 'wamp-router', name: 'plant router', usePort: true, port: 8080 },
    });
    const conn = defs['wamp-connection'];

    it('accepts an environment variable (a whole field Node-RED substitutes at deploy) in the URL and the number fields; still rejects a bad URL', function () {
      const url = conn.defaults.url.validate!;
      const byUrl = { transport: 'url' };
      const env = (name: string): string => `\${${name}}`;
      assert.equal(url.call(byUrl, env('WAMP_URL')), true);
      assert.equal(url.call(byUrl, '$(WAMP_URL)'), true);
      assert.equal(url.call(byUrl, 'ws://127.0.0.1:8080/ws'), true);
      assert.equal(url.call(byUrl, 'http//nope'), false);
      assert.equal(url.call(byUrl, `x${env('WAMP_URL')}`), false, 'only a whole field is substituted');
      for (const field of [
        'reconnectDelay',
        'reconnectMaxDelay',
        'maxRetries',
        'connectTimeout',
        'queueSize',
        'queueKB',
      ]) {
        assert.equal(conn.defaults[field].validate!.call(byUrl, env('WAMP_X')), true, field);
        assert.equal(conn.defaults[field].validate!.call(byUrl, 'ten'), false, field);
      }
      assert.equal(conn.defaults.realm.validate!.call(byUrl, env('WAMP_REALM')), true);
    });

    it('unnamed, is labelled "realm @ where": the URL, or the router by its own label', function () {
      const label = (n: object): string => conn.label.call(n);
      assert.equal(
        label({ realm: 'realm1', transport: 'url', url: 'ws://host:8080/ws' }),
        'realm1 @ ws://host:8080/ws',
      );
      assert.equal(label({ realm: 'realm1', transport: 'local', router: 'r1' }), 'realm1 @ router /wamp');
      assert.equal(label({ realm: 'realm1', transport: 'local', router: 'r2' }), 'realm1 @ router :8080');
      assert.equal(label({ realm: 'realm1', transport: 'local', router: 'r3' }), 'realm1 @ plant router');
      assert.equal(label({ realm: 'realm1', transport: 'local', router: 'gone' }), 'realm1 @ router');
      assert.equal(label({ name: 'mine', realm: 'realm1', transport: 'url', url: 'ws://h/ws' }), 'mine');
    });

    it('the publish queue is on by default, bounded by count and size', function () {
      assert.equal(conn.defaults.publishQueue.value, true);
      assert.equal(conn.defaults.queueSize.value, 1000);
      assert.equal(conn.defaults.queueKB.value, 1024);
    });
  });
});
