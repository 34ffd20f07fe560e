// Debian's mosquitto-clients (the Eclipse Mosquitto project's mosquitto_pub / mosquitto_sub, a C
// client no one here wrote) against the router's MQTT side, MQTT 3.1.1 and 5.0, with a WAMP peer.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { afterEach, describe, it } from 'mocha';
import { Connection } from '../../src/client/connection';
import type { EventInfo } from '../../src/client/types';
import { Router } from '../../src/router';
import type { Listener } from '../../src/transports/listener';

let router: Router | undefined;
let listener: Listener | undefined;
const conns: Connection[] = [];

afterEach(async () => {
  await Promise.all(conns.splice(0).map((c) => c.close()));
  await listener?.close();
  await router?.close();
});

function pub(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('mosquitto_pub', args, { timeout: 10_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`mosquitto_pub ${args.join(' ')}: ${stderr || err.message}`)) : resolve(),
    ),
  );
}

/** mosquitto_sub until `count` messages arrived; resolves with its output lines (topic payload). */
function sub(args: string[], count: number): { ready: Promise<void>; lines: Promise<string[]> } {
  const child = spawn('mosquitto_sub', [...args, '-C', String(count), '-v', '-W', '10']);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const lines = new Promise<string[]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out.trim().split('\n'))
        : reject(new Error(`mosquitto_sub exited ${code}: ${out}`)),
    );
  });
  // mosquitto_sub prints nothing on SUBACK: wait until the router lists its subscription.
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      if (router!.sessions('realm1').some((s) => s.authid !== 'app' && s.transport.type === 'mqtt')) {
        await new Promise((r) => setTimeout(r, 100));
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('mosquitto_sub did not connect');
  })();
  return { ready, lines };
}

describe('interop: mosquitto_pub / mosquitto_sub', () => {
  for (const version of ['mqttv311', 'mqttv5']) {
    it(`${version}: mosquitto_pub -> router -> mosquitto_sub and a WAMP subscriber; WAMP -> mosquitto_sub`, async () => {
      router = new Router({
        realms: [{ name: 'realm1', users: [{ authid: 'dev', role: 'user', ticket: 'pw' }], anonymous: true }],
      });
      listener = await router.listen({ port: 0, mqtt: true });
      const port = String(listener.port);
      const app = new Connection({ realm: 'realm1', transportFactory: () => router!.connectLocal() });
      conns.push(app);
      app.open();
      await app.connected();
      const wampGot = new Promise<EventInfo>(
        (resolve) => void app.subscribe('plant.line1.', resolve, { match: 'prefix' }),
      );

      const s = sub(
        ['-h', '127.0.0.1', '-p', port, '-V', version, '-q', '1', '-t', 'plant/+/temp', '-t', 'plant/cmd/#'],
        2,
      );
      await s.ready;
      await pub([
        '-h',
        '127.0.0.1',
        '-p',
        port,
        '-V',
        version,
        '-q',
        '1',
        '-u',
        'dev',
        '-P',
        'pw',
        '-t',
        'plant/line1/temp',
        '-m',
        '{"c":71.5}',
      ]);
      await app.publish('plant.cmd.stop', ['now'], {}, { acknowledge: true });
      assert.deepEqual(await s.lines, ['plant/line1/temp {"c":71.5}', 'plant/cmd/stop now']);
      const e = await wampGot;
      assert.deepEqual(e.args, [{ c: 71.5 }]);
      assert.equal(e.topic, 'plant.line1.temp');
    });
  }

  it('a wrong password is refused (mosquitto_pub fails)', async () => {
    router = new Router({
      realms: [{ name: 'realm1', users: [{ authid: 'dev', role: 'user', ticket: 'pw' }] }],
    });
    listener = await router.listen({ port: 0, mqtt: true });
    await assert.rejects(
      pub([
        '-h',
        '127.0.0.1',
        '-p',
        String(listener.port),
        '-u',
        'dev',
        '-P',
        'wrong',
        '-t',
        'a/b',
        '-m',
        'x',
      ]),
      /not authori[sz]ed|bad user name or password|Connection Refused/i,
    );
  });
});
