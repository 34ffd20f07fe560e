// The wamp-router node's form turned into the router's realm configuration. Secrets come from
// the node's `password` credentials, never from the flow file and never sent back to the editor:
// each user row names its slot (`secret0`, `secret1`, ...: Node-RED keeps or replaces each one on
// its own, so changing one user's secret needs no other); flows saved before slots keep theirs in
// the `secrets` credential, a JSON object keyed "realm/authid".
import type { RealmConfig, RoleConfig, UserConfig } from './library';

type HistoryConfig = NonNullable<RealmConfig['history']>[number];

export interface RealmRow {
  name?: string;
  /** Unset: anonymous sessions are admitted only while the realm has no users (as the CLI does). */
  anonymous?: boolean;
  anonymousRole?: string;
}

export interface UserRow {
  realm?: string;
  authid?: string;
  role?: string;
  method?: string;
  /** cryptosign public key (not secret, so it lives in the flow). */
  pubkey?: string;
  /** The credential slot holding this user's ticket or secret: credential `secret<slot>`. */
  slot?: number;
}

/** How many users of one router can have a secret: one `password` credential each. */
export const SECRET_SLOTS = 100;
export const slotCredential = (slot: number): string => `secret${slot}`;

/** The router node's credential definition: the slots and the older all-in-one `secrets`. */
export function routerCredentialTypes(): Record<string, { type: 'password' }> {
  const types: Record<string, { type: 'password' }> = { secrets: { type: 'password' } };
  for (let i = 0; i < SECRET_SLOTS; i++) types[slotCredential(i)] = { type: 'password' };
  return types;
}

export interface RoleRow extends RoleConfig {
  realm?: string;
}

/** One row of the dialog's event history list: a topic pattern of a realm (blank: every realm). */
export interface HistoryRow {
  realm?: string;
  uri?: string;
  match?: string;
  /** Events kept; blank for the default (100). */
  limit?: number | string;
}

export interface RouterFormDef {
  realms?: RealmRow[];
  /** The `users` property name is reserved by Node-RED's editor, hence `accounts`. */
  accounts?: UserRow[];
  /** JSON text: an array of `{realm?, name, permissions: [{uri, match?, call?, register?, publish?, subscribe?}]}`. */
  roles?: string;
  /** Event history: the topic patterns whose events each realm keeps. */
  history?: HistoryRow[];
}

export const secretKey = (realm: string, authid: string): string => `${realm}/${authid}`;

function parseJson<T>(text: string | undefined, what: string, fallback: T): T {
  if (!text || !text.trim()) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Throws an Error whose message names the row to fix. `slot` reads credential `secret<n>`;
 * `secretsJson` is the older `secrets` credential.
 */
export function buildRealms(
  def: RouterFormDef,
  secretsJson: string | undefined,
  slot: (n: number) => string | undefined = () => undefined,
): RealmConfig[] {
  const secrets = parseJson<Record<string, string>>(secretsJson, 'the user secrets', {});
  const roles = parseJson<RoleRow[]>(def.roles, 'the roles', []);
  if (!Array.isArray(roles)) throw new Error('the roles must be a JSON array');

  const realms = new Map<string, RealmConfig>();
  /** Realms whose row leaves anonymous unset: admitted (so) only if they end up without users. */
  const autoAnonymous = new Map<string, RealmConfig['anonymous']>();
  for (const row of def.realms ?? []) {
    const name = (row.name ?? '').trim();
    if (!name) continue;
    if (/\s/.test(name)) throw new Error(`the realm "${name}" is not a valid URI`);
    const anonymous =
      row.anonymous === false ? false : row.anonymousRole ? { role: row.anonymousRole } : true;
    realms.set(name, {
      name,
      anonymous: row.anonymous === undefined ? undefined : anonymous,
      users: [],
      roles: [],
    });
    if (row.anonymous === undefined) autoAnonymous.set(name, anonymous);
  }
  if (realms.size === 0) throw new Error('no realm is configured');

  for (const row of def.accounts ?? []) {
    const realm = realms.get((row.realm ?? '').trim());
    const authid = (row.authid ?? '').trim();
    if (!authid) continue;
    if (!realm)
      throw new Error(`user "${authid}" names the realm "${row.realm ?? ''}" that is not configured`);
    const user: UserConfig = { authid, role: (row.role ?? '').trim() || 'user' };
    const secret = typeof row.slot === 'number' ? slot(row.slot) : secrets[secretKey(realm.name, authid)];
    if (row.method === 'ticket') user.ticket = secret;
    else if (row.method === 'wampcra') user.secret = secret;
    else if (row.method === 'cryptosign') user.pubkey = (row.pubkey ?? '').trim();
    else throw new Error(`user "${authid}" has no authentication method`);
    if (row.method !== 'cryptosign' && !secret)
      throw new Error(`user "${authid}" has no ${row.method} secret`);
    if (row.method === 'cryptosign' && !/^[0-9a-fA-F]{64}$/.test(user.pubkey ?? '')) {
      throw new Error(`user "${authid}" needs a public key of 64 hex characters`);
    }
    realm.users!.push(user);
  }

  for (const role of roles) {
    if (!role || typeof role.name !== 'string' || !Array.isArray(role.permissions)) {
      throw new Error('each role needs a "name" and a "permissions" array');
    }
    const targets = role.realm ? [realms.get(role.realm)] : [...realms.values()];
    if (targets[0] === undefined)
      throw new Error(`role "${role.name}" names the realm "${role.realm}" that is not configured`);
    for (const realm of targets) realm!.roles!.push({ name: role.name, permissions: role.permissions });
  }
  for (const row of def.history ?? []) {
    const uri = (row.uri ?? '').trim();
    if (!uri) continue;
    const name = (row.realm ?? '').trim();
    const targets = name ? [realms.get(name)] : [...realms.values()];
    if (targets[0] === undefined)
      throw new Error(`the event history of "${uri}" names the realm "${name}" that is not configured`);
    const limit = String(row.limit ?? '').trim();
    // The router checks the pattern and the limit (a number that is not a positive integer too).
    const entry: HistoryConfig = { uri, match: (row.match || 'exact') as HistoryConfig['match'] };
    if (limit !== '') entry.limit = Number(limit);
    for (const realm of targets) (realm!.history ??= []).push({ ...entry });
  }
  for (const realm of realms.values()) {
    if (realm.roles!.length === 0) delete realm.roles;
    if (autoAnonymous.has(realm.name))
      realm.anonymous = realm.users!.length === 0 ? autoAnonymous.get(realm.name) : false;
  }
  return [...realms.values()];
}
