// What a wamp-call node reads from its configuration and from each message before calling: the
// procedure, the timeout, and where the result goes. Kept apart from the node's message path.
//
// Compatibility: a node saved before these fields were typedInputs has no `procedureType`,
// `timeoutType` or `propertyType`. It reads exactly as before: the procedure is a string, and when
// empty `msg.procedure`, else `msg.topic` (as an empty string field still does, the way mqtt out
// takes `msg.topic`); its saved timeout `''` means none; the result goes to `msg.payload`.
import { nonEmptyString } from './payload';
import type { Node, NodeAPI, NodeMessage } from './red-types';
import { describe, evaluated, type TypedProperty, typedProperty } from './typed-property';

/**
 * Seconds a call waits for its result when the node says nothing else. Node-RED's http request
 * waits 120 s (its `httpRequestTimeout` default), and so does this: long enough for any callee that
 * answers at all, and longer than wamp-register's own 60 s answer timeout, so that a Node-RED
 * callee's more telling error reaches the caller first.
 */
export const DEFAULT_CALL_TIMEOUT_S = 120;

export interface WampCallConfig {
  procedure?: string;
  procedureType?: string;
  /** Seconds; 0 for none. */
  timeout?: number | string;
  timeoutType?: string;
  /** Where the result goes: a msg property (default `payload`), or flow/global context. */
  property?: string;
  propertyType?: string;
}

export interface CallSettings {
  procedure: string;
  /** Milliseconds; undefined for none. */
  timeoutMs: number | undefined;
}

export class CallConfig {
  readonly procedure: TypedProperty;
  readonly timeout: TypedProperty | undefined;
  readonly result: TypedProperty;

  constructor(
    private readonly RED: NodeAPI,
    def: WampCallConfig,
  ) {
    this.procedure = typedProperty(def.procedure, def.procedureType, 'str');
    // No timeout saved at all (a flow written by hand): the default. Saved empty by the editor
    // before the timeout was a typedInput: none, as it was then.
    this.timeout =
      def.timeout === undefined && def.timeoutType === undefined
        ? undefined
        : typedProperty(def.timeout, def.timeoutType, 'num');
    this.result = typedProperty(def.property || 'payload', def.propertyType, 'msg');
    this.fixed = this.fixedSettings();
  }

  /**
   * The settings of every message without `msg.timeout` when the node itself names the procedure
   * (a string) and the timeout (a number or the default): made once, shared (frozen). Undefined
   * otherwise, or when the node's timeout is invalid (each message then reports it).
   */
  readonly fixed: CallSettings | undefined;

  private fixedSettings(): CallSettings | undefined {
    if (this.procedure.type !== 'str') return undefined;
    const t = this.timeout;
    if (t !== undefined && t.type !== 'num') return undefined;
    const procedure = nonEmptyString(this.procedure.value);
    if (!procedure) return undefined;
    try {
      return Object.freeze(this.settingsNow({ _msgid: '' })!);
    } catch {
      return undefined;
    }
  }

  /** True when the result goes to msg.payload, the default (and the only place before). */
  get resultInPayload(): boolean {
    return this.result.type === 'msg' && this.result.value === 'payload';
  }

  /**
   * The settings at once when they need no evaluation (a string procedure, a number or default
   * timeout): the common case, kept free of promises on the message path. Undefined when a
   * property must be evaluated (`settings`); throws a message for the user.
   */
  settingsNow(msg: NodeMessage): CallSettings | undefined {
    // The node names the procedure and the message no timeout: the same settings every time.
    if (msg.timeout === undefined && this.fixed !== undefined) return this.fixed;
    if (this.procedure.type !== 'str') return undefined;
    const t = this.timeout;
    if (msg.timeout === undefined && t !== undefined && t.type !== 'num') return undefined;
    const procedure =
      nonEmptyString(this.procedure.value) ?? nonEmptyString(msg.procedure) ?? nonEmptyString(msg.topic);
    if (!procedure) throw new Error(this.RED._('wamp-call.errors.no-procedure'));
    let timeoutMs: number | undefined;
    if (msg.timeout !== undefined) timeoutMs = this.toMs(msg.timeout, 'msg.timeout');
    else if (t === undefined) timeoutMs = DEFAULT_CALL_TIMEOUT_S * 1000;
    else
      timeoutMs =
        t.value.trim() === '' ? undefined : this.toMs(t.value, this.RED._('wamp-call.label.timeout'));
    return { procedure, timeoutMs };
  }

  /** The procedure and timeout of the call for `msg`; rejects with a message for the user. */
  async settings(node: Node, msg: NodeMessage): Promise<CallSettings> {
    const [procedure, timeoutMs] = await Promise.all([
      this.procedureFor(node, msg),
      this.timeoutFor(node, msg),
    ]);
    return { procedure, timeoutMs };
  }

  private async procedureFor(node: Node, msg: NodeMessage): Promise<string> {
    const p = this.procedure;
    if (p.type === 'str') {
      const procedure = nonEmptyString(p.value) ?? nonEmptyString(msg.procedure) ?? nonEmptyString(msg.topic);
      if (!procedure) throw new Error(this.RED._('wamp-call.errors.no-procedure'));
      return procedure;
    }
    const procedure = nonEmptyString(await evaluated(this.RED, p, node, msg));
    if (!procedure)
      throw new Error(this.RED._('wamp-call.errors.procedure-empty', { property: describe(p) }));
    return procedure;
  }

  /** `msg.timeout` when the message has one, else the node's; empty means the default. */
  private async timeoutFor(node: Node, msg: NodeMessage): Promise<number | undefined> {
    if (msg.timeout !== undefined) return this.toMs(msg.timeout, 'msg.timeout');
    const p = this.timeout;
    if (p === undefined) return DEFAULT_CALL_TIMEOUT_S * 1000;
    if (p.type === 'num')
      return p.value.trim() === '' ? undefined : this.toMs(p.value, this.RED._('wamp-call.label.timeout'));
    const value = await evaluated(this.RED, p, node, msg);
    if (value === undefined || value === null || value === '') return DEFAULT_CALL_TIMEOUT_S * 1000;
    return this.toMs(value, describe(p));
  }

  private toMs(value: unknown, source: string): number | undefined {
    const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)
      throw new Error(this.RED._('wamp-call.errors.invalid-timeout', { source, value: String(value) }));
    return seconds === 0 ? undefined : Math.max(1, Math.round(seconds * 1000));
  }
}
