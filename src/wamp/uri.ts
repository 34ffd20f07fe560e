// URI rules of the spec: loose and strict forms, the empty-component form of wildcard patterns,
// the router's reserved `wamp.` namespace, and matching of concrete URIs against patterns.
import type { MatchPolicy } from './options';

const LOOSE = /^([^\s.#]+\.)*([^\s.#]+)$/;
const LOOSE_EMPTY = /^(([^\s.#]+\.)|\.)*([^\s.#]+)?$/;
const STRICT = /^([0-9a-z_]+\.)*([0-9a-z_]+)$/;
const STRICT_EMPTY = /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$/;

export interface UriCheck {
  /** Strict URIs allow only lower-case letters, digits and `_` in components. */
  strict?: boolean;
  /** Empty components are allowed (wildcard patterns, e.g. `com..update`). */
  allowEmpty?: boolean;
}

export function isValidUri(uri: unknown, check: UriCheck = {}): uri is string {
  if (typeof uri !== 'string') return false;
  if (check.allowEmpty) return (check.strict ? STRICT_EMPTY : LOOSE_EMPTY).test(uri);
  if (check.strict) return STRICT.test(uri);
  return isLooseUri(uri);
}

/**
 * Loose URIs found valid lately: every CALL and PUBLISH names one, mostly the same few, and the
 * regular expression was a visible cost at full message rates. Bounded: emptied when full.
 */
const looseValid = new Set<string>();
const LOOSE_REMEMBERED = 1024;

function isLooseUri(uri: string): boolean {
  if (looseValid.has(uri)) return true;
  if (!LOOSE.test(uri)) return false;
  if (looseValid.size >= LOOSE_REMEMBERED) looseValid.clear();
  looseValid.add(uri);
  return true;
}

/**
 * Whether `uri` is valid as a subscription topic or registration procedure for the given match
 * policy. Exact URIs need every component; prefixes may end with a dot (`com.myapp.`) and must
 * not be empty; wildcards may have empty components but need at least one dot or one component.
 */
export function isValidPattern(uri: unknown, match: MatchPolicy, strict = false): uri is string {
  if (typeof uri !== 'string') return false;
  switch (match) {
    case 'exact':
      return strict ? STRICT.test(uri) : isLooseUri(uri);
    case 'prefix':
      return uri.length > 0 && isValidUri(uri.endsWith('.') ? uri.slice(0, -1) : uri, { strict });
    case 'wildcard':
      return uri.length > 0 && isValidUri(uri, { strict, allowEmpty: true });
  }
}

/** `wamp.` is the router's own namespace: clients may not register or publish there. */
export function isReservedUri(uri: string): boolean {
  return uri.startsWith('wamp.');
}

export function matchesPrefix(uri: string, prefix: string): boolean {
  return uri.startsWith(prefix);
}

/** A wildcard pattern matches a URI with the same number of components, empty components matching any. */
export function matchesWildcard(uri: string, pattern: string): boolean {
  const u = uri.split('.');
  const p = pattern.split('.');
  if (u.length !== p.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] !== '' && p[i] !== u[i]) return false;
  }
  return true;
}

export function matches(uri: string, pattern: string, match: MatchPolicy): boolean {
  switch (match) {
    case 'exact':
      return uri === pattern;
    case 'prefix':
      return matchesPrefix(uri, pattern);
    case 'wildcard':
      return matchesWildcard(uri, pattern);
  }
}
