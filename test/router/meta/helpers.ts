// Helpers for the meta API tests: logins with a chosen authid and role, calls with kwargs, and
// events picked by subscription.
import assert from 'node:assert/strict';
import { Router } from '../../../src/router';
import type { RealmConfig, RoleConfig } from '../../../src/router/config';
import type { Authenticator, AuthOutcome, HelloInfo } from '../../../src/router/auth/authenticator';
import type { RouterSession } from '../../../src/router/session';
import { MessageType as M } from '../../../src/wamp/messages';
import { ALL_ROLES, Peer, type Msg } from '../peer';

/** Welcomes at once; HELLO authid "alice@admin" logs in as authid alice with role admin (default role user). */
export class NamedLogin implements Authenticator {
  readonly method = 'anonymous';
  begin(hello: HelloInfo): AuthOutcome {
    const [authid, authrole = 'user'] = (hello.authid ?? `anon${hello.sessionId}`).split('@');
    return { kind: 'welcome', identity: { authid, authrole, authmethod: 'anonymous', authprovider: 'test' } };
  }
}

/**
 * Roles for the meta tests: every role may do everything, and is granted the router's `wamp.`
 * namespace by name, which the kill procedures and remote addresses need.
 */
export const META_ROLES: RoleConfig[] = ['user', 'admin', 'device', 'guest', 'anonymous'].map((name) => ({
  name,
  permissions: [
    { uri: '', match: 'prefix', call: true, register: true, publish: true, subscribe: true },
    { uri: 'wamp.', match: 'prefix', call: true, subscribe: true },
  ],
}));

/** A router whose one realm (by default realm1 with META_ROLES) logs in by NamedLogin. */
export function namedLoginRouter(realm: RealmConfig = { name: 'realm1', roles: META_ROLES }): Router {
  return new Router({ realms: [realm], authenticators: () => [new NamedLogin()] });
}

export function joinAs(router: Router, login: string, realm = 'realm1'): Promise<Peer> {
  return Peer.join(router, realm, { roles: ALL_ROLES, authid: login });
}

/** CALL with positional and keyword arguments; the RESULT or ERROR that answers it. */
export function call(
  peer: Peer,
  procedure: string,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
  options: Record<string, unknown> = {},
): Promise<Msg> {
  const request = peer.request();
  peer.send([M.CALL, request, options, procedure, args, kwargs]);
  return peer.answer(request, M.RESULT);
}

/** The positional results of a successful call. */
export async function results(
  peer: Peer,
  procedure: string,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
): Promise<unknown[]> {
  const m = await call(peer, procedure, args, kwargs);
  assert.equal(m[0], M.RESULT, `${procedure} failed: ${JSON.stringify(m)}`);
  return (m[3] as unknown[] | undefined) ?? [];
}

/** The error URI of a failed call. */
export async function failure(
  peer: Peer,
  procedure: string,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
): Promise<string> {
  const m = await call(peer, procedure, args, kwargs);
  assert.equal(m[0], M.ERROR, `${procedure} should fail: ${JSON.stringify(m)}`);
  return m[4] as string;
}

/** The next EVENT of subscription `sub`; events of other subscriptions stay queued. */
export async function eventOn(peer: Peer, sub: number): Promise<Msg> {
  const others: Msg[] = [];
  try {
    for (;;) {
      const m = await peer.next(M.EVENT);
      if (m[1] === sub) return m;
      others.push(m);
    }
  } finally {
    peer.received.unshift(...others);
  }
}

/** The events of `sub` received so far (after a `sync`), taken from the queue. */
export function takeEvents(peer: Peer, sub: number): Msg[] {
  const mine = peer.received.filter((m) => m[0] === M.EVENT && m[1] === sub);
  for (const m of mine) peer.received.splice(peer.received.indexOf(m), 1);
  return mine;
}

/** The router's own meta peer session in `realm`. */
export function metaSession(router: Router, realm = 'realm1'): RouterSession {
  const s = [...router.realm(realm)!.sessions.values()].find((x) => x.internal);
  assert.ok(s, 'the realm has a meta peer');
  return s;
}
