// Node-RED's own MQTT nodes (core `mqtt in` / `mqtt out`, with their `mqtt-broker` config) talk to
// a wamp-router node that accepts MQTT: no aedes, and the WAMP nodes see the same data.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { NodeMessage } from '../../nodes/shared/red-types';
import {
  coreNode,
  coreNodes,
  freePort,
  helper,
  isConnected,
  nextMessages,
  nodeModules,
  waitStatus,
} from './helpers';

function flow(port: number, mqttPort: number, protocolVersion: 4 | 5): object[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'router',
      z: 'f1',
      type: 'wamp-router',
      realms: [{ name: 'realm1', anonymous: true }],
      usePort: true,
      port,
      path: '/ws',
      mqtt: true,
      mqttPort,
    },
    { id: 'conn', type: 'wamp-connection', transport: 'local', router: 'router', realm: 'realm1' },
    {
      id: 'broker',
      type: 'mqtt-broker',
      broker: '127.0.0.1',
      port: mqttPort,
      clientid: '',
      autoConnect: true,
      protocolVersion,
    },
    {
      id: 'device',
      z: 'f1',
      type: 'mqtt out',
      topic: 'sensors/kitchen/temp',
      qos: '1',
      retain: 'false',
      broker: 'broker',
    },
    {
      id: 'wsub',
      z: 'f1',
      type: 'wamp-subscribe',
      connection: 'conn',
      topic: 'sensors..temp',
      match: 'wildcard',
      wires: [['fromDevice']],
    },
    { id: 'fromDevice', z: 'f1', type: 'helper' },
    {
      id: 'wpub',
      z: 'f1',
      type: 'wamp-publish',
      connection: 'conn',
      topic: 'commands.kitchen.heater',
      acknowledge: true,
    },
    {
      id: 'min',
      z: 'f1',
      type: 'mqtt in',
      topic: 'commands/#',
      qos: '1',
      datatype: 'auto-detect',
      broker: 'broker',
      wires: [['toDevice']],
    },
    { id: 'toDevice', z: 'f1', type: 'helper' },
  ];
}

describe('core mqtt in / mqtt out nodes on the wamp-router node', function () {
  beforeEach((done) => {
    helper.startServer(done);
  });
  afterEach(async function () {
    // The core mqtt nodes close with their broker connection's DISCONNECT: slow on a loaded machine.
    this.timeout(30000);
    const t0 = Date.now();
    await helper.unload();
    if (Date.now() - t0 > 3000) console.log(`      (unload took ${Date.now() - t0} ms)`);
    await new Promise<void>((r) => helper.stopServer(r));
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'}: mqtt out reaches wamp-subscribe, wamp-publish reaches mqtt in`, async function () {
      const [port, mqttPort] = [await freePort(), await freePort()];
      await helper.load(
        [...nodeModules, ...coreNodes(), coreNode('network/10-mqtt.js')],
        flow(port, mqttPort, protocolVersion),
      );
      const mqttIn = helper.getNode('min');
      await waitStatus(mqttIn, (s) => s.fill === 'green', 8000);
      await waitStatus(helper.getNode('wsub'), isConnected);
      // `mqtt in` shows green on CONNACK; its SUBSCRIBE may still be in flight.
      await new Promise((r) => setTimeout(r, 200));

      const event = nextMessages(helper.getNode('fromDevice'));
      helper.getNode('device').receive({ payload: { celsius: 21.5 } });
      const [e] = (await event) as NodeMessage[];
      assert.equal(e.topic, 'sensors.kitchen.temp');
      assert.deepEqual(e.payload, { celsius: 21.5 });

      const command = nextMessages(helper.getNode('toDevice'));
      helper.getNode('wpub').receive({ payload: { on: true } });
      const [c] = (await command) as NodeMessage[];
      assert.equal(c.topic, 'commands/kitchen/heater');
      assert.deepEqual(c.payload, { on: true });
    });
  }

  it('the example "MQTT sensors into WAMP" runs as shipped: device -> WAMP, wamp-call, WAMP command -> device', async function () {
    this.timeout(15000);
    const file = path.join(__dirname, '../../../examples/08 - MQTT sensors into WAMP.json');
    const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
    const port = new URL(helper.url()).port;
    const flow = nodes
      .filter((n) => n.type !== 'comment')
      .map((n) => {
        if (n.type === 'debug') return { id: n.id, z: n.z, type: 'helper' };
        // The example assumes Node-RED on 1880; the test server has a port of its own.
        if (n.type === 'mqtt-broker') return { ...n, broker: `ws://127.0.0.1:${port}/mqtt-demo`, port };
        if (n.id === 'mqi61') return { ...n, onceDelay: 0.3, repeat: '' };
        return n;
      });
    flow.unshift({ id: String(nodes.find((n) => n.z)!.z), type: 'tab', label: 'example' });
    await helper.load(
      [...nodeModules, ...coreNodes(), coreNode('function/15-change.js'), coreNode('network/10-mqtt.js')],
      flow,
    );
    await waitStatus(helper.getNode('mqm62'), (s) => s.fill === 'green', 8000);
    const [seen] = (await nextMessages(helper.getNode('mqd61'), 1, 8000)) as NodeMessage[];
    assert.equal(typeof (seen.payload as { celsius: number }).celsius, 'number');

    const latest = nextMessages(helper.getNode('mqd62'));
    helper.getNode('mqi62').receive({ payload: 1 });
    assert.deepEqual(((await latest) as NodeMessage[])[0].payload, seen.payload);

    await new Promise((r) => setTimeout(r, 200));
    const command = nextMessages(helper.getNode('mqd63'));
    helper.getNode('mqi63').receive({ payload: { on: true } });
    const [c] = (await command) as NodeMessage[];
    assert.equal(c.topic, 'commands/greenhouse/heater');
    assert.deepEqual(c.payload, { on: true });
  });
});
