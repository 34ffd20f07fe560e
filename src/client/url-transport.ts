// Opens a network transport for a ws://, wss://, rs://, rss://, http:// or https:// URL; the connection errors of
// the transports layer (plain Errors) become WampErrors here, at the client's edge.
import { connectTransport, type ConnectOptions } from '../transports/connect';
import type { Transport } from '../transports/transport';
import { ErrorUri, toWampError } from '../wamp/errors';

export type UrlTransportOptions = ConnectOptions;

export async function connectUrl(options: UrlTransportOptions): Promise<Transport> {
  try {
    return await connectTransport(options);
  } catch (e) {
    throw toWampError(e, ErrorUri.CONNECTION_LOST);
  }
}
