// The files Node-RED reads besides the compiled nodes: editor templates, message catalogues and
// example flows. These tests read the sources (the build copies them unchanged into dist/nodes).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { NodeMessage } from '../../nodes/shared/red-types';
import { coreNode, helper, nextMessages, nodeModules } from './helpers';

const root = path.resolve(__dirname, '../../..');
const NODE_TYPES = ['wamp-connection', 'wamp-router', 'wamp-call', 'wamp-register', 'wamp-response', 'wamp-publish', 'wamp-subscribe'];
const LANGS = ['en-US', 'zh-CN'];

function keysOf(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

function catalogue(lang: string, type: string): Set<string> {
  const file = path.join(root, 'nodes', 'locales', lang, `${type}.json`);
  return new Set(keysOf(JSON.parse(fs.readFileSync(file, 'utf8'))));
}

/** Keys a node uses in its own namespace: RED._('…') in the .ts, data-i18n and this._('…') in the .html. */
function keysUsed(type: string): string[] {
  const ts = fs.readFileSync(path.join(root, 'nodes', `${type}.ts`), 'utf8');
  const html = fs.readFileSync(path.join(root, 'nodes', `${type}.html`), 'utf8');
  const found = [
    ...[...ts.matchAll(/RED\._\(\s*'([^']+)'/g)].map((m) => m[1]),
    ...[...ts.matchAll(/'(wamp-[a-z-]+\.[a-z-]+\.[a-zA-Z-]+)'/g)].map((m) => m[1]),
    ...[...html.matchAll(/data-i18n="(?:\[[a-z]+\])?([^"]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/_\('([^']+)'\)/g)].map((m) => m[1]),
  ];
  return [...new Set(found)].filter((k) => !k.startsWith('node-red:'));
}

describe('editor files', function () {
  describe('message catalogues', function () {
    for (const type of NODE_TYPES) {
      it(`${type}: en-US and zh-CN have the same keys, and every key the node uses exists`, function () {
        const [en, zh] = LANGS.map((l) => catalogue(l, type));
        assert.deepEqual([...zh].sort(), [...en].sort());
        const used = keysUsed(type);
        assert.ok(used.length > 0);
        const missing = used.filter((k) => !en.has(k));
        assert.deepEqual(missing, []);
      });
    }

    it('the Chinese catalogue is translated, not copied', function () {
      const en = JSON.parse(fs.readFileSync(path.join(root, 'nodes/locales/en-US/wamp-connection.json'), 'utf8'));
      const zh = JSON.parse(fs.readFileSync(path.join(root, 'nodes/locales/zh-CN/wamp-connection.json'), 'utf8'));
      assert.notEqual(zh['wamp-connection'].status.connecting, en['wamp-connection'].status.connecting);
      assert.match(zh['wamp-connection'].status.connecting, /[\u4e00-\u9fff]/);
    });
  });

  describe('editor templates', function () {
    for (const type of NODE_TYPES) {
      it(`${type}: registers the type, has a form, a help text and a Chinese help text`, function () {
        const html = fs.readFileSync(path.join(root, 'nodes', `${type}.html`), 'utf8');
        assert.match(html, new RegExp(`registerType\\('${type}'`));
        assert.match(html, new RegExp(`data-template-name="${type}"`));
        assert.match(html, new RegExp(`data-help-name="${type}"`));
        if (type !== 'wamp-connection') assert.match(html, /category: 'WAMP'/);
        const zhHelp = fs.readFileSync(path.join(root, 'nodes/locales/zh-CN', `${type}.html`), 'utf8');
        assert.match(zhHelp, new RegExp(`data-help-name="${type}"`));
        assert.match(zhHelp, /[\u4e00-\u9fff]/);
        const icon = /icon: '([^']+)'/.exec(html)?.[1];
        if (icon) assert.ok(fs.existsSync(path.join(root, 'icons', icon)), `icon ${icon} exists`);
      });
    }
  });

  describe('example flows', function () {
    const dir = path.join(root, 'examples');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    const coreTypes = ['inject', 'debug', 'function', 'comment', 'catch'];

    it('include the end-to-end flow', function () {
      assert.ok(files.includes('01 - end-to-end RPC and PubSub.json'));
    });

    for (const file of files) {
      it(`${file}: known node types, wires and config references that resolve`, function () {
        const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Array<Record<string, unknown>>;
        const ids = new Set(flow.map((n) => n.id));
        assert.equal(ids.size, flow.length, 'ids are unique');
        for (const n of flow) {
          assert.ok(NODE_TYPES.includes(String(n.type)) || coreTypes.includes(String(n.type)), `type ${String(n.type)}`);
          for (const out of (n.wires as string[][] | undefined) ?? []) for (const target of out) assert.ok(ids.has(target), `wire to ${target}`);
          for (const ref of ['connection', 'router']) if (n[ref]) assert.ok(ids.has(n[ref]), `${ref} ${String(n[ref])}`);
        }
      });
    }
  });

  describe('the end-to-end example runs on deploy with no setup', function () {
    beforeEach((done) => {
      helper.startServer(done);
    });
    afterEach(async function () {
      await helper.unload();
      await new Promise<void>((r) => helper.stopServer(r));
    });

    it('the sum and the event reach their debug nodes', async function () {
      this.timeout(5000);
      const inject = coreNode('common/20-inject.js');
      const fn = coreNode('function/10-function.js');
      const flow: Array<Record<string, unknown>> = (JSON.parse(fs.readFileSync(path.join(root, 'examples/01 - end-to-end RPC and PubSub.json'), 'utf8')) as Array<Record<string, unknown>>)
        .filter((n) => n.type !== 'comment')
        .map((n) => (n.type === 'debug' ? { id: n.id, z: n.z, type: 'helper' } : n.type === 'inject' ? { ...n, onceDelay: 0.2 } : n));
      flow.unshift({ id: 'e0c1a2b3c4d5e6f7', type: 'tab', label: 'example' });
      await helper.load([...nodeModules, inject, fn], flow);
      const [sum, event] = await Promise.all([nextMessages(helper.getNode('d01')), nextMessages(helper.getNode('d02'))]);
      assert.equal((sum as NodeMessage[])[0].payload, 5);
      assert.equal((event as NodeMessage[])[0].payload, 'hello from Node-RED');
    });
  });
});
