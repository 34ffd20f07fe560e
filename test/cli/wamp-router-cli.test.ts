// The `wamp-router` command: starts, says where it listens, serves a standard client, and stops
// cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Session } from '../../src/client/session';
import { connectTransport } from '../../src/transports/connect';
import { openAutobahn } from '../interop/autobahn';

const cli = path.join(__dirname, '../../src/cli/wamp-router.js');

function start(
  args: string[],
): Promise<{ url: string; raw: string; stop(): Promise<number | null>; output(): string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line:\n${out}`)), 10000);
    child.stdout.on('data', () => {
      const m = /listening on (ws:\/\/\S+) and (rs:\/\/\S+?);/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        raw: m[2],
        output: () => out,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

/** Runs the command expecting it to refuse: its exit status and what it printed. */
async function refused(args: string[]): Promise<{ code: number | null; err: string; out: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, err, out };
}

describe('wamp-router command', function () {
  this.timeout(20000);

  it('listens where it says, serves realm1 to Autobahn|JS, and exits 0 on SIGTERM', async () => {
    const router = await start(['--port', '0']);
    const ab = await openAutobahn({ kind: 'websocket', url: router.url, serializer: 'json' });
    await ab.session.register('com.cli.echo', (args) => args[0]);
    assert.equal(await ab.session.call('com.cli.echo', ['hi']), 'hi');
    assert.equal(await ab.session.call('wamp.session.count'), 1);
    const closed = new Promise<void>((resolve) => {
      // The router says GOODBYE system_shutdown before it exits.
      void ab.close().then(resolve);
    });
    assert.equal(await router.stop(), 0);
    await closed;
    assert.match(router.output(), /SIGTERM: closing sessions/);
  });

  it('takes realms, users and roles from --config', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-cli-'));
    const config = path.join(dir, 'router.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        realms: [{ name: 'factory', users: [{ authid: 'plc', role: 'device', ticket: 't0ps3cret' }] }],
      }),
    );
    const router = await start(['--port', '0', '--config', config]);
    try {
      await assert.rejects(
        openAutobahn({ kind: 'websocket', url: router.url, serializer: 'json' }, 'realm1'),
        /no_such_realm/,
      );
      const ab = await openAutobahn({ kind: 'websocket', url: router.url, serializer: 'json' }, 'factory', {
        authmethods: ['ticket'],
        authid: 'plc',
        onchallenge: () => 't0ps3cret',
      });
      assert.ok(ab.session.id > 0);
      await ab.close();
    } finally {
      await router.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes a realm's event history from --config: Autobahn|JS reads it back", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-cli-'));
    const config = path.join(dir, 'router.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        realms: [{ name: 'realm1', history: [{ uri: 'com.cli.', match: 'prefix', limit: 2 }] }],
        limits: { maxHistoryEvents: 100 },
      }),
    );
    const router = await start(['--port', '0', '--config', config]);
    try {
      const ab = await openAutobahn({ kind: 'websocket', url: router.url, serializer: 'json' });
      for (const n of [1, 2, 3]) await ab.session.publish(`com.cli.t${n}`, [n], {}, { acknowledge: true });
      const sub = await ab.session.call('wamp.subscription.lookup', ['com.cli.', { match: 'prefix' }]);
      const events = (await ab.session.call('wamp.subscription.get_events', [sub], {})) as Array<{
        topic: string;
      }>;
      assert.deepEqual(
        events.map((e) => e.topic),
        ['com.cli.t2', 'com.cli.t3'],
      );
      await ab.close();
    } finally {
      await router.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the router limits from --config, and refuses an unknown one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-cli-'));
    const config = path.join(dir, 'router.json');
    fs.writeFileSync(config, JSON.stringify({ limits: { maxSubscriptionsPerSession: 1 } }));
    const router = await start(['--port', '0', '--config', config]);
    try {
      const ab = await openAutobahn({ kind: 'websocket', url: router.url, serializer: 'json' });
      await ab.session.subscribe('com.cli.a', () => {});
      await assert.rejects(
        ab.session.subscribe('com.cli.b', () => {}),
        (e: { error?: string }) => e.error === 'wamp.error.limit_exceeded',
      );
      await ab.close();
    } finally {
      await router.stop();
    }
    fs.writeFileSync(config, JSON.stringify({ limits: { maxSubscriptons: 1 } }));
    const child = spawn(process.execPath, [cli, '--port', '0', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 1);
    assert.match(err, /unknown router limit "maxSubscriptons"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves long-poll where it says, and lets in the web origins of --allow-origin and the config file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-cli-'));
    const config = path.join(dir, 'router.json');
    fs.writeFileSync(
      config,
      JSON.stringify({ allowedOrigins: ['https://a.example'], longPoll: { requestTimeoutMs: 2000 } }),
    );
    const router = await start(['--port', '0', '--config', config, '--allow-origin', 'https://b.example']);
    const upgrade = (origin: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(router.url, ['wamp.2.json'], { origin });
        ws.on('error', () => {});
        ws.on('unexpected-response', (req, res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
      });
    try {
      const longPoll = /long-poll at (http:\/\/\S+?);/.exec(router.output())?.[1];
      assert.equal(longPoll, router.url.replace(/^ws/, 'http'));
      const s = new Session(await connectTransport({ url: longPoll as string }), { realm: 'realm1' });
      await s.join();
      assert.equal(await s.call('wamp.session.count').then((r) => r.args[0]), 1);
      await s.leave();
      assert.equal(await upgrade('https://a.example'), 101);
      assert.equal(await upgrade('https://b.example'), 101);
      assert.equal(await upgrade('https://c.example'), 403);
      // The log line travels through the child's stderr: wait for it.
      for (let i = 0; i < 200 && !/refused a WebSocket connection/.test(router.output()); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(router.output(), /refused a WebSocket connection from origin "https:\/\/c\.example"/);
    } finally {
      await router.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad port with a clear message and exit status 1', async () => {
    const child = spawn(process.execPath, [cli, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /--port must be 0..65535/);
  });

  it('--mqtt and --mqtt-port: MQTT clients on the router port and on their own port', async () => {
    const router = await start(['--port', '0', '--mqtt', '--mqtt-port', '0']);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(router.output())), 5000);
      const check = setInterval(() => {
        if (!/MQTT clients accepted on mqtt:\/\/\S+ and mqtt:\/\/\S+ \(realm realm1\)/.test(router.output()))
          return;
        clearInterval(check);
        clearTimeout(t);
        resolve();
      }, 20);
    });
    const [, main, own] = /accepted on (mqtt:\/\/\S+) and (mqtt:\/\/\S+)/.exec(router.output())!;
    const mqtt = await import('mqtt');
    const a = await mqtt.connectAsync(main, { reconnectPeriod: 0 });
    const b = await mqtt.connectAsync(own, { reconnectPeriod: 0 });
    await a.subscribeAsync('cli/test');
    const got = new Promise<string>((resolve) => a.on('message', (_t, p) => resolve(p.toString())));
    await b.publishAsync('cli/test', 'hello', { qos: 1 });
    assert.equal(await got, 'hello');
    await Promise.all([a.endAsync(), b.endAsync()]);
    assert.equal(await router.stop(), 0);
  });

  it('--mqtt-realm must name one of the realms', async () => {
    await assert.rejects(
      start(['--port', '0', '--mqtt-realm', 'nowhere']),
      /--mqtt-realm nowhere is not one of the realms/,
    );
  });

  describe('refuses a configuration it would not honour, saying what to fix', function () {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wamp-cli-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Writes `text` as a config file and runs the router with it. */
    const withConfig = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return refused(['--port', '0', '--config', file]).then((r) => ({ ...r, file }));
    };

    it('--tls-key without --tls-cert, and the reverse, instead of a silent plain ws://', async () => {
      const key = path.join(dir, 'key.pem');
      fs.writeFileSync(key, 'not used');
      const a = await refused(['--port', '0', '--tls-key', key]);
      assert.equal(a.code, 1);
      assert.match(a.err, /--tls-key needs --tls-cert/);
      assert.doesNotMatch(a.out, /listening/);
      const b = await refused(['--port', '0', '--tls-cert', key]);
      assert.equal(b.code, 1);
      assert.match(b.err, /--tls-cert needs --tls-key/);
    });

    it('an unknown key at the top of the file, naming it', async () => {
      const r = await withConfig('top.json', JSON.stringify({ realm: [{ name: 'factory' }] }));
      assert.equal(r.code, 1);
      assert.match(r.err, /top\.json: unknown key "realm"/);
      assert.doesNotMatch(r.out, /listening/);
    });

    it('an unknown key deep inside, naming the key and where it is', async () => {
      const r = await withConfig(
        'deep.json',
        JSON.stringify({
          realms: [{ name: 'factory', users: [{ authid: 'plc', role: 'device', tickt: 's3cret' }] }],
        }),
      );
      assert.equal(r.code, 1);
      assert.match(r.err, /realms\[0\] "factory"\.users\[0\]: unknown key "tickt"/);
      const perm = await withConfig(
        'perm.json',
        JSON.stringify({
          realms: [
            {
              name: 'factory',
              roles: [{ name: 'device', permissions: [{ uri: 'com.x.', match: 'prefix', pub: true }] }],
            },
          ],
        }),
      );
      assert.match(perm.err, /roles\[0\] "device"\.permissions\[0\]: unknown key "pub"/);
      const noRole = await withConfig(
        'norole.json',
        JSON.stringify({ realms: [{ name: 'factory', users: [{ authid: 'plc', ticket: 's3cret' }] }] }),
      );
      assert.match(noRole.err, /users\[0\] "plc": "role" must be a non-empty string/);
    });

    it('a user with no secret for any method (nobody could log in as it)', async () => {
      const r = await withConfig(
        'nosecret.json',
        JSON.stringify({ realms: [{ name: 'factory', users: [{ authid: 'plc', role: 'device' }] }] }),
      );
      assert.equal(r.code, 1);
      assert.match(r.err, /users\[0\] "plc" has no secret for any method/);
      const empty = await withConfig(
        'empty-ticket.json',
        JSON.stringify({
          realms: [{ name: 'factory', users: [{ authid: 'plc', role: 'device', ticket: '' }] }],
        }),
      );
      assert.match(empty.err, /"plc" has no secret/);
      const badKey = await withConfig(
        'bad-pubkey.json',
        JSON.stringify({
          realms: [{ name: 'factory', users: [{ authid: 'plc', role: 'device', pubkey: 'abc' }] }],
        }),
      );
      assert.match(badKey.err, /"plc": "pubkey" \(cryptosign\) must be 64 hex characters/);
    });

    it('a JSON syntax error, naming the file, line and column', async () => {
      const r = await withConfig('syntax.json', '{\n  "realms": [\n    { "name": "factory", }\n  ]\n}\n');
      assert.equal(r.code, 1);
      assert.ok(r.err.includes(`${r.file}: invalid JSON at line 3, column 26`), r.err);
      const cut = await withConfig('cut.json', '{ "realms": [');
      assert.match(cut.err, /cut\.json: invalid JSON at line 1, column 14/);
    });

    it('a config file that is not there', async () => {
      const r = await refused(['--port', '0', '--config', path.join(dir, 'missing.json')]);
      assert.equal(r.code, 1);
      assert.match(r.err, /cannot read the config file .*missing\.json: ENOENT/);
    });
  });
});
