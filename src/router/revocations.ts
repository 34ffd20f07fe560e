// The realm's recent revocations: registrations and subscriptions the router took from a session
// (the meta API's remove procedures), newest last, for the editor's router view. Bounded: only
// the last few are worth showing, and a busy admin script must not grow the router.
import type { MatchPolicy } from '../wamp/options';

export interface Revocation {
  at: Date;
  kind: 'registration' | 'subscription';
  /** The registration or subscription ID. */
  id: number;
  uri: string;
  match: MatchPolicy;
  /** The session it was taken from. */
  session: number;
  authid: string;
  reason: string;
}

export const MAX_REVOCATIONS_KEPT = 20;

export class RevocationLog {
  private readonly entries: Revocation[] = [];

  add(entry: Revocation): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_REVOCATIONS_KEPT) this.entries.shift();
  }

  /** The kept revocations, oldest first (a copy). */
  list(): Revocation[] {
    return [...this.entries];
  }
}
