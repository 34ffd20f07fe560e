// The `wamp-router --config` file: JSON with the realms and a few router options. Read and
// checked here, once: a syntax error names the file, line and column; an unknown key or a user
// without a secret names where it is, rather than a router that starts and ignores it.
import fs from 'node:fs';
import { checkKeys, checkRealms } from '../router/config-check';
import type { RealmConfig } from '../router/config';
import type { RouterLimits } from '../router/limits';
import type { LongPollOptions } from '../transports/longpoll-endpoint';

export interface RouterFileConfig {
  realms?: RealmConfig[];
  autoCreateRealms?: boolean;
  callTimeoutMs?: number;
  maxSessions?: number;
  /** Checked by the Router itself: an unknown or non-positive limit is an error there. */
  limits?: Partial<RouterLimits>;
  allowedOrigins?: string[];
  longPoll?: LongPollOptions;
  /** Bytes, both ways (the listener's maxPayload). */
  maxMessageSize?: number;
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
}

const FILE_KEYS = [
  'realms',
  'autoCreateRealms',
  'callTimeoutMs',
  'maxSessions',
  'limits',
  'allowedOrigins',
  'longPoll',
  'maxMessageSize',
  'keepaliveMs',
  'keepaliveTimeoutMs',
];
const LONGPOLL_KEYS = [
  'requestTimeoutMs',
  'sessionTimeoutMs',
  'maxQueuedMessages',
  'maxQueuedBytes',
  'maxTransports',
];

/** "line L, column C" of a character offset in `text` (both counted from 1). */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Parses the JSON text of `file`; a syntax error says where, as an editor would. */
export function parseConfigText(text: string, file: string): RouterFileConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    // V8 says "... at position N" (and on newer Node also "(line L column C)"): give line and column.
    const at = /position (\d+)/.exec(message);
    const where = at ? lineAndColumn(text, Number(at[1])) : `${lineAndColumn(text, text.length)} (the end)`;
    throw new Error(
      `${file}: invalid JSON at ${where}: ${message.replace(/\s*\(line \d+ column \d+\)/, '')}`,
    );
  }
  checkKeys(value, FILE_KEYS, file);
  const config: RouterFileConfig = {};
  if (value.realms !== undefined) config.realms = checkRealms(value.realms, `${file}: realms`);
  if (value.autoCreateRealms !== undefined) {
    if (typeof value.autoCreateRealms !== 'boolean')
      throw new Error(`${file}: "autoCreateRealms" must be true or false`);
    config.autoCreateRealms = value.autoCreateRealms;
  }
  // callTimeoutMs 0 means no limit; a router that admits no session at all is a mistake.
  for (const [key, least] of [
    ['callTimeoutMs', 0],
    ['maxSessions', 1],
    ['maxMessageSize', 1024],
    ['keepaliveMs', 0],
    ['keepaliveTimeoutMs', 1],
  ] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || (v as number) < least)
      throw new Error(`${file}: "${key}" must be a whole number >= ${least}`);
    config[key] = v as number;
  }
  if (value.limits !== undefined) {
    if (typeof value.limits !== 'object' || value.limits === null || Array.isArray(value.limits))
      throw new Error(`${file}: "limits" must be an object`);
    config.limits = value.limits as Partial<RouterLimits>;
  }
  if (value.allowedOrigins !== undefined) {
    const o = value.allowedOrigins;
    if (!Array.isArray(o) || !o.every((x) => typeof x === 'string'))
      throw new Error(`${file}: "allowedOrigins" must be a list of origins (strings)`);
    config.allowedOrigins = o;
  }
  if (value.longPoll !== undefined) {
    checkKeys(value.longPoll, LONGPOLL_KEYS, `${file}: longPoll`);
    for (const [k, v] of Object.entries(value.longPoll))
      if (!Number.isInteger(v) || (v as number) < 1)
        throw new Error(`${file}: longPoll "${k}" must be a whole number >= 1`);
    config.longPoll = value.longPoll as LongPollOptions;
  }
  return config;
}

export function readConfigFile(file: string): RouterFileConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `cannot read the config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseConfigText(text, file);
}
