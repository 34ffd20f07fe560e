// Opens Autobahn|JS sessions (a WAMP client we did not write) for the interop tests.
// AUTOBAHN_JS_DIR names the project whose Autobahn|JS to use: `npm run test:nr5` runs these
// tests again under Node 22 with test/nr5's Autobahn|JS 26 (which needs the platform WebSocket,
// Node >= 22); otherwise this project's own (22.11.1, on the machine's Node).
import path from 'node:path';

const from = process.env.AUTOBAHN_JS_DIR;
export const autobahn = from
  ? require(require.resolve('autobahn', { paths: [path.resolve(from)] }))
  : require('autobahn');
/** The Autobahn|JS under test, e.g. "Autobahn|JS 26.3.1", for test titles. */
export const AUTOBAHN_JS = `Autobahn|JS ${autobahn.version as string}`;

export type AbSession = {
  id: number;
  call(procedure: string, args?: unknown[], kwargs?: object, options?: object): Promise<unknown>;
  register(
    procedure: string,
    endpoint: (args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>) => unknown,
    options?: object,
  ): Promise<{ id: number }>;
  subscribe(
    topic: string,
    handler: (args: unknown[], kwargs: Record<string, unknown>, details: Record<string, unknown>) => void,
    options?: object,
  ): Promise<{ id: number }>;
  publish(
    topic: string,
    args?: unknown[],
    kwargs?: object,
    options?: object,
  ): Promise<{ id: number } | undefined>;
};

export interface AbConnection {
  session: AbSession;
  /** WELCOME details. */
  details: Record<string, unknown>;
  close(): Promise<void>;
}

export type AbTransport =
  | { kind: 'websocket'; url: string; serializer: 'json' | 'msgpack' | 'cbor' }
  | { kind: 'rawsocket'; host: string; port: number };

export const AbError = autobahn.Error as new (uri: string, args?: unknown[], kwargs?: object) => Error;

export function openAutobahn(
  transport: AbTransport,
  realm = 'realm1',
  extra: Record<string, unknown> = {},
): Promise<AbConnection> {
  const serializers = {
    json: () => new autobahn.serializer.JSONSerializer(),
    msgpack: () => new autobahn.serializer.MsgpackSerializer(),
    cbor: () => new autobahn.serializer.CBORSerializer(),
  };
  const transports =
    transport.kind === 'websocket'
      ? [
          {
            type: 'websocket',
            url: transport.url,
            serializers: [serializers[transport.serializer]()],
            protocols: [`wamp.2.${transport.serializer}`],
          },
        ]
      : [
          {
            type: 'rawsocket',
            host: transport.host,
            port: transport.port,
            url: `rs://${transport.host}:${transport.port}`,
          },
        ];
  const conn = new autobahn.Connection({ realm, transports, max_retries: 0, ...extra });
  return new Promise((resolve, reject) => {
    conn.onopen = (session: AbSession, details: Record<string, unknown>) =>
      resolve({
        session,
        details,
        close: () =>
          new Promise<void>((done) => {
            conn.onclose = () => {
              done();
              return true;
            };
            conn.close();
          }),
      });
    conn.onclose = (reason: string, details: { reason?: string; message?: string }) => {
      reject(
        new Error(`autobahn connection closed: ${reason} ${details?.reason ?? ''} ${details?.message ?? ''}`),
      );
      return true;
    };
    conn.open();
  });
}
