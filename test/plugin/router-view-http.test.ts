// The router view's runtime half in a real Node-RED: this package installed into a fresh user
// directory, a flow with a wamp-router on a free port, Autobahn|JS clients joining it, and the
// admin API and comms channel asked what the editor's tab would ask.
import assert from 'node:assert/strict';
import { AbError } from '../interop/autobahn';
import type { NodeRedProcess } from '../support/node-red-process';
import type { RouterSnapshot } from '../../nodes/shared/router-snapshot';
import { PLUGIN_ID, type Client, joinAutobahn, openComms, startWithRouter } from './router-view-node-red';

describe('router view plugin in a real Node-RED', function () {
  this.timeout(60000);
  let red: NodeRedProcess;
  let port: number;
  const clients: Client[] = [];

  async function post(
    pathname: string,
    body: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${red.url}/wamp-router-view/${pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  async function snapshot(): Promise<RouterSnapshot> {
    const res = await red.get('/wamp-router-view/routers/r1');
    assert.equal(res.status, 200, res.body);
    return JSON.parse(res.body) as RouterSnapshot;
  }
  async function join(): Promise<Client> {
    const c = await joinAutobahn(port);
    clients.push(c);
    return c;
  }

  before(async () => ({ red, port } = await startWithRouter()));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  after(async () => red?.stop());

  describe('the plugin is registered with Node-RED', () => {
    it('is listed in /plugins, enabled, and its editor part is served', async () => {
      const list = JSON.parse((await red.get('/plugins')).body) as {
        id: string;
        enabled: boolean;
        err?: string;
        plugins: { type?: string }[];
      }[];
      const mine = list.find((p) => p.id === PLUGIN_ID);
      assert.ok(mine, `listed: ${JSON.stringify(list)}\n${red.log()}`);
      assert.equal(mine.err, undefined);
      assert.ok(mine.enabled);
      assert.deepEqual(
        mine.plugins.map((p) => p.type),
        ['wamp-router-view'],
      );
      const html = await red.get('/plugins', 'text/html');
      assert.match(html.body, new RegExp(`\\[red-plugin:${PLUGIN_ID}\\]`));
      assert.match(html.body, /RED\.plugins\.registerPlugin\('wamp-router-view'/);
      assert.match(html.body, /RED\.sidebar\.addTab/);
    });

    for (const lang of ['en-US', 'zh-CN']) {
      it(`loads its ${lang} message catalogue`, async () => {
        const res = await red.get(`/plugins/messages?lng=${lang}`);
        const cat = (JSON.parse(res.body) as Record<string, { 'router-view'?: Record<string, unknown> }>)[
          PLUGIN_ID
        ];
        assert.ok(cat?.['router-view'], `catalogue: ${res.body}`);
        assert.match(
          String(cat['router-view'].sessions),
          lang === 'zh-CN' ? /[\u4e00-\u9fff]/ : /^Sessions$/,
        );
      });
    }
  });

  describe('GET lists the running routers and gives a snapshot of one', () => {
    it('lists the wamp-router node by id and name', async () => {
      const res = await red.get('/wamp-router-view/routers');
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body), [
        { id: 'r1', name: 'View router', sessionCount: 0, realms: ['realm1'] },
      ]);
    });

    it('answers 404 for a router that is not running', async () => {
      const res = await red.get('/wamp-router-view/routers/nope');
      assert.equal(res.status, 404);
      assert.match(res.body, /no running wamp-router node nope/);
    });

    it('shows a session once a client joins and not after it leaves, in the snapshot and pushed over comms', async () => {
      const comms = await openComms(red.url);
      try {
        const c = await join();
        const appeared = comms.next<RouterSnapshot | null>(
          'wamp-router-view/r1',
          (s) => !!s?.realms[0].sessions.some((x) => x.id === c.session.id),
        );
        const snap = await snapshot();
        const session = snap.realms[0].sessions.find((s) => s.id === c.session.id);
        assert.ok(session, JSON.stringify(snap));
        assert.equal(session.authrole, 'anonymous');
        assert.equal(session.transport, 'websocket');
        assert.equal(session.serializer, 'json');
        assert.equal(session.remoteAddress, '127.0.0.1');
        assert.ok(session.messagesIn >= 1 && session.messagesOut >= 1);
        assert.equal(snap.realms[0].rate.length, 60);
        await appeared;

        const gone = comms.next<RouterSnapshot | null>(
          'wamp-router-view/r1',
          (s) => !!s && s.realms[0].sessions.length === 0,
        );
        await c.close();
        await gone;
        assert.deepEqual((await snapshot()).realms[0].sessions, []);
      } finally {
        comms.close();
      }
    });
  });

  describe('POST kill ends a session', () => {
    it("sends GOODBYE wamp.close.killed with the operator's message", async () => {
      const c = await join();
      const res = await post(`routers/r1/sessions/${c.session.id}/kill`, { message: 'maintenance window' });
      assert.deepEqual(res, { status: 200, json: { ok: true } });
      const { details } = await c.closed;
      assert.equal(details.reason, 'wamp.close.killed');
      assert.equal(details.message, 'maintenance window');
    });

    it('answers 404 for an unknown session and 400 for a bad one', async () => {
      const missing = await post('routers/r1/sessions/12345/kill', {});
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error, 'wamp.error.no_such_session');
      const bad = await post('routers/r1/sessions/abc/kill', {});
      assert.equal(bad.status, 400);
      assert.match(String(bad.json.message), /not a session ID/);
    });
  });

  describe('POST call and publish are the tester', () => {
    it('calls a procedure and returns its result; the registration counts the call', async () => {
      const c = await join();
      await c.session.register('com.example.add', (args) => (args as number[]).reduce((a, b) => a + b, 0));
      const res = await post('routers/r1/call', {
        realm: 'realm1',
        procedure: 'com.example.add',
        args: [2, 3],
      });
      assert.equal(res.status, 200);
      assert.equal(res.json.ok, true);
      assert.deepEqual(res.json.args, [5]);
      const reg = (await snapshot()).realms[0].registrations.find((r) => r.procedure === 'com.example.add');
      assert.deepEqual(reg && { callees: reg.callees, calls: reg.calls }, {
        callees: [c.session.id],
        calls: 1,
      });
    });

    it('shows an error the callee or router answers with, as an answer', async () => {
      const c = await join();
      await c.session.register('com.example.fail', () => {
        throw new AbError('com.example.error.nope', ['no']);
      });
      const failed = await post('routers/r1/call', { realm: 'realm1', procedure: 'com.example.fail' });
      assert.equal(failed.status, 200);
      assert.deepEqual(failed.json, {
        ok: false,
        error: {
          uri: 'com.example.error.nope',
          args: ['no'],
          kwargs: {},
          message: failed.json.error && (failed.json.error as { message: string }).message,
        },
      });
      const none = await post('routers/r1/call', { realm: 'realm1', procedure: 'com.example.none' });
      assert.equal((none.json.error as { uri: string }).uri, 'wamp.error.no_such_procedure');
    });

    it('publishes an event the subscriber receives; the subscription counts it', async () => {
      const c = await join();
      let receive!: (args: unknown[]) => void;
      const got = new Promise<unknown[]>((r) => (receive = r));
      await c.session.subscribe('com.example.news', (args) => receive(args));
      const res = await post('routers/r1/publish', {
        realm: 'realm1',
        topic: 'com.example.news',
        args: ['hello'],
        kwargs: {},
      });
      assert.equal(res.status, 200);
      assert.equal(res.json.ok, true);
      assert.equal(typeof res.json.publication, 'number');
      assert.deepEqual(await got, ['hello']);
      const sub = (await snapshot()).realms[0].subscriptions.find((s) => s.topic === 'com.example.news');
      assert.equal(sub?.events, 1);
    });

    const invalid: Array<[string, string, unknown, number, RegExp]> = [
      ['a call without a procedure', 'call', { realm: 'realm1' }, 400, /procedure is required/],
      [
        'a call to an invalid URI',
        'call',
        { realm: 'realm1', procedure: 'not a uri' },
        400,
        /not a valid WAMP URI/,
      ],
      [
        'a call with args that are not a list',
        'call',
        { realm: 'realm1', procedure: 'com.a', args: { a: 1 } },
        400,
        /args must be an array/,
      ],
      [
        'a call into an unknown realm',
        'call',
        { realm: 'realm9', procedure: 'com.a' },
        404,
        /no realm realm9/,
      ],
      ['a publish without a topic', 'publish', { realm: 'realm1' }, 400, /topic is required/],
      [
        'a publish with kwargs that are not an object',
        'publish',
        { realm: 'realm1', topic: 'com.t', kwargs: 3 },
        400,
        /kwargs must be an object/,
      ],
      ['a body that is not an object', 'publish', [1, 2], 400, /JSON object/],
    ];
    for (const [what, action, body, status, message] of invalid) {
      it(`answers ${status} to ${what}`, async () => {
        const res = await post(`routers/r1/${action}`, body);
        assert.equal(res.status, status);
        assert.match(String(res.json.message), message);
      });
    }

    it("refuses a cross-site form post and a foreign Origin (403); the editor's own JSON post works", async () => {
      const body = '{"realm":"realm1","topic":"com.t"}';
      const url = `${red.url}/wamp-router-view/routers/r1/publish`;
      // What a page elsewhere can send without a CORS preflight: a form or text/plain body.
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ]) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': type, Origin: 'http://evil.example' },
          body,
        });
        assert.equal(res.status, 403, type);
      }
      const foreign = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
        body,
      });
      assert.equal(foreign.status, 403);
      assert.match(((await foreign.json()) as { message: string }).message, /another origin/);
      const own = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: red.url },
        body,
      });
      assert.equal(own.status, 200);
      // kill_all through the router's trusted session was the prize: a session is still there.
      const c = await join();
      const kill = await fetch(`${red.url}/wamp-router-view/routers/r1/sessions/${c.session.id}/kill`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', Origin: 'http://evil.example' },
        body: '{}',
      });
      assert.equal(kill.status, 403);
      assert.equal((await snapshot()).realms.flatMap((r) => r.sessions).length, 1);
    });

    it('is still running after all of that', async () => {
      assert.equal((await red.get('/wamp-router-view/routers')).status, 200);
      assert.doesNotMatch(red.log(), /wamp-router-view: |Uncaught|TypeError/);
    });
  });
});
