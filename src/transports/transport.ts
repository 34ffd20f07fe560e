// What every transport gives the layer above: whole decoded messages in, messages out.
// Transports only move bytes and (de)serialize; they never interpret a message.
import type { SerializerId } from '../serializers';
import type { ChannelBinding } from './channel-binding';

export interface TransportInfo {
  type: 'websocket' | 'rawsocket' | 'longpoll' | 'local' | 'mqtt';
  /** `none` for the in-process transport, which passes messages without serializing. */
  serializer: SerializerId | 'none';
  secure: boolean;
  remoteAddress?: string;
  remotePort?: number;
}

export interface CloseInfo {
  /** Human-readable cause, e.g. `socket closed`, `max payload exceeded`, `ping timeout`. */
  reason: string;
  /** WebSocket close code where there is one. */
  code?: number;
  /** True when the close was asked for by this side. */
  local: boolean;
}

export interface TransportHandlers {
  /** A decoded but untrusted value: the receiver validates it with `parseMessage`. */
  onMessage(value: unknown): void;
  /** A frame that could not be decoded; the transport stays open, the receiver decides. */
  onDecodeError(error: string): void;
  /** Called exactly once, whichever side closed. */
  onClose(info: CloseInfo): void;
}

export interface Transport {
  readonly info: TransportInfo;
  /** Messages received before `attach` are held and delivered on attach. */
  attach(handlers: TransportHandlers): void;
  /** Sends one message; silently dropped once the transport is closing or closed. */
  send(message: readonly unknown[]): void;
  /** Closes the transport; `onClose` follows (asynchronously). Safe to call more than once. */
  close(code?: number, reason?: string): void;
  readonly isOpen: boolean;
  /**
   * Lowers the longest message accepted from the peer to `maxBytes` (undefined: back to what the
   * transport was opened with); a longer one fails the connection. The router holds peers to
   * small messages until they have joined. Transports without frames (in-process) ignore it.
   */
  limitIncoming?(maxBytes: number | undefined): void;
  /** Bytes queued but not yet written: lets the router detect a stalled consumer. */
  readonly bufferedAmount: number;
  /**
   * The TLS channel binding (channel-binding.ts), on a WebSocket or RawSocket over TLS; kept off
   * `info`, which is shown and published.
   */
  readonly channelBinding?: ChannelBinding;
}
