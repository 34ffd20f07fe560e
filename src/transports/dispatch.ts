// The part of the transport contract shared by the socket transports: events that arrive
// before `attach` are held, and `onClose` is delivered exactly once, after everything received.
import type { CloseInfo, TransportHandlers } from './transport';

type Held = { message: unknown } | { decodeError: string };

export class Dispatch {
  private handlers: TransportHandlers | null = null;
  private held: Held[] = [];
  private closeInfo: CloseInfo | null = null;

  get closed(): boolean {
    return this.closeInfo !== null;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const held = this.held;
    this.held = [];
    for (const h of held) {
      if ('message' in h) handlers.onMessage(h.message);
      else handlers.onDecodeError(h.decodeError);
    }
    const info = this.closeInfo;
    if (info) queueMicrotask(() => handlers.onClose(info));
  }

  message(value: unknown): void {
    if (this.closeInfo) return;
    if (this.handlers) this.handlers.onMessage(value);
    else this.held.push({ message: value });
  }

  decodeError(error: string): void {
    if (this.closeInfo) return;
    if (this.handlers) this.handlers.onDecodeError(error);
    else this.held.push({ decodeError: error });
  }

  close(info: CloseInfo): void {
    if (this.closeInfo) return;
    this.closeInfo = info;
    this.handlers?.onClose(info);
  }
}
