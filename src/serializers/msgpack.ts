// MessagePack via @msgpack/msgpack; byte strings travel as `bin`.
import { Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { elementStart } from './msgpack-skip';
import type { RawPayload } from './raw-payload';
import { decodeFailure, encodingOnce, type DecodeResult, type Serializer } from './serializer';

// The library's default maxDepth (100) would refuse to pass on what its decoder and the other
// serializers accept. The router bounds the depth of what it passes on (limits.maxDepth, 64),
// so the encoder's own limit is left to the stack, as for JSON and CBOR.
const encoder = new Encoder({ ignoreUndefined: true, maxDepth: 1_000_000 });

// msgpackr (wampy 8's encoder) writes JavaScript's undefined as the extension fixext 1, type 0,
// data 0x00: read it back as undefined (an option so set means "not given"), not as an opaque
// ExtData. Other extensions are not WAMP and stay opaque, as before.
const UNDEFINED_EXT = 0;
const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: UNDEFINED_EXT,
  encode: () => null, // never chosen on encode: undefined is dropped or written as nil
  decode: (data) => (data.length === 1 && data[0] === 0 ? undefined : new ExtData(UNDEFINED_EXT, data)),
});
const decoder = new Decoder({ extensionCodec });

export const msgpackSerializer: Serializer = {
  id: 'msgpack',
  protocol: 'wamp.2.msgpack',
  rawSocketId: 2,
  binary: true,
  encode: encodingOnce('MessagePack', (message, raw) => {
    if (!raw) return encoder.encode(message);
    // The head encoded as a list of its own (a fixarray: messages have at most 7 elements), its
    // length then made the whole message's, and the payload's bytes appended.
    const head = encoder.encodeSharedRef(
      message.slice(0, message.length - (raw.kwargs === undefined ? 1 : 2)),
    );
    const bytes = raw.raw as Uint8Array;
    const out = new Uint8Array(head.length + bytes.length);
    out.set(head, 0);
    out[0] = 0x90 | message.length;
    out.set(bytes, head.length);
    return out;
  }),
  decode(data): DecodeResult {
    if (typeof data === 'string') return { ok: false, error: 'MessagePack frame must be binary' };
    try {
      return { ok: true, value: decoder.decode(data), source: data };
    } catch (e) {
      return decodeFailure(e);
    }
  },
  payloadOf(value, at, source): RawPayload | null {
    if (typeof source === 'string' || value.length >= 16) return null;
    const start = elementStart(source, at);
    if (start < 0) return null;
    return {
      serializer: 'msgpack',
      args: value[at] as object,
      kwargs: value.length > at + 1 ? (value[at + 1] as object) : undefined,
      raw: source.subarray(start),
    };
  },
};
