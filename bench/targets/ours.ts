// This project's embedded router behind its one-port listener (WebSocket at /ws and RawSocket).
// Loaded with require and local types so that the bench compiles while the router and the
// listener are still being written; the target reports itself unavailable until they exist.
import type { Codec } from '../wire';
import type { RunningTarget } from './target';

interface RouterLike {
  accept(transport: unknown): void;
  close(): Promise<void>;
}
interface ListenerLike {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}
interface RouterModule {
  Router: new (options?: { realms?: { name: string; anonymous?: boolean }[]; autoCreateRealms?: boolean }) => RouterLike;
}
interface ListenerModule {
  listen(options: { host?: string; port: number; path?: string }, onTransport: (t: unknown) => void): Promise<ListenerLike>;
}

export class TargetUnavailable extends Error {}

function load<T>(path: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional until it lands on main
    return require(path) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(path.slice(path.lastIndexOf('/') + 1))) {
      throw new TargetUnavailable(`${path} not built yet`);
    }
    throw e;
  }
}

export async function start(): Promise<RunningTarget> {
  const { Router } = load<RouterModule>('../../src/router/router');
  const { listen } = load<ListenerModule>('../../src/transports/listener');
  const router = new Router({ realms: [{ name: 'bench', anonymous: true }], autoCreateRealms: true });
  const listener = await listen({ host: '127.0.0.1', port: 0 }, (t) => router.accept(t));
  const codecs: Codec[] = ['json', 'msgpack'];
  return {
    wsUrl: listener.url,
    rawPort: listener.port,
    codecs,
    close: async () => {
      await router.close();
      await listener.close();
    },
  };
}
