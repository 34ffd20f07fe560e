// What a role processor (caller, callee, publisher, subscriber) may ask of its session.
import { ErrorUri, toWampError, type WampError } from '../wamp/errors';
import type { Dict, WampMessage } from '../wamp/messages';

export interface RoleContext {
  /** Throws a WampError (invalid_argument) when the message cannot be serialized. */
  send(message: WampMessage): void;
  /** The next session-scope request ID. */
  nextId(): number;
  /** True while the session is established (after WELCOME, before GOODBYE/ABORT/close). */
  readonly isOpen: boolean;
  /** The error a request gets when the session is not (or no longer) open. */
  closedError(): WampError;
  /** Whether WELCOME announced `feature` for the router's `role`. */
  routerHas(role: 'broker' | 'dealer', feature: string): boolean;
  /** The router broke the protocol: ABORT and close. */
  violation(text: string): void;
  /** A registration or subscription the router revoked (request 0 UNREGISTERED/UNSUBSCRIBED). */
  revoked(kind: 'registration' | 'subscription', id: number, details: Dict): void;
}

/** Drops undefined values so that every serializer sends the same dict (JSON would drop them, MsgPack would not). */
export function cleanDict<T extends Dict>(d: T): T {
  const out: Dict = {};
  for (const [k, v] of Object.entries(d)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Sends, turning a serialization failure into a returned error instead of a throw. */
export function trySend(ctx: RoleContext, message: WampMessage): WampError | null {
  try {
    ctx.send(message);
    return null;
  } catch (e) {
    return toWampError(e, ErrorUri.INVALID_ARGUMENT);
  }
}
