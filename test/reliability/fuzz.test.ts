// Bad input never brings the router down: tens of thousands of generated frames (mutations of
// every message type and raw garbage) over every serializer and both transports of a real
// listener, a new session whenever one ends, while a health session keeps routing.
// FUZZ_SEED=<n>|random and FUZZ_FRAMES=<n> scale or vary the run; the seed is printed.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';
import { Router } from '../../src/router';
import type { SerializerId } from '../../src/serializers';
import { listen, type Listener } from '../../src/transports';
import { Corpus, hello, Rng, type Frame, type SessionIds } from './fuzz-corpus';
import { RawClient, type TransportKind } from './raw-client';
import { CrashTrap, HealthProbe } from './support';

const SEED =
  process.env.FUZZ_SEED === 'random'
    ? (Math.random() * 2 ** 32) >>> 0
    : Number(process.env.FUZZ_SEED ?? 20240611);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 20_000);
const HEALTH_EVERY = 1000;
const MAX_PAYLOAD = 1024 * 1024;
/** No answer to a probe and no close within this time is a hang, and fails the test. */
const ANSWER_MS = 5000;
const PROBE_TOPIC = 'fuzz.probe';
/** Probe request IDs live far above the generator's, so a fuzzed request never collides. */
const PROBE_BASE = 2 ** 53 - 2 ** 40;

/** Messages a router may send a client. */
const ROUTER_TO_CLIENT = new Set([2, 3, 4, 6, 8, 17, 33, 35, 36, 50, 65, 67, 68, 69]);

interface Stats {
  frames: number;
  sessions: number;
  aborts: Map<string, number>;
  errors: Map<string, number>;
  closesWithoutAbort: number;
  probes: number;
  preJoin: number;
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Every message the router sent on one connection must be one a router may send, with spec URIs. */
function checkAnswers(client: RawClient, context: string): void {
  assert.deepEqual(
    client.strange,
    [],
    `${context}: undecodable or non-list message from the router: ${client.strange.slice(0, 2).join(' / ')}`,
  );
  for (const m of client.received) {
    assert.ok(
      typeof m[0] === 'number' && ROUTER_TO_CLIENT.has(m[0]),
      `${context}: router sent ${JSON.stringify(m).slice(0, 200)}`,
    );
    if (m[0] === 3) assert.match(String(m[2]), /^wamp\.error\.[a-z_]+$/, `${context}: ABORT reason`);
    if (m[0] === 8) {
      assert.equal(typeof m[4], 'string', `${context}: ERROR URI`);
      // A callee's own error URI is forwarded to its caller as it is; everything else is the router's.
      if (m[1] !== 48)
        assert.match(String(m[4]), /^wamp\.error\.[a-z_]+$/, `${context}: ERROR URI ${String(m[4])}`);
    }
    if (m[0] === 6) assert.match(String(m[2]), /^wamp\.close\./, `${context}: GOODBYE reason`);
  }
}

function record(ids: SessionIds, client: RawClient, from: number): void {
  for (let i = from; i < client.received.length; i++) {
    const m = client.received[i];
    if (m[0] === 33) ids.subscriptions.push(m[2] as number);
    if (m[0] === 65) ids.registrations.push(m[2] as number);
    if (m[0] === 68) ids.invocations.push(m[1] as number);
  }
}

let warnings: string[] = [];

async function lane(
  kind: TransportKind,
  serializer: SerializerId,
  port: number,
  quota: number,
  stats: Stats,
  onFrames: (n: number) => Promise<void>,
): Promise<void> {
  const rng = new Rng(
    SEED ^ (kind === 'websocket' ? 0x1000 : 0x2000) ^ (serializer.length * 7919) ^ serializer.charCodeAt(0),
  );
  const corpus = new Corpus(rng, serializer, MAX_PAYLOAD);
  let sent = 0;
  let probe = 0;
  while (sent < quota) {
    const client = await RawClient.open(kind, serializer, port);
    stats.sessions++;
    const where = `${kind}/${serializer} session ${stats.sessions} (seed ${SEED})`;
    const history: string[] = [];
    try {
      if (rng.chance(0.04)) {
        // An attack before joining: the connection ends, the router goes on.
        const f = corpus.preJoin(kind);
        history.push(f.label);
        if (f.kind === 'value') client.sendValue(f.value);
        else client.sendRaw(f.bytes, f.binary ?? corpus.serializer !== 'json', f.rawsocketHeader);
        sent++;
        await onFrames(1);
        await client.waitClosed(ANSWER_MS).catch((e: Error) => {
          throw new Error(`${where}: ${e.message} after ${f.label}`);
        });
        const abort = client.received.find((m) => m[0] === 3);
        if (abort)
          assert.match(String(abort[2]), /^wamp\.error\.(invalid_argument|invalid_uri|protocol_violation)$/);
        stats.preJoin++;
        continue;
      }
      const fuzzHello = rng.chance(0.08);
      client.sendValue(
        fuzzHello
          ? corpus.wellFormed(1, { subscriptions: [], registrations: [], invocations: [], requests: [] })
          : hello('realm1'),
      );
      sent++;
      await onFrames(1);
      const welcome = await client.waitFor((m) => m[0] === 2 || m[0] === 3, ANSWER_MS);
      if (!welcome || welcome[0] === 3) {
        assert.ok(fuzzHello, `${where}: a valid HELLO was refused: ${JSON.stringify(welcome)}`);
        await client.waitClosed(ANSWER_MS);
        continue;
      }
      const ids: SessionIds = { subscriptions: [], registrations: [], invocations: [], requests: [] };
      let seen = 0;
      // A session lives for some batches, then ends by a malformed frame, garbage or a close.
      for (let batch = 0; batch < 40 && !client.closed && sent < quota; batch++) {
        const size = 1 + rng.int(10);
        const frames: Frame[] = [];
        for (let i = 0; i < size; i++) frames.push(corpus.benign(ids));
        const ending = rng.next();
        if (ending < 0.22) frames.push(corpus.malformed(ids));
        else if (ending < 0.3) frames.push(corpus.garbage(kind));
        let endsSession = false;
        for (const f of frames) {
          history.push(f.label);
          if (f.kind === 'value') {
            const v = f.value as unknown[];
            if (Array.isArray(v) && (v[0] === 1 || v[0] === 3 || v[0] === 6)) endsSession = true;
            try {
              client.sendValue(f.value);
            } catch {
              // A value this serializer cannot encode (e.g. bigint in JSON): send garbage instead.
              client.sendRaw(Buffer.from([0xc1, 0xff, 0x00]), true);
            }
          } else {
            client.sendRaw(f.bytes, f.binary ?? corpus.serializer !== 'json', f.rawsocketHeader);
          }
          sent++;
        }
        await onFrames(frames.length);
        const last = frames[frames.length - 1];
        if (last.expect === 'violation' || last.expect === 'close') {
          await client.waitClosed(ANSWER_MS).catch((e: Error) => {
            throw new Error(`${where}: ${e.message} after ${history.slice(-12).join(' | ')}`);
          });
          const abort = client.received.find((m) => m[0] === 3);
          if (last.expect === 'violation' && !endsSession) {
            assert.ok(
              abort,
              `${where}: no ABORT after malformed "${last.label}" (history ${history.slice(-12).join(' | ')}; received ${JSON.stringify(client.received.slice(-5)).slice(0, 600)}; warnings ${warnings.slice(-3).join(' / ')})`,
            );
          }
          if (abort && !endsSession)
            assert.equal(
              abort[2],
              'wamp.error.protocol_violation',
              `${where}: ABORT reason after "${last.label}"`,
            );
          break;
        }
        // Well-formed frames only: the session answers an acknowledged publish, or it has ended.
        const probeId = PROBE_BASE + ++probe;
        client.sendValue([16, probeId, { acknowledge: true }, PROBE_TOPIC]);
        stats.probes++;
        const answer = await client
          .waitFor((m) => (m[0] === 17 || m[0] === 8) && m[m[0] === 8 ? 2 : 1] === probeId, ANSWER_MS, seen)
          .catch((e: Error) => {
            throw new Error(`${where}: probe ${e.message} after ${history.slice(-12).join(' | ')}`);
          });
        if (answer) assert.equal(answer[0], 17, `${where}: probe answered ${JSON.stringify(answer)}`);
        record(ids, client, seen);
        seen = client.received.length;
      }
      checkAnswers(client, where);
      const aborts = client.received.filter((m) => m[0] === 3);
      for (const a of aborts) bump(stats.aborts, String(a[2]));
      for (const e of client.received.filter((m) => m[0] === 8))
        bump(stats.errors, String(e[4]).startsWith('wamp.') ? String(e[4]) : 'application');
      if (client.closed && aborts.length === 0) stats.closesWithoutAbort++;
    } finally {
      client.close();
    }
  }
  stats.frames += sent;
}

describe('reliability: fuzzing the router over the network', function () {
  this.timeout(120_000);
  let router: Router;
  let listener: Listener;
  const trap = new CrashTrap();

  before(async () => {
    warnings = [];
    trap.install();
    router = new Router({
      realms: [
        {
          name: 'realm1',
          anonymous: true,
          roles: [
            {
              name: 'anonymous',
              permissions: [
                { uri: '', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
                // The fuzzer may not kill the health session.
                { uri: 'wamp.session.kill', call: false },
                { uri: 'wamp.session.kill_all', call: false },
                { uri: 'wamp.session.kill_by_authid', call: false },
                { uri: 'wamp.session.kill_by_authrole', call: false },
              ],
            },
          ],
        },
      ],
      maxOutboundBytes: 8 * MAX_PAYLOAD,
      logger: { info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    listener = await listen({ port: 0, maxPayload: MAX_PAYLOAD }, (t) => router.accept(t));
  });

  after(async () => {
    await listener.close();
    await router.close();
    trap.uninstall();
  });

  it(`survives ${FRAMES} fuzzed frames over json/msgpack/cbor × WebSocket/RawSocket; a health session routes throughout`, async () => {
    const health = await HealthProbe.start(listener.url);
    // A subscriber of the topic the nesting frames publish to: refusing those must never drop it.
    const bystander = new Connection({ url: listener.url, realm: 'realm1', reconnect: { enabled: false } });
    bystander.open();
    let bystanderEvents = 0;
    await bystander.subscribe('com.fuzz.topic', () => void bystanderEvents++);
    const stats: Stats = {
      frames: 0,
      sessions: 0,
      aborts: new Map(),
      errors: new Map(),
      closesWithoutAbort: 0,
      probes: 0,
      preJoin: 0,
    };
    let total = 0;
    let nextHealth = HEALTH_EVERY;
    // Checks run one at a time, so that lanes share them instead of piling up.
    let healthRun: Promise<void> = Promise.resolve();
    const onFrames = async (n: number): Promise<void> => {
      total += n;
      if (total >= nextHealth) {
        nextHealth += HEALTH_EVERY;
        healthRun = healthRun.then(() => health.check());
        await healthRun;
      }
    };
    const lanes: Array<[TransportKind, SerializerId]> = [];
    for (const kind of ['websocket', 'rawsocket'] as const)
      for (const s of ['json', 'msgpack', 'cbor'] as const) lanes.push([kind, s]);
    const started = Date.now();
    try {
      await Promise.all(
        lanes.map(([kind, s]) =>
          lane(kind, s, listener.port, Math.ceil(FRAMES / lanes.length), stats, onFrames),
        ),
      );
      await healthRun;
      await health.check();
      assert.equal(bystander.status.state, 'connected', 'the bystander subscriber was never dropped');
    } finally {
      await health.close();
      await bystander.close();
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `      fuzz seed ${SEED}: ${stats.frames} frames, ${stats.sessions} sessions, ${stats.probes} probes, ` +
        `${health.checks} health round trips in ${seconds.toFixed(1)} s; ABORTs ${JSON.stringify(Object.fromEntries(stats.aborts))}; ` +
        `closed without ABORT ${stats.closesWithoutAbort}; pre-join attacks ${stats.preJoin}; bystander events ${bystanderEvents}; ERRORs ${JSON.stringify(Object.fromEntries(stats.errors))}`,
    );
    trap.assertNone();
    assert.ok(stats.frames >= FRAMES, `${stats.frames} frames sent`);
    assert.ok(health.checks >= Math.floor(FRAMES / HEALTH_EVERY), `${health.checks} health checks`);
    assert.ok((stats.aborts.get('wamp.error.protocol_violation') ?? 0) > 0);
    assert.ok(stats.preJoin > 0, 'pre-join attacks were tried');
    assert.ok((stats.errors.get('wamp.error.invalid_argument') ?? 0) > 0, 'nesting refused with ERROR');
    assert.equal(
      warnings.filter((w) => /internal error/.test(w)).length,
      0,
      warnings
        .filter((w) => /internal error/.test(w))
        .slice(0, 3)
        .join('\n'),
    );
    // Every fuzz session is gone from the router once its connection closed.
    await new Promise((r) => setImmediate(r));
    assert.ok(router.sessionCount <= 1, `${router.sessionCount} sessions left`);
  });
});
