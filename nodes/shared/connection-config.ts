// The wamp-connection node's form turned into Connection options, validated once here so that a
// bad form gives one readable error instead of a failure deep in the client.
import type { Connection, Transport } from './library';
import type { NodeDef } from './red-types';

export type ConnectionOptions = ConstructorParameters<typeof Connection>[0];

export interface WampConnectionDef extends NodeDef {
  /** `url`: a router over the network; `local`: a wamp-router node of this runtime. */
  transport?: 'url' | 'local';
  url?: string;
  router?: string;
  realm?: string;
  serializer?: string;
  authmethod?: string;
  authid?: string;
  tls?: string;
  reconnect?: boolean;
  reconnectDelay?: number | string;
  reconnectMaxDelay?: number | string;
  maxRetries?: number | string;
  connectTimeout?: number | string;
  autoConnect?: boolean;
  /** Hold publications while disconnected (as mqtt out does), within the two bounds below. */
  publishQueue?: boolean;
  /** Most publications held; beyond it the oldest is dropped. */
  queueSize?: number | string;
  /** Most kilobytes held (the publications' JSON size); beyond it the oldest is dropped. */
  queueKB?: number | string;
}

/** The publish queue's defaults: on, up to 1000 publications and 1 MB. */
export const QUEUE_DEFAULTS = { size: 1000, kb: 1024 };

export interface WampConnectionCredentials {
  ticket?: string;
  secret?: string;
  privateKey?: string;
}

export interface Built {
  options: ConnectionOptions;
  /** What to show: `ws://host:port/path` or `local router <id>`. */
  endpoint: string;
}

const URL_PATTERN = /^(wss?|rss?|https?):\/\/[^\s/]+/i;
const SERIALIZERS = ['json', 'msgpack', 'cbor'];
const AUTH_METHODS = ['anonymous', 'ticket', 'wampcra', 'cryptosign'];

/** A whole `${NAME}` field that Node-RED left as it is: the environment variable is not set. */
const UNSET_ENV = /^\$\{(\S+)\}$/;

function seconds(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : parseFloat(String(v ?? ''));
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/**
 * Returns the options, or throws an Error whose message says what to fix in the form.
 * `localTransport` supplies the in-process transport when the router is a node of this runtime.
 */
export function buildConnectionOptions(
  def: WampConnectionDef,
  creds: WampConnectionCredentials,
  localTransport: (routerId: string) => Promise<Transport>,
  tlsOptions: () => Record<string, unknown> | undefined,
): Built {
  for (const field of ['url', 'realm', 'authid'] as const) {
    const unset = UNSET_ENV.exec((def[field] ?? '').trim());
    if (unset && (field !== 'url' || def.transport !== 'local'))
      throw new Error(`the ${field} is \${${unset[1]}}, but the environment variable ${unset[1]} is not set`);
  }
  const realm = (def.realm ?? '').trim();
  if (!realm) throw new Error('no realm is set');
  if (/\s/.test(realm)) throw new Error(`the realm "${realm}" is not a valid URI`);

  const serializer = def.serializer || 'json';
  if (!SERIALIZERS.includes(serializer)) throw new Error(`unknown serializer "${serializer}"`);

  const authmethod = def.authmethod || 'anonymous';
  if (!AUTH_METHODS.includes(authmethod)) throw new Error(`unknown authentication method "${authmethod}"`);
  const authid = (def.authid ?? '').trim() || undefined;
  if (authmethod !== 'anonymous' && !authid)
    throw new Error(`authentication by ${authmethod} needs an authid`);
  if (authmethod === 'ticket' && !creds.ticket) throw new Error('authentication by ticket needs a ticket');
  if (authmethod === 'wampcra' && !creds.secret) throw new Error('authentication by wampcra needs a secret');
  if (authmethod === 'cryptosign' && !/^[0-9a-fA-F]{64}$/.test((creds.privateKey ?? '').trim())) {
    throw new Error('authentication by cryptosign needs a private key of 64 hex characters');
  }

  const reconnectEnabled = def.reconnect !== false && String(def.reconnect) !== 'false';
  const maxRetries = Math.floor(seconds(def.maxRetries, 0));
  const maxDelayMs = seconds(def.reconnectMaxDelay, 30) * 1000;
  const queueOn = def.publishQueue !== false && String(def.publishQueue) !== 'false';
  const options: ConnectionOptions = {
    realm,
    serializer: serializer as ConnectionOptions['serializer'],
    authid,
    authmethods: [authmethod],
    ticket: authmethod === 'ticket' ? creds.ticket : undefined,
    secret: authmethod === 'wampcra' ? creds.secret : undefined,
    privateKey: authmethod === 'cryptosign' ? creds.privateKey?.trim() : undefined,
    connectTimeoutMs: seconds(def.connectTimeout, 10) * 1000 || undefined,
    reconnect: {
      enabled: reconnectEnabled,
      initialDelayMs: seconds(def.reconnectDelay, 1) * 1000,
      maxDelayMs,
      maxRetries: maxRetries > 0 ? maxRetries : undefined,
      // After a refused join (bad credentials, no such realm) retry at the longest delay the
      // user configured, not at a slower pace of the library's own.
      slowRetryMs: Math.max(maxDelayMs, 1000),
    },
    publishQueue: queueOn ? Math.floor(seconds(def.queueSize, QUEUE_DEFAULTS.size)) : 0,
    publishQueueBytes: queueOn ? Math.floor(seconds(def.queueKB, QUEUE_DEFAULTS.kb) * 1024) : 0,
  };

  if (def.transport === 'local') {
    const routerId = def.router;
    if (!routerId) throw new Error('no wamp-router node is selected');
    options.transportFactory = () => localTransport(routerId);
    return { options, endpoint: `local router ${routerId}` };
  }

  const url = (def.url ?? '').trim();
  if (!URL_PATTERN.test(url)) {
    throw new Error(
      `the router URL "${url}" is not valid: use ws://, wss://, rs://, rss://, http:// or https://host:port`,
    );
  }
  options.url = url;
  if (/^(wss|rss|https):/i.test(url)) options.tls = tlsOptions() as ConnectionOptions['tls'];
  return { options, endpoint: url };
}
