// What a Connection is given (where to connect, how to join, how to retry, how much to hold
// while disconnected) and what it reports (its status), apart from the retry logic itself.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SerializerId } from '../serializers';
import type { Transport } from '../transports/transport';
import { AUTH_REFUSALS, ErrorUri, type WampError } from '../wamp/errors';
import type { ClientCredentials } from './auth';
import type { ReconnectOptions } from './backoff';

export interface ConnectionOptions extends ClientCredentials {
  /**
   * ws://, wss://, rs://, rss://, or http:// and https:// (HTTP long-poll); or several (the
   * routers of a cluster), tried in order: a failed attempt or a lost session moves on to the
   * next, with the backoff growing per round.
   */
  url?: string | readonly string[];
  /** Instead of url: an in-process transport, e.g. `() => router.connectLocal()`. */
  transportFactory?: () => Transport | Promise<Transport>;
  realm: string;
  serializer?: SerializerId;
  tls?: TlsOptions;
  connectTimeoutMs?: number;
  /** WebSocket ping / RawSocket PING every this many ms, so that a dead link is noticed; 0 or absent: none. */
  keepaliveMs?: number;
  /** How long the router has to answer a ping before the link counts as dead; default keepaliveMs. */
  keepaliveTimeoutMs?: number;
  /**
   * Longest message this client sends or takes, in bytes: a call or publish over it fails with
   * `wamp.error.payload_size_exceeded` and the session carries on. Default: the transport's.
   */
  maxMessageSize?: number;
  /** A retry, for maxRetries and the backoff, is one round over the list of URLs. */
  reconnect?: ReconnectOptions;
  /** 0 (default): publishing while disconnected rejects; N: hold up to N, dropping the oldest. */
  publishQueue?: number;
  /**
   * With publishQueue: also hold at most this many bytes (each publication's size as JSON),
   * dropping the oldest; a publication larger than this alone is refused. 0 (default): no limit.
   */
  publishQueueBytes?: number;
}

/** `url`: the router tried, joined or lost (absent with a transportFactory). */
export type ConnectionStatus =
  | { state: 'connecting'; attempt: number; url?: string }
  | {
      state: 'connected';
      realm: string;
      sessionId: number;
      details: Record<string, unknown>;
      url?: string;
    }
  | { state: 'disconnected'; reason: string; retryInMs?: number; url?: string; error?: WampError }
  | { state: 'failed'; reason: string; error?: WampError; gaveUp?: true }
  | { state: 'closed' };

/** ABORT reasons that retrying at the normal pace cannot cure. */
export const FATAL_REASONS: ReadonlySet<string> = new Set([ErrorUri.NO_SUCH_REALM, ...AUTH_REFUSALS]);
