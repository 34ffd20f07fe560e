// This project's embedded router behind its one-port listener (WebSocket at /ws and RawSocket
// on the same port).
import { Router } from '../../src/router';
import { listen } from '../../src/transports';
import type { RunningTarget } from './target';

export async function start(): Promise<RunningTarget> {
  // Room for the 10,000-session scale run and its publisher.
  const router = new Router({ realms: [{ name: 'bench', anonymous: true }], maxSessions: 20_000 });
  const listener = await listen({ host: '127.0.0.1', port: 0, serializers: ['json', 'msgpack'] }, (t) =>
    router.accept(t),
  );
  return {
    wsUrl: listener.url,
    rawPort: listener.port,
    codecs: ['json', 'msgpack'],
    close: async () => {
      await router.close();
      await listener.close();
    },
  };
}
