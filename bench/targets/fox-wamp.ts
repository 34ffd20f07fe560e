// fox-wamp, a Node WAMP router: WebSocket with JSON only (its transport refuses any other
// subprotocol). Realms are created on first HELLO.
import type { RunningTarget } from './target';

interface FoxRouter {
  listenWAMP(options: { host: string; port: number }): FoxServer;
  setLogTrace(trace: boolean): void;
}
interface FoxServer {
  once(event: 'listening', cb: () => void): void;
  address(): { port: number };
  clients: Set<{ terminate(): void }>;
  close(cb: () => void): void;
}

export async function start(): Promise<RunningTarget> {
  // require: untyped JavaScript package
  const Fox = require('fox-wamp') as new () => FoxRouter;
  const router = new Fox();
  router.setLogTrace(false);
  const server = router.listenWAMP({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    wsUrl: `ws://127.0.0.1:${server.address().port}/`,
    codecs: ['json'],
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
}
