// The two HTTP examples, each loaded as a user's whole flow into a real Node-RED (a child
// process with the package installed as `npm install <path>` would) and exercised over real
// HTTP: "REST to WAMP" answers calls and maps WAMP errors to HTTP statuses naming the URI;
// "webhook to WAMP" publishes each POST and answers 202 once the router accepted it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '../../src/client';
import { startNodeRed, type NodeRedProcess } from '../support/node-red-process';
import { linkPackage, projectRoot } from '../support/package-in-node-red';

type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

/** An example as a flow file: on a tab of its own, as `npm start` writes one; `edit` adjusts nodes. */
function exampleAsFlowFile(name: string, edit: (n: FlowNode) => FlowNode = (n) => n): string {
  const nodes = JSON.parse(
    fs.readFileSync(path.join(projectRoot, 'examples', `${name}.json`), 'utf8'),
  ) as FlowNode[];
  const z = nodes.find((n) => n.z)!.z!;
  return JSON.stringify([{ id: z, type: 'tab', label: name }, ...nodes.map(edit)]);
}

async function request(
  red: NodeRedProcess,
  method: string,
  pathname: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(red.url + pathname, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: the test's assertion will show the text.
  }
  return { status: res.status, json };
}

/** Waits until `path` answers something other than 404 (the flow's routes exist once it has started). */
async function routeReady(
  red: NodeRedProcess,
  method: string,
  pathname: string,
  body?: unknown,
): Promise<void> {
  const deadline = Date.now() + 20000;
  for (;;) {
    const r = await request(red, method, pathname, body);
    if (r.status !== 404 && r.status !== 503) return;
    if (Date.now() > deadline) throw new Error(`${method} ${pathname} still ${r.status}:\n${red.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('example "REST to WAMP" over real HTTP', function () {
  this.timeout(60000);
  let red: NodeRedProcess;

  before(async () => {
    red = await startNodeRed((userDir) => {
      linkPackage(userDir);
      fs.writeFileSync(path.join(userDir, 'flows.json'), exampleAsFlowFile('06 - REST to WAMP'));
    });
    // The procedures register once the in-process session has joined.
    await routeReady(red, 'GET', '/api/stock/apples');
  });
  after(async () => red?.stop());

  it('GET /api/stock/:item calls com.example.stock.get and answers 200 with the result', async () => {
    assert.deepEqual(await request(red, 'GET', '/api/stock/apples'), {
      status: 200,
      json: { item: 'apples', count: 12 },
    });
    assert.deepEqual((await request(red, 'GET', '/api/stock/pears')).json, { item: 'pears', count: 0 });
  });

  it('a WAMP error from the callee becomes 404 naming the URI, with its kwargs', async () => {
    const r = await request(red, 'GET', '/api/stock/kiwis');
    assert.equal(r.status, 404, JSON.stringify(r.json));
    const body = r.json as { error: string; kwargs: object; message: string };
    assert.equal(body.error, 'com.example.error.not_found');
    assert.deepEqual(body.kwargs, { item: 'kiwis' });
    assert.match(body.message, /kiwis/);
  });

  it('POST /api/rpc/:procedure sends a JSON array as args and answers the result', async () => {
    assert.deepEqual(await request(red, 'POST', '/api/rpc/com.example.add', [2, 3]), {
      status: 200,
      json: 5,
    });
  });

  it('wamp.error.invalid_argument becomes 400', async () => {
    const r = await request(red, 'POST', '/api/rpc/com.example.add', ['two', 3]);
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal((r.json as { error: string }).error, 'wamp.error.invalid_argument');
  });

  it('a procedure nobody serves becomes 503 wamp.error.no_such_procedure', async () => {
    const r = await request(red, 'POST', '/api/rpc/com.example.nothing', []);
    assert.equal(r.status, 503, JSON.stringify(r.json));
    assert.equal((r.json as { error: string }).error, 'wamp.error.no_such_procedure');
  });

  it("procedures outside com.example. (the router's own wamp.*) are not reachable from HTTP", async () => {
    const r = await request(red, 'POST', '/api/rpc/wamp.session.list', []);
    assert.equal(r.status, 404, JSON.stringify(r.json));
    assert.equal((r.json as { error: string }).error, 'wamp.error.no_such_procedure');
  });
});

describe('example "webhook to WAMP" over real HTTP', function () {
  this.timeout(60000);
  let red: NodeRedProcess;
  let client: Connection;

  before(async () => {
    red = await startNodeRed((userDir) => {
      linkPackage(userDir);
      // The router is also served on Node-RED's port, so that this test can subscribe as any client would.
      fs.writeFileSync(
        path.join(userDir, 'flows.json'),
        exampleAsFlowFile('07 - webhook to WAMP', (n) =>
          n.type === 'wamp-router' ? { ...n, useHttp: true, httpPath: '/wamp' } : n,
        ),
      );
    });
    client = new Connection({
      url: `${red.url.replace(/^http/, 'ws')}/wamp`,
      realm: 'realm1',
      reconnect: { enabled: false },
    });
    client.open();
    await client.connected(20000);
  });
  after(async () => {
    await client?.close();
    await red?.stop();
  });

  it('POST /hooks/:event publishes the body to com.example.webhook.<event> and answers 202', async () => {
    let received!: (ev: { args: unknown[]; topic: unknown }) => void;
    const event = new Promise<{ args: unknown[]; topic: unknown }>((resolve) => (received = resolve));
    // Resolves on SUBSCRIBED: from then on every publication reaches us.
    await client.subscribe(
      'com.example.webhook.',
      (ev) => received({ args: ev.args, topic: ev.details.topic }),
      {
        match: 'prefix',
      },
    );
    const r = await request(red, 'POST', '/hooks/git.push', { ref: 'main', commits: 3 });
    assert.equal(r.status, 202, JSON.stringify(r.json));
    assert.deepEqual(r.json, { topic: 'com.example.webhook.git.push' });
    const got = await event;
    assert.deepEqual(got.args, [{ ref: 'main', commits: 3 }]);
    assert.equal(got.topic, 'com.example.webhook.git.push');
  });

  it('a bad event name gets 400 and publishes nothing', async () => {
    const r = await request(red, 'POST', '/hooks/..', { x: 1 });
    // Express may normalise "..": either way the answer is an error, not 202.
    assert.ok(r.status === 400 || r.status === 404, `${r.status} ${JSON.stringify(r.json)}`);
    const bad = await request(red, 'POST', '/hooks/a%20b', { x: 1 });
    assert.equal(bad.status, 400, JSON.stringify(bad.json));
    assert.equal((bad.json as { error: string }).error, 'wamp.error.invalid_uri');
  });
});
