// The router's nesting limit (limits.maxDepth) on what it passes on. A message from the network
// is walked as it arrives: its receivers may have to encode it. An in-process sender's payload
// reaches in-process receivers by reference, where depth costs nothing and nothing is encoded,
// so a large one's walk waits until a network receiver needs it encoded; the verdict then serves
// every other receiver of the same payload. A small payload, options and details are walked at
// once.
import { nestsDeeperThan, nestsDeeperWithin } from '../wamp/depth';
import { MessageType as M, type WampMessage } from '../wamp/messages';

/** Payloads of in-process senders not walked yet. */
const unwalked = new WeakSet<object>();
/** Payloads walked since and found nested too deep. */
const tooDeep = new WeakSet<object>();
/**
 * Whether `tooDeep` ever held anything: until then (the usual case) an arriving payload has no
 * verdict to clear, and the WeakSet is left alone (each operation on it is a hash lookup).
 */
let anyTooDeep = false;
/** Values of an in-process payload walked as it arrives; a larger payload is walked when needed. */
const WALK_NOW = 64;

/** Where a message's payload (Arguments, ArgumentsKw) starts, or -1 for a type without one. */
function payloadAt(type: number): number {
  switch (type) {
    case M.CALL:
    case M.PUBLISH:
    case M.EVENT:
    case M.INVOCATION:
      return 4;
    case M.YIELD:
    case M.RESULT:
      return 3;
    case M.ERROR:
      return 5;
    default:
      return -1;
  }
}

/**
 * Whether an arriving message is nested deeper than `maxDepth` levels (the message itself is
 * one). From an in-process sender only its options are walked now; its payload is left for
 * `leavesTooDeep`.
 */
export function arrivesTooDeep(msg: WampMessage, maxDepth: number, inProcess: boolean): boolean {
  const at = inProcess ? payloadAt(msg[0]) : -1;
  if (at < 0) return nestsDeeperThan(msg, maxDepth);
  for (let i = 1; i < msg.length; i++) {
    const v: unknown = msg[i];
    if (typeof v !== 'object' || v === null) continue;
    if (i < at) {
      if (nestsDeeperThan(v, maxDepth - 1)) return true;
    } else {
      // The sender may have changed a payload it sent before: judged afresh.
      if (anyTooDeep) tooDeep.delete(v);
      // A small payload (the usual case) is judged now: cheaper than a WeakSet entry, whose
      // ephemeron table every minor GC has to sweep (at full call rates that was most of the GC).
      // A larger one waits for a network receiver, if one ever needs it encoded.
      const deep = nestsDeeperWithin(v, maxDepth - 1, WALK_NOW);
      if (deep === undefined) unwalked.add(v);
      else if (deep) markTooDeep(v);
    }
  }
  return false;
}

/** Whether a message about to be encoded for the network carries an in-process payload nested too deep. */
export function leavesTooDeep(msg: WampMessage, maxDepth: number): boolean {
  const at = payloadAt(msg[0]);
  if (at < 0) return false;
  for (let i = at; i < msg.length; i++) {
    const v: unknown = msg[i];
    if (typeof v !== 'object' || v === null) continue;
    if (unwalked.has(v)) {
      unwalked.delete(v);
      if (nestsDeeperThan(v, maxDepth - 1)) markTooDeep(v);
    }
    if (tooDeep.has(v)) return true;
  }
  return false;
}

function markTooDeep(v: object): void {
  tooDeep.add(v);
  anyTooDeep = true;
}
