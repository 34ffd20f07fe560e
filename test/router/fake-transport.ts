// A transport driven by the test: it records what the router sends, lets the test inject
// decode errors, pretend a backlog (bufferedAmount) or fail on send.
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from '../../src/transports/transport';

export class FakeTransport implements Transport {
  readonly info: TransportInfo = {
    type: 'websocket',
    serializer: 'json',
    secure: false,
    remoteAddress: '127.0.0.1',
    remotePort: 1,
  };
  readonly sent: unknown[][] = [];
  bufferedAmount = 0;
  failSend = false;
  private handlers: TransportHandlers | null = null;
  private open = true;
  readonly closed: Promise<CloseInfo>;
  private onClosed!: (info: CloseInfo) => void;

  constructor() {
    this.closed = new Promise((resolve) => (this.onClosed = resolve));
  }

  get isOpen(): boolean {
    return this.open;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  send(message: readonly unknown[]): void {
    if (this.failSend) throw new Error('socket exploded');
    if (this.open) this.sent.push([...message]);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    const info: CloseInfo = { reason: 'closed', local: true };
    queueMicrotask(() => {
      this.handlers?.onClose(info);
      this.onClosed(info);
    });
  }

  /** Delivers a value as if it had been received and decoded. */
  receive(value: unknown): void {
    this.handlers!.onMessage(value);
  }

  decodeError(text: string): void {
    this.handlers!.onDecodeError(text);
  }
}
