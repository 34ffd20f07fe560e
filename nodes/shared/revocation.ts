// A registration or subscription the router revoked (UNREGISTERED / UNSUBSCRIBED with request 0,
// e.g. after `wamp.registration.remove` / `wamp.subscription.remove` in the meta API): its node
// shows it as a red status with the router's reason, until the next session restores it.
import { reasonOf } from './errors';
import { WampError } from './library';
import type { NodeAPI, NodeStatus } from './red-types';

/** The router's `details.reason` in short ("wamp.error.removed" -> "removed"); '' when it gave none. */
export function revocationReason(details: Record<string, unknown> | undefined): string {
  const reason = details?.reason;
  return typeof reason === 'string' && reason !== '' ? reasonOf(new WampError(reason)) : '';
}

/** "revoked" or "revoked (reason)", in the node's language (`<type>.status.revoked[-reason]`). */
export function revokedText(
  RED: NodeAPI,
  type: string,
  details: Record<string, unknown> | undefined,
): string {
  const reason = revocationReason(details);
  return reason ? RED._(`${type}.status.revoked-reason`, { reason }) : RED._(`${type}.status.revoked`);
}

/** The red status of a revoked registration or subscription: `<type>.status.failed` with the text. */
export function revokedStatus(
  RED: NodeAPI,
  type: string,
  details: Record<string, unknown> | undefined,
): NodeStatus {
  return {
    fill: 'red',
    shape: 'dot',
    text: RED._(`${type}.status.failed`, { error: revokedText(RED, type, details) }),
  };
}
