// This project's embedded router behind its one-port listener (WebSocket at /ws, RawSocket on
// the same port, HTTP long-poll under http://.../ws).
import { Router } from '../../src/router';
import { listen } from '../../src/transports';
import type { RunningTarget } from './target';

export async function start(): Promise<RunningTarget> {
  // Room for the 10,000-session scale run and its publisher.
  const router = new Router({ realms: [{ name: 'bench', anonymous: true }], maxSessions: 20_000 });
  const listener = await listen(
    { host: '127.0.0.1', port: 0, serializers: ['json', 'msgpack', 'cbor'] },
    (t) => router.accept(t),
  );
  return {
    wsUrl: listener.url,
    rawPort: listener.port,
    longPollUrl: listener.longPollUrl,
    codecs: ['json', 'msgpack', 'cbor'],
    close: async () => {
      await router.close();
      await listener.close();
    },
  };
}
