export type { CloseInfo, Transport, TransportHandlers, TransportInfo } from './transport';
export { createLocalPair } from './local';
export {
  listen,
  attachToHttpServer,
  type AttachOptions,
  type ListenOptions,
  type Listener,
} from './listener';
export { connectTransport, type ConnectOptions } from './connect';
export { createWebSocketTransport, type WebSocketTransportOptions } from './websocket';
export { acceptRawSocket, openRawSocket, RawSocketTransport } from './rawsocket';
export type { LongPollOptions } from './longpoll-endpoint';
