// The router view's HTTP admin API behind Node-RED's admin auth: a reader sees the routers, never
// their secrets, and may not kill, call or publish.
import assert from 'node:assert/strict';
import type { NodeRedProcess } from '../support/node-red-process';
import type { RouterSnapshot } from '../../nodes/shared/router-snapshot';
import { ALICE_TICKET, startWithRouter } from './router-view-node-red';

describe('router view plugin behind Node-RED admin auth', function () {
  this.timeout(60000);
  let red: NodeRedProcess;
  // Anonymous users may read everything and change nothing.
  before(
    async () =>
      ({ red } = await startWithRouter(
        `adminAuth: { type: 'credentials', users: [], default: { permissions: 'read' } }`,
      )),
  );
  after(async () => red?.stop());

  it('lets a reader see the routers (wamp-router.read)', async () => {
    const res = await red.get('/wamp-router-view/routers/r1');
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as RouterSnapshot).id, 'r1');
  });

  it("never gives a reader the router's account secrets (GET /credentials/wamp-router/<id>)", async () => {
    const res = await red.get('/credentials/wamp-router/r1', 'application/json');
    assert.equal(res.status, 200, res.body);
    const creds = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(creds.has_secret0, true, 'the editor learns only that a secret is set');
    assert.equal(creds.secret0, undefined);
    assert.ok(!res.body.includes(ALICE_TICKET));
    // Nor does the flow export.
    assert.ok(!(await red.get('/flows', 'application/json')).body.includes(ALICE_TICKET));
  });

  it('refuses kill, call and publish without wamp-router.write', async () => {
    for (const action of ['sessions/1/kill', 'call', 'publish']) {
      const res = await fetch(`${red.url}/wamp-router-view/routers/r1/${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"realm":"realm1","topic":"com.t","procedure":"com.p"}',
      });
      assert.equal(res.status, 401, action);
    }
  });
});
