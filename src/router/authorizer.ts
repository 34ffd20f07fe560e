// Which role may do what: a role's permissions name URIs (exact, prefix or wildcard) and the
// actions allowed on them. The most specific permission matching a URI decides, alone — exact
// over the longest prefix over wildcard — so a narrow rule can deny inside a broad grant.
// A pattern (prefix or wildcard subscription or registration) is granted only as far as the
// role grants every URI it can match: wholly ('all'), not at all ('none'), or in part ('some':
// a deny inside the grant), in which case each event or invocation is checked as it goes out.
// The router refuses clients' REGISTER and PUBLISH in its own `wamp.` namespace (uri.ts
// isReservedUri) before asking; the privileged meta procedures need a grant that names them.
import type { Action, PermissionConfig, RoleConfig } from './config';
import type { MatchPolicy } from '../wamp/options';
import { matchesPrefix, matchesWildcard } from '../wamp/uri';

/** How much of what a pattern can match a role may use. */
export type Grant = 'all' | 'some' | 'none';

/** What a realm asks of its authorization, whatever implements it. */
export interface AccessPolicy {
  /** Whether `authrole` may `action` the concrete `uri`. */
  allows(authrole: string, action: Action, uri: string): boolean;
  /** How much of what `pattern` (matched by `match`) can reach `authrole` may be used. */
  grant(authrole: string, action: Action, pattern: string, match: MatchPolicy): Grant;
  /** Allowed by a permission whose URI is in the router's `wamp.` namespace: granted by name. */
  grantsByName(authrole: string, action: Action, uri: string): boolean;
}

interface Permissions {
  exact: Map<string, PermissionConfig>;
  /** Longest prefix first. */
  prefix: PermissionConfig[];
  /** Most literal components first, then config order. */
  wildcard: PermissionConfig[];
}

export class Authorizer {
  /** undefined: no roles configured, everything is allowed. */
  private readonly roles: Map<string, Permissions> | undefined;

  constructor(roles: readonly RoleConfig[] | undefined) {
    // An empty list counts as "no roles": a router form left blank must not lock everyone out.
    if (!roles || roles.length === 0) return;
    this.roles = new Map();
    for (const role of roles) {
      // A role listed twice is merged; within one kind, the first permission for a URI wins.
      const perms: Permissions = this.roles.get(role.name) ?? { exact: new Map(), prefix: [], wildcard: [] };
      for (const p of role.permissions) {
        switch (p.match ?? 'exact') {
          case 'exact':
            if (!perms.exact.has(p.uri)) perms.exact.set(p.uri, p);
            break;
          case 'prefix':
            perms.prefix.push(p);
            break;
          case 'wildcard':
            perms.wildcard.push(p);
            break;
        }
      }
      this.roles.set(role.name, perms);
    }
    for (const perms of this.roles.values()) {
      // Array.prototype.sort is stable, so equal rules keep config order.
      perms.prefix.sort((a, b) => b.uri.length - a.uri.length);
      perms.wildcard.sort((a, b) => literalComponents(b.uri) - literalComponents(a.uri));
    }
  }

  /** Whether any role is configured (when not, `authorize` allows everything). */
  get enforcing(): boolean {
    return this.roles !== undefined;
  }

  authorize(authrole: string, action: Action, uri: string): boolean {
    if (!this.roles) return true;
    const perms = this.roles.get(authrole);
    if (!perms) return false;
    const rule = mostSpecific(perms, uri);
    return rule?.[action] === true;
  }

  /**
   * Whether every URI `pattern` can match is allowed. The rule that decides for the URIs no
   * narrower rule names (the cover) must allow; then every narrower rule that may decide for
   * some of them is looked at: all allow → 'all', one denies → 'some'.
   */
  grant(authrole: string, action: Action, pattern: string, match: MatchPolicy): Grant {
    if (!this.roles) return 'all';
    const perms = this.roles.get(authrole);
    if (!perms) return 'none';
    if (match === 'exact') return mostSpecific(perms, pattern)?.[action] === true ? 'all' : 'none';
    // The text every matched URI starts with: the prefix, or a wildcard's literal lead.
    const lead = match === 'prefix' ? pattern : literalLead(pattern);
    const cover =
      perms.prefix.find((p) => lead.startsWith(p.uri)) ??
      (match === 'wildcard' ? perms.wildcard.find((w) => covers(w.uri, pattern)) : undefined);
    if (cover?.[action] !== true) return 'none';
    const narrower: PermissionConfig[] = [];
    for (const [uri, p] of perms.exact) if (matchesPattern(uri, pattern, match)) narrower.push(p);
    // Longer prefixes that start with the lead may decide for some matched URIs (over-approximated
    // for wildcards, which only costs a per-delivery check).
    for (const p of perms.prefix) if (p !== cover && p.uri.startsWith(lead)) narrower.push(p);
    // Wildcard rules decide only where no prefix rule does: they matter under a wildcard cover.
    if (cover.match === 'wildcard')
      for (const w of perms.wildcard) if (w !== cover && overlaps(w.uri, pattern)) narrower.push(w);
    return narrower.every((p) => p[action] === true) ? 'all' : 'some';
  }

  /** Allowed by a rule in the `wamp.` namespace: never by a blanket grant, never without roles. */
  grantsByName(authrole: string, action: Action, uri: string): boolean {
    const perms = this.roles?.get(authrole);
    if (!perms) return false;
    const rule = mostSpecific(perms, uri);
    return rule?.[action] === true && rule.uri.startsWith('wamp.');
  }
}

/** The realm's roles as an `AccessPolicy`. */
export function rolePolicy(authorizer: Authorizer): AccessPolicy {
  return {
    allows: (role, action, uri) => authorizer.authorize(role, action, uri),
    grant: (role, action, pattern, match) => authorizer.grant(role, action, pattern, match),
    grantsByName: (role, action, uri) => authorizer.grantsByName(role, action, uri),
  };
}

/**
 * A yes/no function as an `AccessPolicy`: it can only judge a pattern by its text, so a pattern
 * it allows is checked again at each delivery, on the concrete URI.
 */
export function functionPolicy(allows: (role: string, action: Action, uri: string) => boolean): AccessPolicy {
  return {
    allows,
    grant: (role, action, pattern, match) =>
      allows(role, action, pattern) ? (match === 'exact' ? 'all' : 'some') : 'none',
    grantsByName: allows,
  };
}

function matchesPattern(uri: string, pattern: string, match: MatchPolicy): boolean {
  return match === 'prefix' ? matchesPrefix(uri, pattern) : matchesWildcard(uri, pattern);
}

/** `com.pub..x` → `com.pub.`: the literal components before the first wildcard, with their dots. */
function literalLead(pattern: string): string {
  const parts = pattern.split('.');
  const i = parts.indexOf('');
  return i < 0
    ? pattern
    : parts
        .slice(0, i)
        .map((p) => `${p}.`)
        .join('');
}

/** Whether wildcard rule `rule` matches every URI that wildcard `pattern` matches. */
function covers(rule: string, pattern: string): boolean {
  const r = rule.split('.');
  const p = pattern.split('.');
  return r.length === p.length && r.every((c, i) => c === '' || c === p[i]);
}

/** Whether two wildcard patterns can match a common URI. */
function overlaps(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  return x.length === y.length && x.every((c, i) => c === '' || y[i] === '' || c === y[i]);
}

function mostSpecific(perms: Permissions, uri: string): PermissionConfig | undefined {
  return (
    perms.exact.get(uri) ??
    perms.prefix.find((p) => matchesPrefix(uri, p.uri)) ??
    perms.wildcard.find((p) => matchesWildcard(uri, p.uri))
  );
}

function literalComponents(pattern: string): number {
  return pattern.split('.').filter((c) => c !== '').length;
}
