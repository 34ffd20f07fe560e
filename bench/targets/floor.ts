// The floor as a target: WebSocket and RawSocket (own port), JSON, MessagePack and CBOR.
import { startFloor } from '../floor';
import type { RunningTarget } from './target';

export async function start(): Promise<RunningTarget> {
  const floor = await startFloor();
  return {
    wsUrl: `ws://127.0.0.1:${floor.port}/`,
    rawPort: floor.rawPort,
    codecs: ['json', 'msgpack', 'cbor'],
    close: () => floor.close(),
  };
}
