// Scaling out: three Node-RED runtimes (child processes) register one procedure with invoke
// roundrobin behind one router. Calls spread over all three; one runtime stopped mid-run takes
// only its own call in flight down (wamp.error.canceled, as the README promises), the others
// carry on, and nothing waits forever.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { Connection, type CallResult } from '../../src/client';
import { Router } from '../../src/router';
import { ErrorUri } from '../../src/wamp/errors';
import type { NodeRedProcess } from '../support/node-red-process';
import { startWorker } from '../support/worker-runtimes';
import { until, within } from './support';

const PROCEDURE = 'work.square';
// A call naming a worker in `holdOn` is never answered by that worker: a call in flight there.
const FUNC = `const me = env.get('WORKER_NAME');
const p = msg.payload || {};
if (p.holdOn === me) return null;
msg.payload = { worker: me, square: p.n * p.n };
return msg;`;

describe('scaling out: three Node-RED workers behind one procedure', function () {
  this.timeout(180000);
  let router: Router;
  let caller: Connection;
  const workers = new Map<string, NodeRedProcess>();

  async function callees(): Promise<number> {
    const [id] = (await caller.call('wamp.registration.lookup', [PROCEDURE])).args as [number | null];
    if (id === null) return 0;
    return (await caller.call('wamp.registration.count_callees', [id])).args[0] as number;
  }

  async function calleesBecome(n: number): Promise<void> {
    const deadline = Date.now() + 60000;
    while ((await callees()) !== n) {
      if (Date.now() > deadline) throw new Error(`not ${n} callees within 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const square = (n: number, holdOn?: string): Promise<CallResult> => caller.call(PROCEDURE, [{ n, holdOn }]);
  const workerOf = (r: CallResult): string => (r.args[0] as { worker: string }).worker;

  before(async () => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    const listener = await router.listen({ port: 0 });
    const flow = { routerUrl: listener.url, procedure: PROCEDURE, invoke: 'roundrobin' as const, func: FUNC };
    const started = await Promise.allSettled(
      ['w1', 'w2', 'w3'].map(async (name) => workers.set(name, await startWorker(name, flow))),
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    caller = new Connection({ url: listener.url, realm: 'realm1' });
    caller.open();
    await caller.connected();
    await calleesBecome(3);
  });

  after(async () => {
    await within(Promise.resolve(caller?.close()), 10000, 'caller closes').catch(() => undefined);
    await within(Promise.all([...workers.values()].map((w) => w.stop())), 30000, 'workers stop');
    await within(Promise.resolve(router?.close()), 10000, 'router closes');
  });

  it('spreads calls evenly over the three runtimes', async () => {
    const results = await within(
      Promise.all(Array.from({ length: 30 }, (_, i) => square(i))),
      60000,
      '30 calls',
    );
    assert.deepEqual(
      results.map((r) => (r.args[0] as { square: number }).square),
      results.map((_, i) => i * i),
    );
    const counts: Record<string, number> = {};
    for (const r of results) counts[workerOf(r)] = (counts[workerOf(r)] ?? 0) + 1;
    assert.deepEqual(counts, { w1: 10, w2: 10, w3: 10 });
  });

  it('one runtime stopped mid-run: its call in flight fails with wamp.error.canceled, the calls carry on on the others', async () => {
    // Three calls, one per worker (roundrobin): the one that lands on w2 is held there.
    let answered = 0;
    const three = [-1, -2, -3].map((n) =>
      square(n, 'w2').then(
        (r) => {
          answered++;
          return { worker: workerOf(r), error: undefined };
        },
        (e: { uri?: string }) => ({ worker: undefined, error: e.uri ?? String(e) }),
      ),
    );
    await until(() => answered === 2, 30000, 'the two calls not on w2 answered');

    // Steady load from two callers' worth of concurrency while w2 goes away.
    let running = true;
    const outcomes: Array<{ worker?: string; error?: string }> = [];
    const loop = async (): Promise<void> => {
      for (let n = 0; running; n++) {
        try {
          outcomes.push({ worker: workerOf(await within(square(n), 30000, 'a call under load')) });
        } catch (e) {
          outcomes.push({ error: (e as { uri?: string }).uri ?? String(e) });
          // A refusal can come at once: let the event loop breathe.
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const loops = [loop(), loop()];
    await until(() => outcomes.length >= 20, 60000, 'load running');

    await within(workers.get('w2')!.stop(), 30000, 'w2 stops');
    workers.delete('w2');
    const held = await within(Promise.all(three), 30000, 'the call held on w2 settles');
    assert.deepEqual(
      held.filter((o) => o.error).map((o) => o.error),
      [ErrorUri.CANCELED],
      'the call in flight on w2 fails with wamp.error.canceled',
    );
    assert.deepEqual(
      held
        .map((o) => o.worker)
        .filter(Boolean)
        .sort(),
      ['w1', 'w3'],
    );
    await calleesBecome(2);
    const mark = outcomes.length;
    await until(() => outcomes.length >= mark + 40, 60000, 'calls after w2 left');
    running = false;
    await within(Promise.all(loops), 60000, 'load loops end');

    // Errors only as documented, only while w2 was leaving; afterwards every call answered, on w1 or w3.
    for (const o of outcomes.slice(0, mark)) if (o.error) assert.equal(o.error, ErrorUri.CANCELED);
    const after = outcomes.slice(mark);
    assert.deepEqual(
      after.filter((o) => o.error),
      [],
    );
    assert.deepEqual([...new Set(after.map((o) => o.worker))].sort(), ['w1', 'w3']);
    assert.ok(
      outcomes.slice(0, mark).some((o) => o.worker === 'w2'),
      'w2 served calls before it stopped',
    );
  });
});
