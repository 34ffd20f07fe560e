// What a router is configured with: realms, their users and roles. Plain data, so that the
// wamp-router node can build it from the editor's form.
import type { MatchPolicy } from '../wamp/options';
import type { HistoryConfig } from './event-history';

export type { HistoryConfig };

export type AuthMethod = 'anonymous' | 'ticket' | 'wampcra' | 'cryptosign';
export type Action = 'call' | 'register' | 'publish' | 'subscribe';

export interface UserConfig {
  authid: string;
  /** Role granted on login. */
  role: string;
  /** Shared secret for `ticket`. */
  ticket?: string;
  /** Secret for `wampcra`; with `salt` the key is derived by PBKDF2 (iterations, keylen). */
  secret?: string;
  salt?: string;
  iterations?: number;
  keylen?: number;
  /** Ed25519 public key, 64 hex characters, for `cryptosign`. */
  pubkey?: string;
}

export interface PermissionConfig {
  uri: string;
  match?: MatchPolicy;
  call?: boolean;
  register?: boolean;
  publish?: boolean;
  subscribe?: boolean;
}

export interface RoleConfig {
  name: string;
  permissions: PermissionConfig[];
}

export interface RealmConfig {
  name: string;
  /** Anonymous login: allowed (default when there are no users) and the role it gets. */
  anonymous?: boolean | { role: string };
  users?: UserConfig[];
  /** Without roles every authenticated session may do everything (except in `wamp.`). */
  roles?: RoleConfig[];
  /** Topic patterns whose events the broker keeps for `wamp.subscription.get_events`. */
  history?: HistoryConfig[];
}
