// The wamp-connection config node's state (SharedConnection) driven directly, without a Node-RED
// runtime: user nodes are plain records of what they were shown, the router runs in-process.
import assert from 'node:assert/strict';
import type { Built } from '../../nodes/shared/connection-config';
import type { NodeStatus } from '../../nodes/shared/red-types';
import {
  type ConnectionHost,
  type ConnectionUserView,
  SharedConnection,
} from '../../nodes/shared/shared-connection';
import { Router } from '../../src/router';

/** A user node: what it was shown, how often it lost its session, and its own state. */
class User implements ConnectionUserView {
  readonly shown: NodeStatus[] = [];
  lost = 0;
  own: NodeStatus | undefined;
  refused: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly type = 'wamp-call',
    readonly name = '',
  ) {}

  status(s: NodeStatus | string): void {
    this.shown.push(typeof s === 'string' ? { text: s } : s);
    for (const w of this.waiters.splice(0)) w();
  }
  wampLost(): void {
    this.lost++;
  }
  ownStatus(): NodeStatus | undefined {
    return this.own;
  }
  refusals(): string[] {
    return this.refused;
  }
  get now(): NodeStatus | undefined {
    return this.shown[this.shown.length - 1];
  }
  /** Resolves once the status shown satisfies `pred` (now or later). */
  async until(pred: (s: NodeStatus) => boolean): Promise<NodeStatus> {
    for (;;) {
      const s = this.now;
      if (s && pred(s)) return s;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

const text = (t: string) => (s: NodeStatus) => s.text === t;
const CONNECTED = text('wamp-connection.status.connected');
const DISCONNECTED = text('wamp-connection.status.disconnected');

/** The node's log: catalogue keys with their values, so that tests read what was said. */
class Host implements ConnectionHost {
  readonly lines: Array<{ level: 'log' | 'warn' | 'error'; text: string }> = [];
  _(key: string, substitutions?: Record<string, unknown>): string {
    return substitutions ? `${key} ${JSON.stringify(substitutions)}` : key;
  }
  log(text: string): void {
    this.lines.push({ level: 'log', text });
  }
  warn(text: string): void {
    this.lines.push({ level: 'warn', text });
  }
  error(text: string): void {
    this.lines.push({ level: 'error', text });
  }
  endpoint(): string {
    return 'the test router';
  }
  said(key: string): Array<{ level: string; text: string }> {
    return this.lines.filter((l) => l.text.startsWith(key));
  }
}

describe('wamp-connection state, without Node-RED (SharedConnection)', () => {
  let router: Router;
  let host: Host;
  let shared: SharedConnection | undefined;
  /** While set, every connection attempt fails (the router is unreachable). */
  let down = false;

  function built(realm = 'realm1'): Built {
    return {
      options: {
        realm,
        transportFactory: () => (down ? Promise.reject(new Error('router down')) : router.connectLocal()),
        reconnect: { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 },
      },
      endpoint: 'local router',
      urlCount: 0,
    };
  }

  function make(settings: Partial<ConstructorParameters<typeof SharedConnection>[0]> = {}): SharedConnection {
    shared = new SharedConnection({ built: built(), realm: 'realm1', autoConnect: true, ...settings }, host);
    return shared;
  }

  beforeEach(() => {
    router = new Router({ realms: [{ name: 'realm1' }] });
    host = new Host();
    down = false;
  });
  afterEach(async () => {
    await shared?.close();
    shared = undefined;
    await router.close();
  });

  describe('register / deregister (the MQTT broker node contract)', () => {
    it('the first user opens the session: every user shows connecting (yellow ring), then connected (green dot)', async () => {
      const c = make();
      const a = new User('a');
      const b = new User('b', 'wamp-subscribe');
      c.register(a);
      c.register(b);
      await Promise.all([a.until(CONNECTED), b.until(CONNECTED)]);
      assert.ok(a.shown.some((s) => s.fill === 'yellow' && s.shape === 'ring'));
      assert.deepEqual(a.now, { fill: 'green', shape: 'dot', text: 'wamp-connection.status.connected' });
      assert.equal(c.connected, true);
      assert.equal(host.said('wamp-connection.log.connected').length, 1, 'one line when connected');
      assert.equal(router.sessionCount, 1, 'one session shared by both users');
    });

    it('the last user leaving closes the session and logs it; an earlier one leaving does not', async () => {
      const c = make();
      const a = new User('a');
      const b = new User('b');
      c.register(a);
      c.register(b);
      await b.until(CONNECTED);
      await new Promise<void>((r) => c.deregister(a, r));
      assert.equal(c.connected, true);
      assert.equal(router.sessionCount, 1);
      await new Promise<void>((r) => c.deregister(b, r));
      assert.equal(c.connected, false);
      assert.equal(host.said('wamp-connection.log.closed').length, 1);
      assert.equal(c.detail().users, 0);
    });

    it('with auto-connect off, a user does not open it; a request does', async () => {
      const c = make({ autoConnect: false });
      const a = new User('a');
      c.register(a);
      assert.deepEqual(a.now, { fill: 'red', shape: 'ring', text: 'wamp-connection.status.disconnected' });
      const conn = await c.ready();
      await conn.connected(10_000);
      await a.until(CONNECTED);
    });
  });

  describe("a user's own state", () => {
    it('shows while connected (e.g. "registered"), the connection\'s state otherwise', async () => {
      const c = make();
      const a = new User('a', 'wamp-register');
      c.register(a);
      await a.until(CONNECTED);
      a.own = { fill: 'green', shape: 'dot', text: 'wamp-register.status.registered' };
      c.refresh(a);
      assert.deepEqual(a.now, a.own);
      await c.disconnect();
      await a.until(DISCONNECTED);
      assert.equal(a.lost, 1, 'told once that the session is gone');
    });
  });

  describe('msg.action "disconnect" / "connect"', () => {
    it('disconnect keeps the session closed for every user, even for requests, until connect', async () => {
      const c = make();
      const a = new User('a');
      c.register(a);
      await a.until(CONNECTED);
      await c.disconnect();
      assert.equal(c.connected, false);
      const conn = await c.ready();
      assert.equal(conn.status.state, 'closed', 'a request does not reopen a held connection');
      await assert.rejects(conn.call('wamp.session.count'), { uri: 'wamp.error.connection_lost' });
      c.register(new User('late'));
      assert.equal(conn.status.state, 'closed', 'nor does a new user');
      await c.connect();
      await a.until(CONNECTED);
      assert.deepEqual((await conn.call('wamp.session.count')).args, [1]);
    });
  });

  describe('outages: statuses and the log', () => {
    it('a lost router: users lose their session and show the retry; one warning per outage, none per retry', async () => {
      const c = make();
      const a = new User('a');
      c.register(a);
      await a.until(CONNECTED);
      down = true;
      await router.close();
      router = new Router({ realms: [{ name: 'realm1' }] });
      const retrying = (s: NodeStatus) => s.text?.startsWith('wamp-connection.status.retrying') === true;
      await a.until((s) => s.fill === 'red' && s.shape === 'ring' && retrying(s));
      assert.equal(a.lost, 1);
      // Several attempts fail while the router is away.
      while (a.shown.filter(retrying).length < 3)
        await a.until((s) => !retrying(s)).then(() => a.until(retrying));
      down = false;
      await a.until(CONNECTED);
      assert.equal(host.said('wamp-connection.log.lost').length, 1, 'one warning for the outage');
      assert.equal(host.said('wamp-connection.log.unreachable').length, 0);
      assert.equal(host.said('wamp-connection.log.connected').length, 2);
    });

    it('a refused join shows a red dot naming the cause (no such realm)', async () => {
      const c = make({ built: built('no.such.realm'), realm: 'no.such.realm' });
      const a = new User('a');
      c.register(a);
      const s = await a.until((x) => x.shape === 'dot' && x.fill === 'red');
      assert.equal(s.text, 'wamp-connection.status.no-realm');
      assert.equal(c.detail().state, 'failed');
      assert.equal(host.said('wamp-connection.errors.failed').length, 1);
    });
  });

  describe('a wrong form', () => {
    it('shows a red dot "config error", logs it once, opens nothing, and says why when asked', async () => {
      const c = make({ built: { error: 'no realm is set' } });
      const a = new User('a');
      c.register(a);
      assert.deepEqual(a.now, { fill: 'red', shape: 'dot', text: 'wamp-connection.status.config-error' });
      assert.equal(host.said('wamp-connection.errors.bad-config').length, 1);
      assert.throws(() => c.connection(), /no realm is set/);
      await assert.rejects(c.ready(), /no realm is set/);
      const d = c.detail();
      assert.equal(d.state, 'config-error');
      assert.equal(d.reason, 'no realm is set');
      assert.equal(router.sessionCount, 0);
    });
  });

  describe("detail (the editor's view)", () => {
    it('names the session, the users and what the router refused each of them', async () => {
      const c = make();
      const a = new User('a', 'wamp-register', 'echo');
      a.refused = ['com.example.echo: wamp.error.procedure_already_exists'];
      c.register(a);
      await a.until(CONNECTED);
      const d = c.detail();
      assert.equal(d.state, 'connected');
      assert.equal(d.realm, 'realm1');
      assert.equal(d.endpoint, 'the test router');
      assert.equal(typeof d.sessionId, 'number');
      assert.equal(d.users, 1);
      assert.deepEqual(d.refused, [{ node: 'a', name: 'echo', type: 'wamp-register', error: a.refused[0] }]);
    });
  });
});
