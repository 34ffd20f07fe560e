// A port of its own for MQTT (1883 by convention, 8883 with TLS): every connection on it is an
// MQTT client. The router's main port also takes MQTT, told apart by CONNECT's first octet; this
// one is for devices configured with the standard port.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectionTracker } from '../transports/connections';
import type { MqttAcceptor } from '../transports/listener';
import type { Transport } from '../transports/transport';

export interface MqttListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port; 1883 is MQTT's own. */
  port: number;
  /** Key, certificate, ...: the port then serves MQTT over TLS (mqtts://). */
  tls?: tls.SecureContextOptions & tls.TlsOptions;
}

export interface MqttListener {
  readonly port: number;
  /** e.g. `mqtt://127.0.0.1:1883`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function listenMqtt(
  options: MqttListenOptions,
  accept: MqttAcceptor,
  onTransport: (t: Transport) => void,
): Promise<MqttListener> {
  const host = options.host ?? '127.0.0.1';
  const secure = options.tls !== undefined;
  const tracker = new ConnectionTracker();
  let closing = false;
  const onSocket = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    tracker.add(socket);
    const transport = accept(socket, {
      secure,
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
    });
    tracker.bind(socket, transport);
    onTransport(transport);
  };
  const server = secure
    ? tls.createServer({ handshakeTimeout: 10_000, ...options.tls }, onSocket)
    : net.createServer(onSocket);
  if (secure) server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : net.isIPv6(host) ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: `${secure ? 'mqtts' : 'mqtt'}://${shown}:${port}`,
    close() {
      closed ??= (async () => {
        closing = true;
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await tracker.closeAll();
        await serverClosed;
      })();
      return closed;
    },
  };
}
