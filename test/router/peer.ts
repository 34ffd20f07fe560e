// A raw-message test peer: sends tuples as they are and awaits the next message of a type.
// Messages of other types stay queued, so a test can await them in any order.
import type { Router } from '../../src/router';
import type { CloseInfo, Transport } from '../../src/transports/transport';
import { MessageName, MessageType as M } from '../../src/wamp/messages';

export type Msg = unknown[];

const WAIT_MS = 1000;

/** Roles with every client feature the router can use. */
export const ALL_ROLES = {
  caller: {
    features: {
      progressive_call_results: true,
      call_canceling: true,
      call_timeout: true,
      caller_identification: true,
    },
  },
  callee: {
    features: {
      progressive_call_results: true,
      call_canceling: true,
      call_timeout: true,
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
    },
  },
  publisher: {
    features: {
      publisher_exclusion: true,
      publisher_identification: true,
      subscriber_blackwhite_listing: true,
    },
  },
  subscriber: { features: { pattern_based_subscription: true, event_retention: true } },
};

interface Waiter {
  match(m: Msg): boolean;
  resolve(m: Msg): void;
}

export class Peer {
  readonly received: Msg[] = [];
  readonly closed: Promise<CloseInfo>;
  sessionId = 0;
  welcome: Record<string, unknown> = {};
  private waiters: Waiter[] = [];
  private nextRequest = 1000;
  private isClosed = false;
  private saidGoodbye = false;

  constructor(readonly transport: Transport) {
    let onClose!: (info: CloseInfo) => void;
    this.closed = new Promise((resolve) => (onClose = resolve));
    transport.attach({
      onMessage: (value) => this.deliver(value as Msg),
      onDecodeError: () => {},
      onClose: (info) => {
        this.isClosed = true;
        onClose(info);
      },
    });
  }

  /** Connects to `router` in-process and joins `realm`, expecting WELCOME. */
  static async join(
    router: Router,
    realm = 'realm1',
    details: Record<string, unknown> = { roles: ALL_ROLES },
  ): Promise<Peer> {
    const peer = new Peer(router.connectLocal());
    peer.send([M.HELLO, realm, details]);
    const welcome = await peer.next(M.WELCOME);
    peer.sessionId = welcome[1] as number;
    peer.welcome = welcome[2] as Record<string, unknown>;
    return peer;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  request(): number {
    return this.nextRequest++;
  }

  send(message: Msg): void {
    if (message[0] === M.GOODBYE) this.saidGoodbye = true;
    this.transport.send(message);
  }

  /** The next message of `type`, taken from the queue or awaited. */
  next(type: number | number[], timeoutMs = WAIT_MS): Promise<Msg> {
    const types = Array.isArray(type) ? type : [type];
    const i = this.received.findIndex((m) => types.includes(m[0] as number));
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: (m) => types.includes(m[0] as number),
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no ${types.map((t) => MessageName[t]).join('/')} within ${timeoutMs} ms; queued: ${JSON.stringify(this.received)}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * A round trip through the router: every message the router sent this peer before handling
   * the probe has arrived once it returns (delivery is ordered).
   */
  async sync(): Promise<void> {
    const request = this.request();
    this.send([M.UNSUBSCRIBE, request, 1]);
    for (;;) {
      const err = await this.next(M.ERROR);
      if (err[2] === request) return;
      this.received.unshift(err);
    }
  }

  /** Messages of `type` received so far (left in the queue). */
  queued(type: number): Msg[] {
    return this.received.filter((m) => m[0] === type);
  }

  async call(procedure: string, args?: unknown[], options: Record<string, unknown> = {}): Promise<Msg> {
    const request = this.request();
    this.send(args ? [M.CALL, request, options, procedure, args] : [M.CALL, request, options, procedure]);
    return this.answer(request, M.RESULT);
  }

  /** Sends CALL (no wait); its request ID. */
  sendCall(
    procedure: string,
    options: Record<string, unknown> = {},
    args?: unknown[],
    kwargs?: Record<string, unknown>,
  ): number {
    const request = this.request();
    const msg: unknown[] = [M.CALL, request, options, procedure];
    if (args) msg.push(args);
    if (kwargs) msg.push(kwargs);
    this.send(msg);
    return request;
  }

  /** Awaits ABORT wamp.error.protocol_violation, its message matching `about` if given. */
  async protocolViolation(about?: RegExp): Promise<Msg> {
    const abort = await this.next(M.ABORT);
    if (abort[2] !== 'wamp.error.protocol_violation')
      throw new Error(
        `ABORT ${String(abort[2])}, not wamp.error.protocol_violation: ${JSON.stringify(abort)}`,
      );
    const message = String((abort[1] as { message?: unknown }).message);
    if (about && !about.test(message)) throw new Error(`ABORT message "${message}" does not match ${about}`);
    return abort;
  }

  async register(procedure: string, options: Record<string, unknown> = {}): Promise<number> {
    const request = this.request();
    this.send([M.REGISTER, request, options, procedure]);
    const m = await this.answer(request, M.REGISTERED);
    if (m[0] !== M.REGISTERED) throw new Error(`REGISTER failed: ${JSON.stringify(m)}`);
    return m[2] as number;
  }

  async subscribe(topic: string, options: Record<string, unknown> = {}): Promise<number> {
    const request = this.request();
    this.send([M.SUBSCRIBE, request, options, topic]);
    const m = await this.answer(request, M.SUBSCRIBED);
    if (m[0] !== M.SUBSCRIBED) throw new Error(`SUBSCRIBE failed: ${JSON.stringify(m)}`);
    return m[2] as number;
  }

  /** The reply to `request`: a message of type `type` with it at index 1, or the ERROR for it. */
  answer(request: number, type: number, timeoutMs = WAIT_MS): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no answer to request ${request} within ${timeoutMs} ms; queued: ${JSON.stringify(this.received)}`,
          ),
        );
      }, timeoutMs);
      const isAnswer = (m: Msg) =>
        (m[0] === type && m[1] === request) || (m[0] === M.ERROR && m[2] === request);
      const waiter: Waiter = {
        match: isAnswer,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const i = this.received.findIndex(isAnswer);
      if (i >= 0) {
        clearTimeout(timer);
        resolve(this.received.splice(i, 1)[0]);
        return;
      }
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.transport.close();
  }

  private deliver(m: Msg): void {
    // Like a real client, answer a router's GOODBYE (but not the router's answer to ours).
    if (m[0] === M.GOODBYE && !this.saidGoodbye)
      this.transport.send([M.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    if (m[0] === M.GOODBYE) this.saidGoodbye = false;
    const i = this.waiters.findIndex((w) => w.match(m));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(m);
    } else this.received.push(m);
  }
}
