import { cborSerializer } from './cbor';
import { jsonSerializer } from './json';
import { msgpackSerializer } from './msgpack';
import type { DecodeResult, Serializer, SerializerId } from './serializer';

export type { DecodeResult, Serializer, SerializerId } from './serializer';
export { EncodeError } from './serializer';
export { cborSerializer, jsonSerializer, msgpackSerializer };
export { withValues } from './undecoded-payload';

export const serializers: readonly Serializer[] = [jsonSerializer, msgpackSerializer, cborSerializer];

export function serializerById(id: string): Serializer | undefined {
  return serializers.find((s) => s.id === id);
}

export function serializerByProtocol(protocol: string): Serializer | undefined {
  return serializers.find((s) => s.protocol === protocol);
}

export function serializerByRawSocketId(code: number): Serializer | undefined {
  return serializers.find((s) => s.rawSocketId === code);
}

/** The router's decode (Serializer.decodeForRouter where a serializer has one). */
export function decodeForRouter(
  serializer: Serializer,
  data: Uint8Array | string,
  maxDepth?: number,
): DecodeResult {
  return serializer.decodeForRouter ? serializer.decodeForRouter(data, maxDepth) : serializer.decode(data);
}

export function isSerializerId(v: unknown): v is SerializerId {
  return v === 'json' || v === 'msgpack' || v === 'cbor';
}
