// What a long-poll request or answer body holds. The protocol named at `open` fixes the
// serializer and whether bodies are batched; batching uses the WebSocket batched mode's scheme:
// JSON messages each followed by 0x1E (a byte valid JSON text never contains unescaped),
// binary serializers' messages each preceded by their length as a 32-bit big-endian integer.
import { serializerByProtocol, type DecodeResult, type Serializer } from '../serializers';

export interface LongPollProtocol {
  /** As negotiated, e.g. `wamp.2.json.batched`. */
  readonly name: string;
  readonly serializer: Serializer;
  readonly batched: boolean;
}

const BATCHED = '.batched';

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  msgpack: 'application/x-msgpack',
  cbor: 'application/cbor',
};

/** The Content-Type of a body in this protocol. */
export function contentType(protocol: LongPollProtocol): string {
  return CONTENT_TYPES[protocol.serializer.id] ?? 'application/octet-stream';
}
const RECORD_SEPARATOR = 0x1e;

export function longPollProtocol(name: string): LongPollProtocol | undefined {
  const batched = name.endsWith(BATCHED);
  const serializer = serializerByProtocol(batched ? name.slice(0, -BATCHED.length) : name);
  return serializer ? { name, serializer, batched } : undefined;
}

function bytesOf(encoded: string | Uint8Array): Buffer {
  return typeof encoded === 'string'
    ? Buffer.from(encoded, 'utf8')
    : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/** One message as a body (unbatched) or as one record of a batch. */
export function encodeRecord(protocol: LongPollProtocol, message: readonly unknown[]): Buffer {
  const body = bytesOf(protocol.serializer.encode(message));
  if (!protocol.batched) return body;
  if (!protocol.serializer.binary) return Buffer.concat([body, Buffer.of(RECORD_SEPARATOR)]);
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

/**
 * The messages in a body: one for an unbatched protocol, any number (at least one) for a
 * batched one. A batch that does not frame cleanly yields one failed result for the rest.
 */
export function decodeBody(protocol: LongPollProtocol, body: Buffer): DecodeResult[] {
  if (!protocol.batched) return [protocol.serializer.decode(body)];
  const results: DecodeResult[] = [];
  if (!protocol.serializer.binary) {
    let start = 0;
    for (let i = 0; i < body.length; i++) {
      if (body[i] !== RECORD_SEPARATOR) continue;
      results.push(protocol.serializer.decode(body.subarray(start, i)));
      start = i + 1;
    }
    // The last message is followed by a separator too; lenient towards a missing final one.
    if (start < body.length) results.push(protocol.serializer.decode(body.subarray(start)));
  } else {
    let offset = 0;
    while (offset < body.length) {
      if (body.length - offset < 4) {
        results.push({ ok: false, error: 'batch ends inside a length prefix' });
        break;
      }
      const length = body.readUInt32BE(offset);
      offset += 4;
      if (length > body.length - offset) {
        results.push({ ok: false, error: `batch record of ${length} bytes runs past the body's end` });
        break;
      }
      results.push(protocol.serializer.decode(body.subarray(offset, offset + length)));
      offset += length;
    }
  }
  if (results.length === 0) results.push({ ok: false, error: 'empty batch' });
  return results;
}
