// Checks configuration that arrives as untyped data (a --config file, a library user's JSON)
// against the shapes in config.ts, once, at the edge: an unknown key, a wrong type or a user who
// could never log in is an Error naming where it is (`realms[0].users[1] "plc"`), instead of a
// router that starts and silently ignores it.
import { isMatchPolicy, MATCH_POLICIES } from '../wamp/options';
import { isValidPattern } from '../wamp/uri';
import { checkHistory } from './event-history';
import type { PermissionConfig, RealmConfig, RoleConfig, UserConfig } from './config';

const REALM_KEYS = ['name', 'anonymous', 'users', 'roles', 'history'];
const USER_KEYS = ['authid', 'role', 'ticket', 'secret', 'salt', 'iterations', 'keylen', 'pubkey'];
const ROLE_KEYS = ['name', 'permissions'];
const PERMISSION_KEYS = ['uri', 'match', 'call', 'register', 'publish', 'subscribe'];
const HEX32 = /^[0-9a-fA-F]{64}$/;

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Throws unless `value` is an object with only `allowed` keys. */
export function checkKeys(value: unknown, allowed: readonly string[], where: string): asserts value is Dict {
  if (!isDict(value)) throw new Error(`${where} must be an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new Error(`${where}: unknown key "${key}" (known: ${allowed.join(', ')})`);
  }
}

function checkOptional(v: Dict, key: string, type: 'string' | 'boolean' | 'integer', where: string): void {
  const x = v[key];
  if (x === undefined) return;
  const ok = type === 'integer' ? Number.isInteger(x) && (x as number) > 0 : typeof x === type;
  if (!ok)
    throw new Error(`${where}.${key} must be ${type === 'integer' ? 'a positive integer' : `a ${type}`}`);
}

function checkUser(u: unknown, where: string): UserConfig {
  checkKeys(u, USER_KEYS, where);
  if (!nonEmpty(u.authid)) throw new Error(`${where}: "authid" must be a non-empty string`);
  const at = `${where} "${u.authid}"`;
  for (const k of ['role', 'ticket', 'secret', 'salt', 'pubkey']) checkOptional(u, k, 'string', at);
  for (const k of ['iterations', 'keylen']) checkOptional(u, k, 'integer', at);
  // A user logs in by ticket, WAMP-CRA or cryptosign: whichever it is, the secret must be there.
  if (!nonEmpty(u.ticket) && !nonEmpty(u.secret) && !nonEmpty(u.pubkey)) {
    throw new Error(
      `${at} has no secret for any method: give "ticket" (ticket), "secret" (wampcra) or "pubkey" (cryptosign)`,
    );
  }
  if (u.ticket !== undefined && !nonEmpty(u.ticket)) throw new Error(`${at}: "ticket" is empty`);
  if (u.secret !== undefined && !nonEmpty(u.secret)) throw new Error(`${at}: "secret" (wampcra) is empty`);
  if (u.pubkey !== undefined && !HEX32.test(String(u.pubkey)))
    throw new Error(`${at}: "pubkey" (cryptosign) must be 64 hex characters`);
  if ((u.salt !== undefined || u.iterations !== undefined || u.keylen !== undefined) && !nonEmpty(u.secret))
    throw new Error(
      `${at}: "salt", "iterations" and "keylen" derive the wampcra key from "secret", which is missing`,
    );
  // The role is what the session is granted (WELCOME.Details.authrole): a user has one.
  if (!nonEmpty(u.role))
    throw new Error(`${at}: "role" must be a non-empty string (the role granted on login)`);
  return u as unknown as UserConfig;
}

function checkPermission(p: unknown, where: string): PermissionConfig {
  checkKeys(p, PERMISSION_KEYS, where);
  const match = p.match ?? 'exact';
  if (!isMatchPolicy(match)) throw new Error(`${where}.match must be one of ${MATCH_POLICIES.join(', ')}`);
  // A prefix may end with a dot (`com.example.`); the empty prefix matches every URI.
  const uri = p.uri;
  const valid = isValidPattern(uri, match) || (match === 'prefix' && uri === '');
  if (!valid) throw new Error(`${where}.uri ${JSON.stringify(uri)} is not a valid ${match} URI pattern`);
  for (const k of ['call', 'register', 'publish', 'subscribe']) checkOptional(p, k, 'boolean', where);
  return p as unknown as PermissionConfig;
}

function checkRole(r: unknown, where: string): RoleConfig {
  checkKeys(r, ROLE_KEYS, where);
  if (!nonEmpty(r.name)) throw new Error(`${where}: "name" must be a non-empty string`);
  if (!Array.isArray(r.permissions)) throw new Error(`${where} "${r.name}": "permissions" must be an array`);
  for (const [i, p] of r.permissions.entries()) checkPermission(p, `${where} "${r.name}".permissions[${i}]`);
  return r as unknown as RoleConfig;
}

function checkRealm(r: unknown, where: string): RealmConfig {
  checkKeys(r, REALM_KEYS, where);
  if (!nonEmpty(r.name) || /\s/.test(r.name)) throw new Error(`${where}: "name" must be a realm URI`);
  const at = `${where} "${r.name}"`;
  const anon = r.anonymous;
  if (anon !== undefined && typeof anon !== 'boolean') {
    checkKeys(anon, ['role'], `${at}.anonymous`);
    if (!nonEmpty(anon.role)) throw new Error(`${at}.anonymous.role must be a non-empty string`);
  }
  for (const list of ['users', 'roles'] as const) {
    if (r[list] !== undefined && !Array.isArray(r[list]))
      throw new Error(`${at}: "${list}" must be an array`);
  }
  const users = ((r.users as unknown[] | undefined) ?? []).map((u, i) => checkUser(u, `${at}.users[${i}]`));
  const seen = new Set<string>();
  for (const u of users) {
    if (seen.has(u.authid)) throw new Error(`${at}: the user "${u.authid}" is listed twice`);
    seen.add(u.authid);
  }
  for (const [i, role] of ((r.roles as unknown[] | undefined) ?? []).entries())
    checkRole(role, `${at}.roles[${i}]`);
  if (r.history !== undefined) checkHistory(r.history, `${at}.history`);
  return r as unknown as RealmConfig;
}

/** The realms in `value`, checked; throws an Error naming the first problem. */
export function checkRealms(value: unknown, where = 'realms'): RealmConfig[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array`);
  const realms = value.map((r, i) => checkRealm(r, `${where}[${i}]`));
  const names = new Set<string>();
  for (const r of realms) {
    if (names.has(r.name)) throw new Error(`${where}: the realm "${r.name}" is listed twice`);
    names.add(r.name);
  }
  return realms;
}
