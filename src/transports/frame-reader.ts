// Reads the common case of incoming WebSocket traffic ourselves: whole, unfragmented text or
// binary frames that a socket chunk holds entirely. `ws` would parse each through a Writable
// stream, a few buffer views per frame and an event: profiled, a tenth of the CPU of an RPC flow
// over WebSocket. Everything else (control frames, fragments, frames cut across chunks, 64-bit
// lengths, anything `ws` must refuse) is handed to `ws`'s own receiver, unchanged and in order,
// so its checks, close handshake and error codes apply as before.
import { isUtf8 } from 'node:buffer';
import type net from 'node:net';

/** The parts of `ws`'s private receiver this reads (stable in ws 8: `_state`, `_bufferedBytes`, ...). */
export interface WsReceiver {
  _maxPayload?: number;
  _state?: number;
  _bufferedBytes?: number;
  _fragmented?: number;
  _errored?: boolean;
  readonly writableLength?: number;
  write(chunk: Buffer): boolean;
  prependListener(event: 'conclude' | 'error', listener: () => void): unknown;
}

/** `ws`'s receiver state between frames (GET_INFO). */
const BETWEEN_FRAMES = 0;

function unmask(
  buf: Buffer,
  at: number,
  length: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
): void {
  const end = at + length;
  let i = at;
  for (; i + 3 < end; i += 4) {
    buf[i] ^= k0;
    buf[i + 1] ^= k1;
    buf[i + 2] ^= k2;
    buf[i + 3] ^= k3;
  }
  if (i < end) buf[i++] ^= k0;
  if (i < end) buf[i++] ^= k1;
  if (i < end) buf[i] ^= k2;
}

/**
 * Takes `ws`'s place as the socket's `data` listener. Returns false (and changes nothing) when
 * `ws`'s listener or receiver is not where it has been for years: `ws` then reads as before.
 *
 * @param server whether this is the server's end (frames from a client must be masked, and
 *   frames from a server must not be; `ws` fails the connection otherwise).
 * @param deliver takes one whole message's payload (a view into the chunk).
 */
export function readDataFramesFirst(
  socket: net.Socket,
  receiver: WsReceiver | undefined,
  server: boolean,
  deliver: (data: Buffer) => void,
): boolean {
  if (!receiver || typeof receiver.write !== 'function' || receiver._state === undefined) return false;
  const wsListener = socket.listeners('data').find((l) => l.name === 'socketOnData');
  if (!wsListener) return false;
  // Once `ws` has read a close frame or failed the connection it stops reading (it removes its
  // listener); so do we.
  let stopped = false;
  receiver.prependListener('conclude', () => (stopped = true));
  receiver.prependListener('error', () => (stopped = true));

  const toWs = (chunk: Buffer): void => {
    if (!receiver.write(chunk)) socket.pause();
  };
  const idle = (): boolean =>
    receiver._state === BETWEEN_FRAMES &&
    receiver._bufferedBytes === 0 &&
    receiver._fragmented === 0 &&
    receiver._errored !== true &&
    (receiver.writableLength ?? 0) === 0;

  const onData = (chunk: Buffer): void => {
    if (stopped) return;
    let p = 0;
    if (idle()) {
      const n = chunk.length;
      while (p + 2 <= n) {
        const b0 = chunk[p];
        // FIN, no RSV bits (no extension is in use), text or binary.
        if (b0 !== 0x81 && b0 !== 0x82) break;
        const b1 = chunk[p + 1];
        if ((b1 & 0x80) !== (server ? 0x80 : 0)) break;
        let length = b1 & 0x7f;
        let at = p + 2;
        if (length === 126) {
          if (at + 2 > n) break;
          length = (chunk[at] << 8) | chunk[at + 1];
          at += 2;
        } else if (length === 127) break;
        const max = receiver._maxPayload ?? 0;
        if (max > 0 && length > max) break;
        const keyAt = at;
        if (server) at += 4;
        if (at + length > n) break;
        if (server) {
          unmask(chunk, at, length, chunk[keyAt], chunk[keyAt + 1], chunk[keyAt + 2], chunk[keyAt + 3]);
        }
        const data = chunk.subarray(at, at + length);
        if (b0 === 0x81 && !isUtf8(data)) {
          // `ws` refuses it (1007): give it the frame back as it came.
          if (server)
            unmask(chunk, at, length, chunk[keyAt], chunk[keyAt + 1], chunk[keyAt + 2], chunk[keyAt + 3]);
          break;
        }
        p = at + length;
        deliver(data);
        if (stopped) return;
      }
    }
    if (p < chunk.length) toWs(p === 0 ? chunk : chunk.subarray(p));
  };

  socket.removeListener('data', wsListener as (chunk: Buffer) => void);
  socket.on('data', onData);
  return true;
}
