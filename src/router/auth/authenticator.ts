// The contract between the router's session handshake and each authentication method.
import type { ChannelBinding } from '../../transports/channel-binding';
import type { Dict } from '../../wamp/messages';

export interface HelloInfo {
  realm: string;
  sessionId: number;
  authid?: string;
  authmethods: string[];
  authextra: Dict;
  /** The TLS channel binding of the connection the HELLO came on, if it is TLS. */
  channelBinding?: ChannelBinding;
}

export interface Identity {
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  authextra?: Dict;
}

export type AuthOutcome =
  | { kind: 'welcome'; identity: Identity }
  /** Send CHALLENGE [4, method, extra]; AUTHENTICATE's signature and extra go to `verify`. */
  | { kind: 'challenge'; method: string; extra: Dict; verify(signature: string, extra: Dict): AuthOutcome }
  /** ABORT with `reason` (a wamp.error.* URI); `message` never says which part of a login was wrong. */
  | { kind: 'abort'; reason: string; message: string };

export interface Authenticator {
  readonly method: string;
  begin(hello: HelloInfo): AuthOutcome;
}
