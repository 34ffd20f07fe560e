// Invocations waiting for a wamp-response node. Messages carry only the id of an entry
// (`msg._wamp.invocationId`): Node-RED clones messages, so the entry itself cannot travel.
import { randomBytes } from 'node:crypto';
import type { Args, Kwargs } from './library';

export interface PendingInvocation {
  /** The wamp-register node that received it: its close cancels what it still owns. */
  readonly owner: string;
  readonly procedure: string;
  /** Final answer; the entry is removed. */
  resolve(value: unknown): void;
  /** ERROR to the caller; the entry is removed. */
  reject(error: Error): void;
  /** A progressive result; the entry stays. Returns false when the caller did not ask for progress. */
  progress(args: Args, kwargs: Kwargs): boolean;
}

const pending = new Map<string, PendingInvocation>();

/**
 * Ids are a random per-process prefix and a counter: unique in this runtime and across restarts
 * (a message from before a redeploy finds nothing), without reading the system's randomness for
 * every invocation (that took ~9% of the CPU of a full-rate call flow).
 */
const idPrefix = randomBytes(6).toString('base64url');
let idCounter = 0;

export function addInvocation(entry: PendingInvocation): string {
  const id = `${idPrefix}.${(++idCounter).toString(36)}`;
  pending.set(id, entry);
  return id;
}

export function getInvocation(id: string): PendingInvocation | undefined {
  return pending.get(id);
}

export function removeInvocation(id: string): PendingInvocation | undefined {
  const entry = pending.get(id);
  pending.delete(id);
  return entry;
}

/** Fails every invocation still owned by `owner` (a node being closed or a lost session). */
export function rejectAllOwnedBy(owner: string, error: () => Error): number {
  let n = 0;
  for (const [id, entry] of pending) {
    if (entry.owner !== owner) continue;
    pending.delete(id);
    entry.reject(error());
    n++;
  }
  return n;
}

export function pendingCount(owner?: string): number {
  if (owner === undefined) return pending.size;
  let n = 0;
  for (const entry of pending.values()) if (entry.owner === owner) n++;
  return n;
}
