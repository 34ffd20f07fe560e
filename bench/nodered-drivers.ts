// Running bench-driver nodes by node id: the harness (nodered.ts) runs Node-RED in its own
// process and reaches the drivers through this module, which both sides require by one path.

export interface DriveResult {
  /** Messages that came back within the measured window. */
  completed: number;
  elapsedMs: number;
  /** CPU time (user + system) of the whole process over the window, µs. */
  cpuMicros: number;
  /** Window slots given up as lost (no message back for a while: a QoS 0 drop). */
  lost: number;
}

export interface Driver {
  /** Resolves true once one message makes the round trip (the flow's sessions are up). */
  probe(timeoutMs: number): Promise<boolean>;
  drive(window: number, warmupMs: number, durationMs: number): Promise<DriveResult>;
}

export const drivers = new Map<string, Driver>();
