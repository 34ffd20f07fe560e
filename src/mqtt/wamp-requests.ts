// The WAMP requests one MQTT connection has in flight with the router (SUBSCRIBE, acknowledged
// PUBLISH, the testament calls): each waits for its answer, SUBSCRIBED / PUBLISHED / RESULT /
// UNSUBSCRIBED or an ERROR, which `settle` hands to the part that asked.
import type { Answer } from './mqtt-link';

export class WampRequests {
  private next = 1;
  private readonly pending = new Map<number, Answer>();

  /** A fresh request ID (per session, as WAMP clients count them). */
  id(): number {
    return this.next++;
  }

  /** Registers an answer under a fresh request ID and returns that ID. */
  open(answer: Answer): number {
    const id = this.next++;
    this.pending.set(id, answer);
    return id;
  }

  /** The router answered `request`: `code` 0 for success, else the MQTT reason/return code. */
  settle(request: number, code: number, subscription?: number, error?: string): void {
    const answer = this.pending.get(request);
    if (!answer) return;
    this.pending.delete(request);
    answer(code, error, code === 0 ? subscription : undefined);
  }
}
