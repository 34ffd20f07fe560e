// The files Node-RED reads besides the compiled nodes: editor templates, message catalogues and
// example flows. These tests read the sources (the build copies them unchanged into dist/nodes).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { NodeMessage } from '../../nodes/shared/red-types';
import { Connection } from '../../src/client';
import { nodeTypes } from '../support/package-in-node-red';
import { coreNodes, helper, nextMessages, nodeModules, waitStatus, nodeRedPerTest } from './helpers';

const root = path.resolve(__dirname, '../../..');
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

/**
 * An example as a test flow: its tab added, debug nodes replaced by helper nodes, comments
 * dropped, and the given inject nodes firing sooner after deploy.
 */
function exampleFlow(file: string, onceDelays: Record<string, number>): Array<Record<string, unknown>> {
  const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8')) as Array<
    Record<string, unknown>
  >;
  const flow = nodes
    .filter((n) => n.type !== 'comment')
    .map((n) =>
      n.type === 'debug'
        ? { id: n.id, z: n.z, type: 'helper' }
        : String(n.id) in onceDelays
          ? { ...n, onceDelay: onceDelays[String(n.id)] }
          : n,
    );
  const tab = nodes.find((n) => n.z)!.z;
  flow.unshift({ id: tab, type: 'tab', label: 'example' });
  return flow;
}

describe('editor files', function () {
  describe('message catalogues', function () {
    for (const type of nodeTypes) {
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
      const en = JSON.parse(
        fs.readFileSync(path.join(root, 'nodes/locales/en-US/wamp-connection.json'), 'utf8'),
      );
      const zh = JSON.parse(
        fs.readFileSync(path.join(root, 'nodes/locales/zh-CN/wamp-connection.json'), 'utf8'),
      );
      assert.notEqual(zh['wamp-connection'].status.connecting, en['wamp-connection'].status.connecting);
      assert.match(zh['wamp-connection'].status.connecting, /[\u4e00-\u9fff]/);
    });
  });

  describe('editor templates', function () {
    for (const type of nodeTypes) {
      it(`${type}: registers the type, has a form, a help text and a Chinese help text`, function () {
        const html = fs.readFileSync(path.join(root, 'nodes', `${type}.html`), 'utf8');
        assert.match(html, new RegExp(`registerType\\('${type}'`));
        assert.match(html, new RegExp(`data-template-name="${type}"`));
        assert.doesNotMatch(html, /data-help-name/, 'help lives under locales/, like core nodes');
        const enHelp = fs.readFileSync(path.join(root, 'nodes/locales/en-US', `${type}.html`), 'utf8');
        assert.match(enHelp, new RegExp(`data-help-name="${type}"`));
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
    const coreTypes = [
      'inject',
      'debug',
      'function',
      'comment',
      'catch',
      'change',
      'mqtt in',
      'mqtt out',
      'mqtt-broker',
      'complete',
      'http in',
      'http response',
      'join',
    ];

    it('include the end-to-end flows; the IoT one sorts first, so `npm start` (scripts/start.js) starts with it', function () {
      assert.ok(files.includes('01 - end-to-end RPC and PubSub.json'));
      assert.equal([...files].sort()[0], '00 - IoT thermostat end to end.json');
      const start = fs.readFileSync(path.join(root, 'scripts/start.js'), 'utf8');
      assert.match(start, /\.filter\(\(f\) => f\.endsWith\('\.json'\)\)\s*\.sort\(\)\[0\]/);
    });

    for (const file of files) {
      it(`${file}: known node types, wires and config references that resolve`, function () {
        const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Array<
          Record<string, unknown>
        >;
        const ids = new Set(flow.map((n) => n.id));
        assert.equal(ids.size, flow.length, 'ids are unique');
        for (const n of flow) {
          assert.ok(
            nodeTypes.includes(String(n.type)) || coreTypes.includes(String(n.type)),
            `type ${String(n.type)}`,
          );
          for (const out of (n.wires as string[][] | undefined) ?? [])
            for (const target of out) assert.ok(ids.has(target), `wire to ${target}`);
          for (const ref of ['connection', 'router'])
            if (n[ref]) assert.ok(ids.has(n[ref]), `${ref} ${String(n[ref])}`);
        }
      });
    }
  });

  describe('the end-to-end example runs on deploy with no setup', function () {
    nodeRedPerTest();

    it('the sum and the event reach their debug nodes', async function () {
      this.timeout(5000);
      const flow = exampleFlow('01 - end-to-end RPC and PubSub.json', { i01: 0.2, i02: 0.2 });
      await helper.load([...nodeModules, ...coreNodes()], flow);
      const [sum, event] = await Promise.all([
        nextMessages(helper.getNode('d01')),
        nextMessages(helper.getNode('d02')),
      ]);
      assert.equal((sum as NodeMessage[])[0].payload, 5);
      assert.equal((event as NodeMessage[])[0].payload, 'hello from Node-RED');
    });

    it('IoT thermostat: temperature events reach the live view, the set point round trip, an out-of-range error', async function () {
      const flow = exampleFlow('00 - IoT thermostat end to end.json', { i00: 0.1, i00s: 0.1 });
      await helper.load([...nodeModules, ...coreNodes()], flow);
      const [view, setPoint] = await Promise.all([
        nextMessages(helper.getNode('d00')),
        nextMessages(helper.getNode('d00t')),
      ]);

      // Sensor → wamp-publish → prefix wamp-subscribe → min/max/last in flow context.
      const stats = view[0].payload as {
        min: number;
        max: number;
        last: number;
        count: number;
        topic: string;
      };
      assert.equal(stats.topic, 'com.example.sensor.temperature');
      assert.equal(typeof stats.last, 'number');
      assert.ok(stats.min <= stats.last && stats.last <= stats.max);
      const shown = await waitStatus(helper.getNode('fv00'), (s) => /°C/.test(String(s.text)));
      assert.match(String(shown.text), new RegExp(`^${stats.last} °C`));

      // Set point 21.5 from the inject that fires on deploy, then read back.
      assert.equal(setPoint[0].payload, 21.5);
      const readBack = nextMessages(helper.getNode('d00t'));
      helper.getNode('call00g').receive({});
      assert.equal((await readBack)[0].payload, 21.5);

      // Out of range: a WAMP error the Catch node passes on; the stored set point is unchanged.
      const refused = nextMessages(helper.getNode('d00e'));
      helper.getNode('call00').receive({ payload: 99 });
      const [err] = await refused;
      assert.equal((err.error as { code: string }).code, 'com.example.error.out_of_range');
      // Copied: the object was made in the function node's sandbox (another prototype).
      assert.deepEqual({ ...(err._error as { kwargs: object }).kwargs }, { min: 5, max: 30 });
      const again = nextMessages(helper.getNode('d00t'));
      helper.getNode('call00g').receive({});
      assert.equal((await again)[0].payload, 21.5);
    });

    it("IoT thermostat: an external client joins realm1 at /wamp on Node-RED's port", async function () {
      await helper.load(
        [...nodeModules, ...coreNodes()],
        exampleFlow('00 - IoT thermostat end to end.json', { i00: 0.1 }),
      );
      const client = new Connection({
        url: `${helper.url().replace(/^http/, 'ws')}/wamp`,
        realm: 'realm1',
        reconnect: { enabled: false },
      });
      client.open();
      try {
        await client.connected(3000);
        const reading = new Promise<unknown>(
          (resolve) =>
            void client.subscribe('com.example.sensor.temperature', (ev) => resolve(ev.args[0]), {
              get_retained: true,
            }),
        );
        assert.deepEqual((await client.call('com.example.thermostat.set_point', [18])).args, [18]);
        assert.deepEqual((await client.call('com.example.thermostat.get_point', [])).args, [18]);
        await assert.rejects(
          client.call('com.example.thermostat.set_point', ['warm']),
          (e: { uri: string }) => e.uri === 'com.example.error.invalid_argument',
        );
        assert.equal(((await reading) as { sensor: string }).sensor, 'living-room');
      } finally {
        await client.close();
      }
    });
  });
});
