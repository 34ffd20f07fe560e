// What a benchmark target (a router under test) offers once started in its child process.
import type { Codec } from '../wire';

export interface RunningTarget {
  /** WebSocket URL. */
  wsUrl: string;
  /** Port speaking RawSocket, if the target supports it. */
  rawPort?: number;
  /** HTTP long-poll base URL, if the target supports it. */
  longPollUrl?: string;
  /** Serializers the target speaks; scenarios needing another one are skipped. */
  codecs: Codec[];
  close(): Promise<void>;
}

export type StartTarget = () => Promise<RunningTarget>;
