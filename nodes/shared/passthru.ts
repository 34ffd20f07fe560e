// Payload passthru mode through the nodes: `msg.ppt` = {scheme, serializer?, cipher?, keyid?}
// stands for the WAMP options `ppt_scheme`, `ppt_serializer`, `ppt_cipher`, `ppt_keyid`. On the
// way out (wamp-publish, wamp-call, wamp-response) it makes the message a passthru one, whose
// one argument is `msg.payload` as it is: a Buffer, sent untouched (end-to-end encrypted data, an
// MQTT message, another serializer's bytes); the router forwards it without reading it. On the
// way in (wamp-subscribe, wamp-register, wamp-call's result) the options come back as `msg.ppt`.
import type { NodeMessage } from './red-types';

export interface MsgPpt {
  scheme: string;
  serializer?: string;
  cipher?: string;
  keyid?: string;
}

const FIELDS = ['scheme', 'serializer', 'cipher', 'keyid'] as const;

/** `msg.ppt` from the `ppt_*` details of an EVENT, INVOCATION or RESULT; undefined when absent. */
export function pptOf(details: Record<string, unknown>): MsgPpt | undefined {
  const scheme = details.ppt_scheme;
  if (typeof scheme !== 'string' || scheme === '') return undefined;
  const ppt: MsgPpt = { scheme };
  for (const f of FIELDS) {
    const v = details[`ppt_${f}`];
    if (f !== 'scheme' && typeof v === 'string') ppt[f] = v;
  }
  return ppt;
}

/** Sets `msg.ppt` from the details, or removes one the message carried before. */
export function putPpt(msg: NodeMessage, details: Record<string, unknown>): void {
  const ppt = pptOf(details);
  if (ppt) msg.ppt = ppt;
  else if (msg.ppt !== undefined) delete msg.ppt;
}

/** The user's text for a `msg.ppt` that does not fit (looked up only then, not per message). */
export type PassthruTexts = (problem: 'invalid' | 'not-binary') => string;

export interface Passthru {
  options: Record<string, string>;
  args: unknown[];
}

/**
 * The `ppt_*` options and the one binary argument of a message with `msg.ppt`; undefined without
 * one. Throws an Error with a text for the user when `msg.ppt` or the payload does not fit.
 */
export function passthruOf(msg: NodeMessage, text: PassthruTexts): Passthru | undefined {
  const ppt = msg.ppt;
  if (ppt === undefined || ppt === null || ppt === false) return undefined;
  if (typeof ppt !== 'object' || Array.isArray(ppt)) throw new Error(text('invalid'));
  const p = ppt as Record<string, unknown>;
  if (typeof p.scheme !== 'string' || p.scheme.trim() === '') throw new Error(text('invalid'));
  const options: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = p[f];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') throw new Error(text('invalid'));
    options[`ppt_${f}`] = v;
  }
  const payload = msg.payload;
  if (!(payload instanceof Uint8Array)) throw new Error(text('not-binary'));
  return { options, args: [payload] };
}
