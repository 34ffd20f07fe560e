// MQTT devices on the WAMP router: each MQTT client is a router session (see mqtt-transport.ts).
export { listenMqtt, type MqttListener, type MqttListenOptions } from './mqtt-listener';
export { MqttTransport, type MqttTransportOptions } from './mqtt-transport';
export { argsToMqtt, mqttToArgs } from './payload';
export { filterToSubscriptions, topicToUri, uriToTopic } from './topics';
