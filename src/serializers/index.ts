import { cborSerializer } from './cbor';
import { jsonSerializer } from './json';
import { msgpackSerializer } from './msgpack';
import type { Serializer, SerializerId } from './serializer';

export type { DecodeResult, Serializer, SerializerId } from './serializer';
export { EncodeError } from './serializer';
export { cborSerializer, jsonSerializer, msgpackSerializer };

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

export function isSerializerId(v: unknown): v is SerializerId {
  return v === 'json' || v === 'msgpack' || v === 'cbor';
}
