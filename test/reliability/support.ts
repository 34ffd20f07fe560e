// Plumbing shared by the reliability tests: a trap for anything thrown out of the event loop,
// deadlines on promises, and a health probe that proves a router still routes.
import assert from 'node:assert/strict';
import { Connection } from '../../src/client';

/** Records uncaught exceptions and unhandled rejections while installed. */
export class CrashTrap {
  readonly errors: unknown[] = [];
  private readonly onError = (e: unknown): void => {
    this.errors.push(e);
  };

  install(): this {
    process.on('uncaughtException', this.onError);
    process.on('unhandledRejection', this.onError);
    return this;
  }

  uninstall(): void {
    process.off('uncaughtException', this.onError);
    process.off('unhandledRejection', this.onError);
  }

  assertNone(): void {
    assert.deepEqual(
      this.errors.map((e) => (e instanceof Error ? e.stack : String(e))),
      [],
    );
  }
}

/** `p`, or a rejection naming `what` after `ms`: nothing in these tests may hang silently. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves once `cond()` holds, polling; rejects after `ms`. For state with no event to await. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A client session with an echo procedure and a subscription, checked by one call + one event round trip. */
export class HealthProbe {
  checks = 0;
  private events: Array<(v: unknown) => void> = [];

  constructor(readonly conn: Connection) {}

  static async start(
    url: string,
    realm = 'realm1',
    procedure = 'health.echo',
    topic = 'health.tick',
  ): Promise<HealthProbe> {
    const conn = new Connection({ url, realm, reconnect: { enabled: false } });
    const probe = new HealthProbe(conn);
    conn.open();
    await conn.register(procedure, (inv) => inv.args[0]);
    await conn.subscribe(topic, (e) => {
      const w = probe.events.shift();
      if (w) w(e.args[0]);
    });
    probe.procedure = procedure;
    probe.topic = topic;
    return probe;
  }

  private procedure = 'health.echo';
  private topic = 'health.tick';

  async check(ms = 3000): Promise<void> {
    const n = ++this.checks;
    const result = await within(this.conn.call(this.procedure, [n]), ms, `health call #${n}`);
    assert.equal(result.args[0], n);
    const event = new Promise((resolve) => this.events.push(resolve));
    await within(
      this.conn.publish(this.topic, [n], undefined, { acknowledge: true, exclude_me: false }),
      ms,
      `health publish #${n}`,
    );
    assert.equal(await within(event, ms, `health event #${n}`), n);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
