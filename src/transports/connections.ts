// The connections a server side owns, so that closing it closes them all: open transports are
// closed gracefully, sockets still handshaking (or plain HTTP) are cut, and whatever lingers
// past a grace period is destroyed.
import type { Duplex } from 'node:stream';
import type { Transport } from './transport';

const noop = (): void => {};

export class ConnectionTracker {
  private readonly sockets = new Map<Duplex, Transport | null>();

  get size(): number {
    return this.sockets.size;
  }

  add(socket: Duplex): void {
    if (this.sockets.has(socket)) return;
    this.sockets.set(socket, null);
    // An unhandled 'error' would crash the process; the owner of the socket learns of the
    // failure from 'close'.
    socket.on('error', noop);
    socket.once('close', () => this.sockets.delete(socket));
  }

  bind(socket: Duplex, transport: Transport): void {
    if (this.sockets.has(socket)) this.sockets.set(socket, transport);
  }

  async closeAll(graceMs = 1000, code = 1001, reason = 'server shutdown'): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const [socket, transport] of this.sockets) {
      if (socket.closed) continue;
      pending.push(new Promise((resolve) => socket.once('close', () => resolve())));
      if (transport) transport.close(code, reason);
      else socket.destroy();
    }
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(pending), grace]);
    clearTimeout(timer);
    for (const socket of this.sockets.keys()) socket.destroy();
    await Promise.all(pending);
  }
}
