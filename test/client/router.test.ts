// The client against the project's own embedded router: in-process (connectLocal) and over
// the network (ws://, rs://) with every serializer, every feature, each auth method.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import { Connection, type ConnectionOptions, type ConnectionStatus } from '../../src/client/connection';
import { Result, type EventInfo } from '../../src/client/types';
import { Router } from '../../src/router';
import { authenticatorsFor } from '../../src/router/auth';
import type { RealmConfig } from '../../src/router/config';
import { listen, type Listener } from '../../src/transports/listener';
import { publicKeyHexOf } from '../../src/wamp/auth/cryptosign';
import { WampError } from '../../src/wamp/errors';

const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
const OTHER_SEED = '1'.repeat(64);

const REALMS: RealmConfig[] = [
  { name: 'realm1' },
  {
    name: 'secure',
    anonymous: false,
    users: [
      { authid: 'tim', role: 'user', ticket: 'tick3t' },
      { authid: 'cra', role: 'user', secret: 'cr4' },
      { authid: 'salty', role: 'user', secret: 's4lt', salt: 'pepper', iterations: 100, keylen: 32 },
      { authid: 'dev', role: 'device', pubkey: publicKeyHexOf(SEED) },
    ],
  },
];

let routers: Router[] = [];
let listeners: Listener[] = [];
let conns: Connection[] = [];

function router(): Router {
  const r = new Router({ realms: REALMS, authenticators: authenticatorsFor });
  routers.push(r);
  return r;
}

function waitStatus(c: Connection, pred: (s: ConnectionStatus) => boolean): Promise<ConnectionStatus> {
  if (pred(c.status)) return Promise.resolve(c.status);
  return new Promise((resolve) => {
    const on = (s: ConnectionStatus) => {
      if (pred(s)) {
        c.off('status', on);
        resolve(s);
      }
    };
    c.on('status', on);
  });
}

/** Opens a connection and waits until it is connected or has failed. */
async function open(
  options: Partial<ConnectionOptions> & { realm?: string },
  r?: Router,
): Promise<Connection> {
  const rt = r ?? routers[0] ?? router();
  const c = new Connection({
    realm: 'realm1',
    transportFactory: () => rt.connectLocal(),
    ...options,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, onFatal: 'stop', ...options.reconnect },
  });
  conns.push(c);
  c.open();
  await waitStatus(c, (s) => s.state === 'connected' || s.state === 'failed');
  return c;
}

afterEach(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await Promise.all(listeners.map((l) => l.close()));
  await Promise.all(routers.map((r) => r.close()));
  conns = [];
  listeners = [];
  routers = [];
});

describe('client against the embedded router: RPC', () => {
  it('call, register, kwargs, Result, errors and pattern registrations', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
    await callee.register('com.kw', (inv) => new Result(['ok'], { got: inv.kwargs }));
    await callee.register('com.fail', () => {
      throw new WampError('com.error.nope', ['no'], { why: 1 });
    });
    await callee.register('com.pat.', (inv) => inv.procedure, { match: 'prefix' });
    assert.deepEqual((await caller.call('com.add', [2, 3])).args, [5]);
    assert.deepEqual(await caller.call('com.kw', [], { a: 1 }), {
      args: ['ok'],
      kwargs: { got: { a: 1 } },
      details: {},
    });
    await assert.rejects(
      caller.call('com.fail'),
      (e: WampError) => e.uri === 'com.error.nope' && e.kwargs.why === 1,
    );
    assert.deepEqual((await caller.call('com.pat.deep.name')).args, ['com.pat.deep.name']);
    await assert.rejects(caller.call('com.none'), (e: WampError) => e.uri === 'wamp.error.no_such_procedure');
  });

  it('caller identification reaches the callee with disclose_me', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.who', (inv) => inv.details.caller);
    const r = await caller.call('com.who', [], {}, { disclose_me: true });
    assert.equal(r.args[0], caller.session?.id);
  });

  it('progressive results: each progress() reaches onProgress, the return value resolves the call', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.count', (inv) => {
      for (let i = 1; i <= 3; i++) inv.progress([i]);
      return 'done';
    });
    const seen: unknown[] = [];
    const r = await caller.call('com.count', [], {}, { onProgress: (p) => seen.push(p.args[0]) });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(r.args, ['done']);
  });

  it('cancel: the caller aborts, the callee handler sees INTERRUPT on its signal, the call rejects with wamp.error.canceled', async () => {
    const callee = await open({});
    const caller = await open({});
    let started: () => void = () => undefined;
    const running = new Promise<void>((r) => (started = r));
    let interrupted: unknown;
    await callee.register(
      'com.slow',
      (inv) =>
        new Promise((resolve) => {
          started();
          inv.signal.addEventListener('abort', () => {
            interrupted = inv.signal.reason;
            resolve('late');
          });
        }),
    );
    const ac = new AbortController();
    const call = caller.call('com.slow', [], {}, { signal: ac.signal });
    await running;
    ac.abort();
    await assert.rejects(call, (e: WampError) => e.uri === 'wamp.error.canceled');
    assert.equal(interrupted, 'kill');
  });

  it('cancel without an AbortController: the cancel function handed to options.cancelable does the same', async () => {
    const callee = await open({});
    const caller = await open({});
    let interrupted: unknown;
    let onInterrupt: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => (onInterrupt = resolve));
    await callee.register(
      'com.slow2',
      (inv) =>
        new Promise((done) => {
          inv.onAbort((mode) => {
            interrupted = mode;
            done('late');
            onInterrupt();
          });
        }),
    );
    let cancel: (() => void) | undefined;
    const call = caller.call('com.slow2', [], {}, { cancelable: (c) => (cancel = c) });
    assert.equal(typeof cancel, 'function', 'handed over once the CALL is sent');
    cancel!();
    await assert.rejects(call, (e: WampError) => e.uri === 'wamp.error.canceled');
    await aborted;
    assert.equal(interrupted, 'kill');
  });

  it("an invocation's abort listeners: each once with the mode, not one unsubscribed, a late one at once; a signal asked for afterwards is aborted", async () => {
    const callee = await open({});
    const caller = await open({});
    const heard: string[] = [];
    let after: AbortSignal | undefined;
    let settled: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (settled = resolve));
    await callee.register(
      'com.slow3',
      (inv) =>
        new Promise((resolve) => {
          inv.onAbort((m) => heard.push(`a:${m}`));
          const off = inv.onAbort((m) => heard.push(`b:${m}`));
          inv.onAbort((m) => {
            heard.push(`c:${m}`);
            after = inv.signal;
            inv.onAbort((late) => heard.push(`late:${late}`));
            resolve('late');
            settled();
          });
          off();
        }),
    );
    let cancel: (() => void) | undefined;
    const call = caller.call('com.slow3', [], {}, { cancelable: (c) => (cancel = c) });
    cancel!();
    await assert.rejects(call, (e: WampError) => e.uri === 'wamp.error.canceled');
    await finished;
    assert.deepEqual(heard, ['a:kill', 'c:kill', 'late:kill']);
    assert.equal(after?.aborted, true);
    assert.equal(after?.reason, 'kill');
  });

  it('a handler may answer with a plain value, nothing, or a synchronous throw', async () => {
    const callee = await open({});
    const caller = await open({});
    await callee.register('com.plain', () => 42);
    await callee.register('com.nothing', () => undefined);
    await callee.register('com.throws', () => {
      throw new Error('boom');
    });
    assert.deepEqual((await caller.call('com.plain')).args, [42]);
    assert.deepEqual((await caller.call('com.nothing')).args, []);
    await assert.rejects(
      caller.call('com.throws'),
      (e: WampError) => e.uri === 'wamp.error.runtime_error' && e.args[0] === 'boom',
    );
  });

  it('timeout: a call over its timeout rejects with wamp.error.timeout (or canceled) and the callee is interrupted', async () => {
    const callee = await open({});
    const caller = await open({});
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => (onAbort = resolve));
    await callee.register(
      'com.never',
      (inv) => new Promise(() => inv.signal.addEventListener('abort', () => onAbort())),
    );
    await assert.rejects(caller.call('com.never', [], {}, { timeout: 30 }), (e: WampError) =>
      ['wamp.error.timeout', 'wamp.error.canceled'].includes(e.uri),
    );
    await aborted;
  });
});

describe('client against the embedded router: PubSub', () => {
  it('publish with acknowledge reaches subscribers (exact and wildcard), not the publisher unless exclude_me is false', async () => {
    const sub = await open({});
    const pub = await open({});
    const exact: EventInfo[] = [];
    const wild: EventInfo[] = [];
    const own: EventInfo[] = [];
    await sub.subscribe('com.news.sport', (e) => exact.push(e));
    await sub.subscribe('com..sport', (e) => wild.push(e), { match: 'wildcard' });
    await pub.subscribe('com.news.sport', (e) => own.push(e));
    const ack = await pub.publish('com.news.sport', ['goal'], { score: 1 }, { acknowledge: true });
    assert.equal(typeof ack.publicationId, 'number');
    await pub.publish('com.news.sport', ['again'], {}, { acknowledge: true, exclude_me: false });
    await sub.call('wamp.none').catch(() => undefined); // a round trip: events came before its answer
    assert.deepEqual(
      exact.map((e) => e.args[0]),
      ['goal', 'again'],
    );
    assert.deepEqual(exact[0].kwargs, { score: 1 });
    assert.equal(exact[0].publicationId, ack.publicationId);
    assert.deepEqual(
      wild.map((e) => e.topic),
      ['com.news.sport', 'com.news.sport'],
    );
    await pub.call('wamp.none').catch(() => undefined);
    assert.deepEqual(
      own.map((e) => e.args[0]),
      ['again'],
    );
  });

  it('two subscribe() calls for one topic share one subscription id and both handlers receive', async () => {
    const sub = await open({});
    const pub = await open({});
    const a: unknown[] = [];
    const b: unknown[] = [];
    const [sa, sb] = await Promise.all([
      sub.subscribe('com.t', (e) => a.push(e.args[0])),
      sub.subscribe('com.t', (e) => b.push(e.args[0])),
    ]);
    assert.equal(sa.id, sb.id);
    await pub.publish('com.t', [1], {}, { acknowledge: true });
    await sa.unsubscribe();
    await pub.publish('com.t', [2], {}, { acknowledge: true });
    await sub.call('wamp.none').catch(() => undefined);
    assert.deepEqual(a, [1]);
    assert.deepEqual(b, [1, 2]);
  });
});

describe('client against the embedded router: sessions', () => {
  it('router close sends GOODBYE; the client answers, reconnects to a new router and restores its registration and subscription', async () => {
    let current = router();
    const c = new Connection({
      realm: 'realm1',
      transportFactory: () => current.connectLocal(),
      reconnect: { initialDelayMs: 10, jitter: 0 },
    });
    conns.push(c);
    c.open();
    await waitStatus(c, (s) => s.state === 'connected');
    const events: unknown[] = [];
    await c.register('com.echo', (inv) => inv.args[0]);
    await c.subscribe('com.t', (e) => events.push(e.args[0]));
    const down = waitStatus(c, (s) => s.state === 'disconnected');
    const old = current;
    current = router();
    await old.close();
    const d = await down;
    assert.equal(d.state === 'disconnected' && d.reason, 'wamp.close.system_shutdown');
    await waitStatus(c, (s) => s.state === 'connected');
    const other = await open({}, current);
    assert.deepEqual((await other.call('com.echo', ['x'])).args, ['x']);
    await other.publish('com.t', ['y'], {}, { acknowledge: true });
    await c.call('com.echo', ['sync']);
    assert.deepEqual(events, ['y']);
  });

  it('an unknown realm fails with wamp.error.no_such_realm', async () => {
    const c = await open({ realm: 'nowhere' });
    const s = c.status;
    assert.equal(s.state, 'failed');
    assert.equal(s.state === 'failed' && s.error?.uri, 'wamp.error.no_such_realm');
  });
});

describe('client against the embedded router: authentication', () => {
  const right: Array<[string, Partial<ConnectionOptions>, string]> = [
    ['ticket', { authid: 'tim', ticket: 'tick3t' }, 'ticket'],
    ['wampcra', { authid: 'cra', secret: 'cr4' }, 'wampcra'],
    ['salted wampcra', { authid: 'salty', secret: 's4lt' }, 'wampcra'],
    ['cryptosign', { authid: 'dev', privateKey: SEED }, 'cryptosign'],
    ['cryptosign without authid (found by public key)', { privateKey: SEED }, 'cryptosign'],
  ];
  for (const [name, creds, method] of right) {
    it(`${name} with the right credentials joins with that authmethod`, async () => {
      const c = await open({ realm: 'secure', ...creds });
      assert.equal(c.status.state, 'connected', JSON.stringify(c.status));
      assert.equal(c.session?.details.authmethod, method);
    });
  }

  const wrong: Array<[string, Partial<ConnectionOptions>]> = [
    ['ticket', { authid: 'tim', ticket: 'nope' }],
    ['wampcra', { authid: 'cra', secret: 'nope' }],
    ['salted wampcra', { authid: 'salty', secret: 'nope' }],
    ['cryptosign', { authid: 'dev', privateKey: OTHER_SEED }],
  ];
  for (const [name, creds] of wrong) {
    it(`${name} with wrong credentials fails with a fatal ABORT and stops (onFatal 'stop')`, async () => {
      const c = await open({ realm: 'secure', ...creds });
      const s = c.status;
      assert.equal(s.state, 'failed');
      assert.ok(
        s.state === 'failed' &&
          [
            'wamp.error.authentication_failed',
            'wamp.error.not_authorized',
            'wamp.error.no_matching_auth_method',
          ].includes(s.error?.uri ?? ''),
        JSON.stringify(s),
      );
    });
  }

  it('anonymous on a realm without anonymous access fails', async () => {
    const c = await open({ realm: 'secure' });
    assert.equal(c.status.state, 'failed');
  });
});

describe('client against the embedded router over the network', () => {
  for (const [scheme, serializer] of [
    ['ws', 'json'],
    ['ws', 'msgpack'],
    ['ws', 'cbor'],
    ['rs', 'json'],
    ['rs', 'msgpack'],
    ['rs', 'cbor'],
  ] as const) {
    it(`${scheme}:// with ${serializer}: call, register, publish, subscribe`, async () => {
      const r = router();
      const l = await listen({ port: 0 }, (t) => r.accept(t));
      listeners.push(l);
      const url = scheme === 'ws' ? l.url : `rs://127.0.0.1:${l.port}`;
      const a = await open({ url, serializer, transportFactory: undefined }, r);
      const b = await open({ url, serializer, transportFactory: undefined }, r);
      assert.equal(a.status.state, 'connected', JSON.stringify(a.status));
      await a.register('com.echo', (inv) => new Result(inv.args, inv.kwargs));
      let deliver: (e: EventInfo) => void = () => undefined;
      const got = new Promise<EventInfo>((resolve) => (deliver = resolve));
      await a.subscribe('com.t', (e) => deliver(e));
      const bin = Buffer.from([0, 1, 2, 255]);
      const res = await b.call('com.echo', ['x', 1.5, bin], { k: [true, null] });
      assert.equal(res.args[0], 'x');
      assert.equal(res.args[1], 1.5);
      assert.deepEqual(Buffer.from(res.args[2] as Uint8Array), bin);
      assert.deepEqual(res.kwargs, { k: [true, null] });
      await b.publish('com.t', ['ev'], {}, { acknowledge: true });
      assert.deepEqual((await got).args, ['ev']);
    });
  }
});

describe('client: values a serializer cannot encode', () => {
  it('a call with a cyclic argument rejects with wamp.error.invalid_argument; a handler result that cannot be encoded reaches the caller as ERROR', async () => {
    const r = router();
    const l = await listen({ port: 0 }, (t) => r.accept(t));
    listeners.push(l);
    const a = await open({ url: l.url, transportFactory: undefined }, r);
    const b = await open({ url: l.url, transportFactory: undefined }, r);
    await a.register('com.bigint', () => BigInt(1));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(
      b.call('com.bigint', [cyclic]),
      (e: WampError) => e.uri === 'wamp.error.invalid_argument',
    );
    await assert.rejects(
      b.publish('com.t', [cyclic]),
      (e: WampError) => e.uri === 'wamp.error.invalid_argument',
    );
    await assert.rejects(b.call('com.bigint'), (e: WampError) => e.uri === 'wamp.error.invalid_argument');
    assert.equal(b.status.state, 'connected');
  });
});
