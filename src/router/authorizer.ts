// Which role may do what: a role's permissions name URIs (exact, prefix or wildcard) and the
// actions allowed on them. The most specific permission matching a URI decides, alone — exact
// over the longest prefix over wildcard — so a narrow rule can deny inside a broad grant.
// The router's own `wamp.` namespace is not this file's concern: the router refuses clients'
// REGISTER and PUBLISH there (uri.ts isReservedUri) before asking for authorization.
import type { Action, PermissionConfig, RoleConfig } from './config';
import { matchesPrefix, matchesWildcard } from '../wamp/uri';

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
