// The MQTT client identifiers connected to one router, and who may take one over.
//
// The spec (MQTT 3.1.1 [MQTT-3.1.4-2], MQTT 5 section 3.1.4): a CONNECT with the ClientId of a
// connected client disconnects that client (MQTT 5: DISCONNECT 0x8E "Session taken over") and
// lets the new one in. Followed blindly, any device that learns another's ClientId could keep it
// off the router. So an identifier held by an authenticated client is taken over only by the
// same user (same authid) in the same realm; anyone else is refused the identifier (CONNACK 0x02
// / 0x85) and the connected client stays. An identifier held by an anonymous client has no
// identity to protect: it is taken over as the spec says, by any client that logs in.
import { randomBytes } from 'node:crypto';

/** Who holds an identifier: the realm it joined and its authid (none when anonymous). */
export interface Principal {
  realm: string;
  /** Undefined for an anonymous session. */
  authid?: string;
}

/** A connection holding an identifier. */
export interface IdentifierHolder {
  readonly principal: Principal;
  /** Disconnects this client for a newcomer; resolves once its session has ended. */
  takeOver(): Promise<void>;
}

export type Claim = { granted: true; previous?: IdentifierHolder } | { granted: false };

export class MqttClientIds {
  private readonly held = new Map<string, IdentifierHolder>();

  /**
   * `holder` asks for `clientId`: granted (with the connected client it takes over, if any, which
   * the caller disconnects) or refused. A grant registers `holder` at once, so a third
   * connection racing the takeover meets the newcomer.
   */
  claim(clientId: string, holder: IdentifierHolder): Claim {
    const previous = this.held.get(clientId);
    if (previous && previous !== holder && !mayTakeOver(holder.principal, previous.principal))
      return { granted: false };
    this.held.set(clientId, holder);
    return previous && previous !== holder ? { granted: true, previous } : { granted: true };
  }

  /** The connection ended: its identifier is free (unless a newcomer took it over already). */
  release(clientId: string, holder: IdentifierHolder): void {
    if (this.held.get(clientId) === holder) this.held.delete(clientId);
  }

  /** An identifier for a client that sent none (MQTT-3.1.3-6), unused on this router. */
  assign(): string {
    for (;;) {
      const id = `auto-${randomBytes(9).toString('base64url')}`;
      if (!this.held.has(id)) return id;
    }
  }

  get size(): number {
    return this.held.size;
  }
}

function mayTakeOver(newcomer: Principal, holder: Principal): boolean {
  if (holder.authid === undefined) return true;
  return newcomer.authid === holder.authid && newcomer.realm === holder.realm;
}
