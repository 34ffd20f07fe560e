// Reading a meta procedure's arguments: each is checked once, a wrong one is
// `wamp.error.invalid_argument` (or `invalid_uri`) naming it.
import { ErrorUri, WampError } from '../../wamp/errors';
import { isValidId } from '../../wamp/ids';
import type { Args, Dict } from '../../wamp/messages';
import { isDict } from '../../wamp/parse';
import { isMatchPolicy, type MatchPolicy } from '../../wamp/options';
import { isValidUri } from '../../wamp/uri';

export function invalid(text: string): WampError {
  return new WampError(ErrorUri.INVALID_ARGUMENT, [text]);
}

export function idArg(args: Args, index: number, name: string): number {
  const v = args[index];
  if (!isValidId(v)) throw invalid(`argument ${name} must be an ID (an integer in 1..2^53)`);
  return v;
}

export function stringArg(args: Args, index: number, name: string): string {
  const v = args[index];
  if (typeof v !== 'string') throw invalid(`argument ${name} must be a string`);
  return v;
}

export function uriArg(args: Args, index: number, name: string): string {
  const v = stringArg(args, index, name);
  if (!isValidUri(v))
    throw new WampError(ErrorUri.INVALID_URI, [`argument ${name} is not a valid URI: "${v}"`]);
  return v;
}

/** An optional list of strings; null or absent is undefined. */
export function stringListArg(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'string'))
    throw invalid(`argument ${name} must be a list of strings`);
  return value;
}

export function listArg(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(`argument ${name} must be a list`);
  return value;
}

export function dictArg(value: unknown, name: string): Dict {
  if (value === undefined || value === null) return {};
  if (!isDict(value)) throw invalid(`argument ${name} must be a dict`);
  return value;
}

/** The `match` of a lookup's options, as when subscribing or registering. */
export function matchOption(value: unknown): MatchPolicy {
  const match = dictArg(value, 'options').match ?? 'exact';
  if (!isMatchPolicy(match)) throw invalid(`unknown match policy ${JSON.stringify(match)}`);
  return match;
}
