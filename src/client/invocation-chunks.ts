// Progressive call invocations (advanced profile), the callee's side: the INVOCATIONs that follow
// a first one with `details.progress` carry the same request ID and are more chunks of that one
// call, the last without `progress`. The handler runs once, on the first chunk; the others reach
// it through `Invocation.onChunk`, held until it listens.
import type { Dict } from '../wamp/messages';

export interface InvocationChunk {
  args: unknown[];
  kwargs: Record<string, unknown>;
  details: Dict;
  /** The caller's last chunk (its INVOCATION had no `progress`). */
  final: boolean;
}

export type ChunkListener = (chunk: InvocationChunk) => void;

/** The chunks of one invocation after the first. */
export class InvocationChunks {
  /** True once the last chunk arrived. */
  final = false;
  private held: InvocationChunk[] = [];
  private readonly listeners = new Set<ChunkListener>();

  push(chunk: InvocationChunk): void {
    if (chunk.final) this.final = true;
    if (this.listeners.size === 0) {
      this.held.push(chunk);
      return;
    }
    for (const listener of [...this.listeners]) deliver(listener, chunk);
  }

  /** Listens; chunks that came before the first listener are handed to it at once. */
  listen(listener: ChunkListener): () => void {
    this.listeners.add(listener);
    const held = this.held;
    this.held = [];
    for (const chunk of held) deliver(listener, chunk);
    return () => this.listeners.delete(listener);
  }

  /** The handler has answered: later chunks have nowhere to go. */
  clear(): void {
    this.held = [];
    this.listeners.clear();
  }
}

function deliver(listener: ChunkListener, chunk: InvocationChunk): void {
  try {
    listener(chunk);
  } catch {
    // The application's listener must not break the session.
  }
}

/**
 * Request IDs of streamed invocations answered (or interrupted) before their last chunk: chunks
 * already on their way for those are dropped, not taken for new invocations. Bounded, oldest
 * first out, since a caller that stops streaming never sends the last chunk that would clear one.
 */
export class EndedStreams {
  private readonly ids = new Set<number>();

  constructor(private readonly max = 1024) {}

  add(id: number): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as number);
  }

  /** True for a late chunk of an ended stream (forgotten once its last chunk came). */
  late(id: number, final: boolean): boolean {
    if (!this.ids.has(id)) return false;
    if (final) this.ids.delete(id);
    return true;
  }
}
