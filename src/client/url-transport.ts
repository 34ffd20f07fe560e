// Opens a network transport for a ws://, wss://, rs:// or rss:// URL. The transports layer
// (src/transports/connect.ts) is written on its own branch; it is loaded lazily so that the
// client builds and runs over in-process transports without it.
import type { ConnectionOptions as TlsOptions } from 'tls';
import { ErrorUri, WampError } from '../wamp/errors';
import type { SerializerId } from '../serializers';
import type { Transport } from '../transports/transport';

export interface UrlTransportOptions {
  url: string;
  serializer: SerializerId;
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  keepaliveMs?: number;
}

type ConnectFn = (o: UrlTransportOptions) => Promise<Transport>;

export async function connectUrl(options: UrlTransportOptions): Promise<Transport> {
  let connect: ConnectFn | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    connect = (require('../transports/connect') as { connectTransport?: ConnectFn }).connectTransport;
  } catch {
    connect = undefined;
  }
  if (!connect) throw new WampError(ErrorUri.FEATURE_NOT_SUPPORTED, ['network transports are not available in this build']);
  return connect(options);
}
