// Payload passthru mode (advanced profile): a CALL, YIELD or PUBLISH whose options carry a
// non-empty `ppt_scheme` holds a payload the router must not inspect or transcode (end-to-end
// encrypted data, an MQTT message as is). The router checks only the spec's shape (one binary
// argument, no keyword arguments), forwards the `ppt_*` options as details, and needs every peer
// on the way to have announced the feature.
import type { RouterSession } from './session';
import type { Role } from '../wamp/features';
import { ErrorUri, WampError } from '../wamp/errors';
import type { Dict, Payload } from '../wamp/messages';

export const PASSTHRU_FEATURE = 'payload_passthru_mode';
const KEYS = ['ppt_scheme', 'ppt_serializer', 'ppt_cipher', 'ppt_keyid'] as const;

/** The `ppt_*` options of a message in passthru mode, or undefined when it is not. */
export function passthruOf(options: Dict): Dict | undefined {
  const scheme = options.ppt_scheme;
  if (typeof scheme !== 'string' || scheme.length === 0) return undefined;
  const out: Dict = {};
  for (const k of KEYS) if (options[k] !== undefined) out[k] = options[k];
  return out;
}

/**
 * What is wrong with a passthru message from `sender` in `role`: a string for a protocol
 * violation (the feature not announced), a WampError for a bad shape, else undefined.
 */
export function passthruProblem(
  sender: RouterSession,
  role: Role,
  ppt: Dict,
  payload: Payload,
): string | WampError | undefined {
  if (!sender.has(role, PASSTHRU_FEATURE))
    return `payload passthru (ppt_scheme) from a ${role} that did not announce ${PASSTHRU_FEATURE}`;
  for (const k of KEYS)
    if (ppt[k] !== undefined && typeof ppt[k] !== 'string')
      return new WampError(ErrorUri.INVALID_ARGUMENT, [`option ${k} must be a string`]);
  const [args, kwargs] = payload as [unknown[] | undefined, Dict | undefined];
  const binary = Array.isArray(args) && args.length === 1 && args[0] instanceof Uint8Array;
  if (!binary || (kwargs !== undefined && Object.keys(kwargs).length > 0))
    return new WampError(ErrorUri.INVALID_ARGUMENT, [
      'a passthru payload is one binary item in Arguments, with no ArgumentsKw',
    ]);
  return undefined;
}

/** ERROR wamp.error.feature_not_supported for a receiver that cannot take a passthru payload. */
export function passthruUnsupported(who: string): WampError {
  return new WampError(ErrorUri.FEATURE_NOT_SUPPORTED, [`${who} does not support ${PASSTHRU_FEATURE}`]);
}
