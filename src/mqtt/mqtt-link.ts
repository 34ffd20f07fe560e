// What the parts of one MQTT connection (handshake, publish/subscribe) need from the connection
// itself (mqtt-transport.ts): its protocol version, a way to write packets to the device, to
// send WAMP messages to the router and wait for their answers, and to hang up.
import type * as mqtt from 'mqtt-packet';

/** mqtt-packet's protocol levels: 3 and 4 are MQTT 3.1 / 3.1.1, 5 is MQTT 5.0. */
export type Version = 3 | 4 | 5;

/** The router's answer to a request: `code` 0 for success, else the MQTT reason/return code. */
export type Answer = (code: number, error?: string, subscription?: number) => void;

export interface MqttLink {
  readonly version: Version;
  /** One MQTT packet to the device (the packets of one tick leave in one write). */
  write(packet: mqtt.Packet): void;
  /** One WAMP message to the router, as if the device were a WAMP client. */
  toRouter(message: unknown[]): void;
  /** A WAMP request (`build` gets its request ID); `answer` runs when the router answers it. */
  request(build: (id: number) => unknown[], answer: Answer): void;
  /** A request ID for a message that expects no answer (an unacknowledged PUBLISH). */
  requestId(): number;
  /** A protocol error: MQTT 5 clients are told why with DISCONNECT; the connection is closed. */
  fail(code: number, why: string): void;
  /** CONNACK with a refusal, then close. */
  refuse(code: number, why: string): void;
}
