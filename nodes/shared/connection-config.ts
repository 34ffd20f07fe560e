// The wamp-connection node's form turned into Connection options, validated once here so that a
// bad form gives one readable error instead of a failure deep in the client.
import type { Connection, Transport } from './library';
import { flag, numberOption as seconds, oneOf } from './options';
import type { NodeDef } from './red-types';

export type ConnectionOptions = ConstructorParameters<typeof Connection>[0];

export interface WampConnectionDef extends NodeDef {
  /** `url`: a router over the network; `local`: a wamp-router node of this runtime. */
  transport?: 'url' | 'local';
  /** The first router URL; kept so that flows from before `urls` still load. */
  url?: string;
  /** Every router URL, tried in order (the routers of a cluster); when absent, `url` alone. */
  urls?: string[];
  router?: string;
  realm?: string;
  serializer?: string;
  authmethod?: string;
  authid?: string;
  tls?: string;
  /** With cryptosign: sign the TLS channel too (tls-unique), as Crossbar offers. */
  channelBinding?: boolean | string;
  reconnect?: boolean;
  reconnectDelay?: number | string;
  reconnectMaxDelay?: number | string;
  maxRetries?: number | string;
  connectTimeout?: number | string;
  /** Seconds between pings; 0 turns keepalive off. */
  keepalive?: number | string;
  /** Seconds the router has to answer a ping. */
  keepaliveTimeout?: number | string;
  /** Bytes; empty: the library's default (16 MiB). */
  maxMessageSize?: number | string;
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
  /** What to show: `ws://host:port/path` (the URLs joined by commas) or `local router <id>`. */
  endpoint: string;
  /** How many router URLs (0 in-process). */
  urlCount: number;
}

/** Keepalive defaults of the node: a dead link is noticed within about 40 s. */
export const DEFAULT_KEEPALIVE_S = 30;
export const DEFAULT_KEEPALIVE_TIMEOUT_S = 10;

const URL_PATTERN = /^(wss?|rss?|https?):\/\/[^\s/]+/i;
const SERIALIZERS = ['json', 'msgpack', 'cbor'] as const;
const AUTH_METHODS = ['anonymous', 'ticket', 'wampcra', 'cryptosign'] as const;

const BINDING_NEEDS_TLS = 'TLS channel binding needs every router URL to be wss:// or rss://';

/** A whole `${NAME}` field that Node-RED left as it is: the environment variable is not set. */
const UNSET_ENV = /^\$\{(\S+)\}$/;

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

  const serializer = oneOf(def.serializer || 'json', SERIALIZERS);
  if (!serializer) throw new Error(`unknown serializer "${def.serializer}"`);

  const authmethod = oneOf(def.authmethod || 'anonymous', AUTH_METHODS);
  if (!authmethod) throw new Error(`unknown authentication method "${def.authmethod}"`);
  const authid = (def.authid ?? '').trim() || undefined;
  if (authmethod !== 'anonymous' && !authid)
    throw new Error(`authentication by ${authmethod} needs an authid`);
  if (authmethod === 'ticket' && !creds.ticket) throw new Error('authentication by ticket needs a ticket');
  if (authmethod === 'wampcra' && !creds.secret) throw new Error('authentication by wampcra needs a secret');
  if (authmethod === 'cryptosign' && !/^[0-9a-fA-F]{64}$/.test((creds.privateKey ?? '').trim())) {
    throw new Error('authentication by cryptosign needs a private key of 64 hex characters');
  }

  const reconnectEnabled = flag(def.reconnect, true);
  const maxRetries = Math.floor(seconds(def.maxRetries, 0));
  const maxDelayMs = seconds(def.reconnectMaxDelay, 30) * 1000;
  const queueOn = flag(def.publishQueue, true);
  const options: ConnectionOptions = {
    realm,
    serializer,
    authid,
    authmethods: [authmethod],
    ticket: authmethod === 'ticket' ? creds.ticket : undefined,
    secret: authmethod === 'wampcra' ? creds.secret : undefined,
    privateKey: authmethod === 'cryptosign' ? creds.privateKey?.trim() : undefined,
    channelBinding: authmethod === 'cryptosign' && flag(def.channelBinding, false) ? 'tls-unique' : undefined,
    connectTimeoutMs: seconds(def.connectTimeout, 10) * 1000 || undefined,
    keepaliveMs: seconds(def.keepalive, DEFAULT_KEEPALIVE_S) * 1000,
    keepaliveTimeoutMs: seconds(def.keepaliveTimeout, DEFAULT_KEEPALIVE_TIMEOUT_S) * 1000 || undefined,
    maxMessageSize: messageSize(def.maxMessageSize),
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
    if (options.channelBinding) throw new Error(BINDING_NEEDS_TLS);
    options.transportFactory = () => localTransport(routerId);
    return { options, endpoint: `local router ${routerId}`, urlCount: 0 };
  }

  const urls = routerUrls(def);
  for (const url of urls) {
    if (!URL_PATTERN.test(url))
      throw new Error(
        `the router URL "${url}" is not valid: use ws://, wss://, rs://, rss://, http:// or https://host:port`,
      );
  }
  if (options.channelBinding && !urls.every((u) => /^(wss|rss):/i.test(u)))
    throw new Error(BINDING_NEEDS_TLS);
  options.url = urls.length === 1 ? urls[0] : urls;
  if (urls.some((u) => /^(wss|rss|https):/i.test(u))) options.tls = tlsOptions() as ConnectionOptions['tls'];
  return { options, endpoint: urls.join(', '), urlCount: urls.length };
}

/** The list when there is one (blank entries dropped), else the single URL of older flows. */
export function routerUrls(def: WampConnectionDef): string[] {
  const list = Array.isArray(def.urls) ? def.urls.map((u) => String(u ?? '').trim()).filter((u) => u) : [];
  return list.length > 0 ? list : [(def.url ?? '').trim()];
}

function messageSize(v: unknown): number | undefined {
  if (v === undefined || v === null || String(v).trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1024)
    throw new Error(`the maximum message size "${String(v)}" must be a whole number of bytes, at least 1024`);
  return n;
}
