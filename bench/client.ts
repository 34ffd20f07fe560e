// Client libraries compared on the same router: our Connection (src/client) against
// Autobahn|JS, both in the load generator process, over WebSocket/JSON. The router is the floor
// by default so that the client's own cost dominates.
import { performance } from 'node:perf_hooks';
import { Connection, Result, type ConnectionStatus } from '../src/client';
import { REALM, type Timing } from './loadgen';

export const CLIENTS = ['autobahn', 'ours'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The little the benchmark needs from a client library. */
interface BenchClient {
  register(procedure: string, echo: (args: unknown[]) => unknown): Promise<void>;
  call(procedure: string, args: unknown[]): PromiseLike<unknown>;
  subscribe(topic: string, handler: () => void): Promise<void>;
  /** An acknowledged publish. */
  publish(topic: string, args: unknown[]): PromiseLike<unknown>;
  close(): Promise<void>;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timeout`)), ms))),
  ]).finally(() => clearTimeout(timer));
};

// Autobahn|JS (untyped CommonJS).
interface AbSession {
  register(p: string, fn: (args: unknown[]) => unknown): PromiseLike<unknown>;
  call(p: string, args: unknown[]): PromiseLike<unknown>;
  subscribe(t: string, fn: () => void): PromiseLike<unknown>;
  publish(t: string, args: unknown[], kwargs: object, options: object): PromiseLike<unknown>;
}
interface AbConnection {
  onopen: (s: AbSession) => void;
  onclose: (reason: string) => boolean;
  open(): void;
  close(): void;
}

async function autobahnClient(url: string): Promise<BenchClient> {
  // require: untyped JavaScript package
  const autobahn = require('autobahn') as { Connection: new (o: object) => AbConnection };
  const conn = new autobahn.Connection({ url, realm: REALM, max_retries: 0, retry_if_unreachable: false });
  let closed: () => void = () => {};
  const closedP = new Promise<void>((r) => (closed = r));
  const session = await withTimeout(
    new Promise<AbSession>((resolve, reject) => {
      conn.onopen = resolve;
      conn.onclose = (reason) => {
        reject(new Error(`autobahn closed: ${reason}`));
        closed();
        return true; // no retry
      };
      conn.open();
    }),
    5000,
    'autobahn connect',
  );
  return {
    register: async (p, echo) => void (await session.register(p, echo)),
    call: (p, args) => session.call(p, args),
    subscribe: async (t, h) => void (await session.subscribe(t, h)),
    publish: (t, args) => session.publish(t, args, {}, { acknowledge: true }),
    close: () => {
      conn.close();
      return withTimeout(closedP, 2000, 'autobahn close').catch(() => {});
    },
  };
}

async function ourClient(url: string): Promise<BenchClient> {
  const conn = new Connection({ url, realm: REALM, serializer: 'json' });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      conn.on('status', (s: ConnectionStatus) => {
        if (s.state === 'connected') resolve();
        else if (s.state === 'failed') reject(new Error(`our client failed: ${s.reason}`));
      });
      conn.open();
    }),
    5000,
    'our client connect',
  ).catch(async (e: unknown) => {
    await conn.close();
    throw e;
  });
  return {
    register: async (p, echo) => void (await conn.register(p, (inv) => new Result([echo(inv.args)]))),
    call: (p, args) => conn.call(p, args),
    subscribe: async (t, h) => void (await conn.subscribe(t, h)),
    publish: (t, args) => conn.publish(t, args, undefined, { acknowledge: true }),
    close: () => withTimeout(conn.close(), 2000, 'our client close').catch(() => {}),
  };
}

const FACTORIES: Record<ClientName, (url: string) => Promise<BenchClient>> = {
  autobahn: autobahnClient,
  ours: ourClient,
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type ClientScenario =
  | { name: string; kind: 'rpc'; window: number }
  | { name: string; kind: 'fanout'; window: number; subscribers: number };

export function clientScenarios(): ClientScenario[] {
  return [
    { name: 'client rpc-pipelined-64 ws/json', kind: 'rpc', window: 64 },
    { name: 'client fanout-10 ws/json', kind: 'fanout', window: 32, subscribers: 10 },
  ];
}

/** Calls/s or events/s (counted in the subscribers' handlers) of one client library. */
export async function runClientScenario(
  client: ClientName,
  url: string,
  s: ClientScenario,
  t: Timing,
): Promise<number> {
  const open: BenchClient[] = [];
  const connect = async (): Promise<BenchClient> => {
    const c = await FACTORIES[client](url);
    open.push(c);
    return c;
  };
  let running = true;
  let inFlight = 0;
  try {
    let count = 0;
    let start: () => void;
    if (s.kind === 'rpc') {
      const callee = await connect();
      await callee.register('bench.echo', (args) => args[0]);
      const caller = await connect();
      const loop = (): void => {
        inFlight++;
        caller.call('bench.echo', ['hello', 42]).then(
          () => {
            inFlight--;
            count++;
            if (running) loop();
          },
          () => inFlight--,
        );
      };
      start = () => {
        for (let i = 0; i < s.window; i++) loop();
      };
    } else {
      for (let i = 0; i < s.subscribers; i++) await (await connect()).subscribe('bench.topic', () => count++);
      const publisher = await connect();
      const loop = (): void => {
        inFlight++;
        publisher.publish('bench.topic', ['hello', 42]).then(
          () => {
            inFlight--;
            if (running) loop();
          },
          () => inFlight--,
        );
      };
      start = () => {
        for (let i = 0; i < s.window; i++) loop();
      };
    }
    start();
    await sleep(t.warmupMs);
    const before = count;
    const from = performance.now();
    await sleep(t.durationMs);
    const rate = ((count - before) * 1000) / (performance.now() - from);
    running = false;
    const end = performance.now() + 2000;
    while (inFlight > 0 && performance.now() < end) await sleep(5);
    return rate;
  } finally {
    running = false;
    await Promise.all(open.map((c) => c.close()));
  }
}
