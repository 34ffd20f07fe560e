// MessagePack via @msgpack/msgpack; byte strings travel as `bin`.
import { Decoder, Encoder } from '@msgpack/msgpack';
import { decodeFailure, encodingOnce, type DecodeResult, type Serializer } from './serializer';

// The library's default maxDepth (100) would refuse to pass on what its decoder and the other
// serializers accept. The router bounds the depth of what it passes on (limits.maxDepth, 64),
// so the encoder's own limit is left to the stack, as for JSON and CBOR.
const encoder = new Encoder({ ignoreUndefined: true, maxDepth: 1_000_000 });
const decoder = new Decoder();

export const msgpackSerializer: Serializer = {
  id: 'msgpack',
  protocol: 'wamp.2.msgpack',
  rawSocketId: 2,
  binary: true,
  encode: encodingOnce('MessagePack', (message) => encoder.encode(message)),
  decode(data): DecodeResult {
    if (typeof data === 'string') return { ok: false, error: 'MessagePack frame must be binary' };
    try {
      return { ok: true, value: decoder.decode(data) };
    } catch (e) {
      return decodeFailure(e);
    }
  },
};
