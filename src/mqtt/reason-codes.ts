// MQTT's answer codes: 3.1.1 return codes in CONNACK, MQTT 5 reason codes everywhere, and which
// one a WAMP refusal (an ABORT or ERROR URI) becomes.
import { ErrorUri } from '../wamp/errors';

/** MQTT 5 reason codes used here (spec section 2.4). */
export const Reason = {
  UNSPECIFIED: 0x80,
  MALFORMED_PACKET: 0x81,
  PROTOCOL_ERROR: 0x82,
  IMPLEMENTATION_SPECIFIC: 0x83,
  CLIENT_IDENTIFIER_NOT_VALID: 0x85,
  BAD_USERNAME_OR_PASSWORD: 0x86,
  NOT_AUTHORIZED: 0x87,
  SERVER_UNAVAILABLE: 0x88,
  SERVER_SHUTTING_DOWN: 0x8b,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  SESSION_TAKEN_OVER: 0x8e,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  NO_SUBSCRIPTION_EXISTED: 0x11,
  PACKET_TOO_LARGE: 0x95,
  QUOTA_EXCEEDED: 0x97,
} as const;

/** MQTT 3.1.1 CONNACK return codes. */
const Return = {
  ACCEPTED: 0,
  UNACCEPTABLE_PROTOCOL: 1,
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;

const AUTHENTICATION = new Set<string>([
  ErrorUri.AUTHENTICATION_FAILED,
  ErrorUri.NO_MATCHING_AUTH_METHOD,
  ErrorUri.NO_SUCH_PRINCIPAL,
  ErrorUri.CANNOT_AUTHENTICATE,
]);
const AUTHORIZATION = new Set<string>([
  ErrorUri.NOT_AUTHORIZED,
  ErrorUri.AUTHORIZATION_FAILED,
  ErrorUri.NO_SUCH_ROLE,
  ErrorUri.NO_SUCH_REALM,
]);

export function acceptCode(version: number): { returnCode: number } | { reasonCode: number } {
  return version === 5 ? { reasonCode: 0 } : { returnCode: Return.ACCEPTED };
}

/** CONNACK's refusal of a client identifier (3.1.1 return code 2, MQTT 5 reason 0x85). */
export function identifierRejectedCode(version: number): number {
  return version === 5 ? Reason.CLIENT_IDENTIFIER_NOT_VALID : Return.IDENTIFIER_REJECTED;
}

/** The CONNACK code for a WAMP ABORT reason (MQTT 5 reason code, or 3.1.1 return code). */
export function connackCode(abortReason: string, version: number): number {
  const v5 = version === 5;
  if (AUTHENTICATION.has(abortReason))
    return v5 ? Reason.BAD_USERNAME_OR_PASSWORD : Return.BAD_USERNAME_OR_PASSWORD;
  if (AUTHORIZATION.has(abortReason)) return v5 ? Reason.NOT_AUTHORIZED : Return.NOT_AUTHORIZED;
  return v5 ? Reason.SERVER_UNAVAILABLE : Return.SERVER_UNAVAILABLE;
}

/** The MQTT 5 reason code for a refused SUBSCRIBE, UNSUBSCRIBE, PUBLISH or CALL. */
export function refusalCode(errorUri: string): number {
  if (AUTHORIZATION.has(errorUri)) return Reason.NOT_AUTHORIZED;
  if (errorUri === ErrorUri.INVALID_URI) return Reason.TOPIC_NAME_INVALID;
  if (errorUri === ErrorUri.NO_SUCH_SUBSCRIPTION) return Reason.NO_SUBSCRIPTION_EXISTED;
  if (errorUri === ErrorUri.PAYLOAD_SIZE_EXCEEDED) return Reason.PACKET_TOO_LARGE;
  return Reason.IMPLEMENTATION_SPECIFIC;
}
