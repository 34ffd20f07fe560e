// Opens a network transport for a ws://, wss://, rs://, rss://, http:// or https:// URL; the connection errors of
// the transports layer (plain Errors) become WampErrors here, at the client's edge.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SerializerId } from '../serializers';
import { connectTransport } from '../transports/connect';
import type { Transport } from '../transports/transport';
import { ErrorUri, WampError } from '../wamp/errors';

export interface UrlTransportOptions {
  url: string;
  serializer: SerializerId;
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  keepaliveMs?: number;
}

export async function connectUrl(options: UrlTransportOptions): Promise<Transport> {
  try {
    return await connectTransport(options);
  } catch (e) {
    throw new WampError(ErrorUri.CONNECTION_LOST, [e instanceof Error ? e.message : String(e)]);
  }
}
