// MessagePack via @msgpack/msgpack; byte strings travel as `bin`.
import { Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { elementStart } from './msgpack-skip';
import { lastDepth, msgpackValueEnd } from './msgpack-scan';
import { decodeFailure, encodingOnce, type DecodeResult, type Serializer } from './serializer';
import { PAYLOAD_INDEX, tooDeepPayload, undecodedPayload, withPayload } from './undecoded-payload';

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
/**
 * Decoders by size class: `decoderFor(n)` reads at most n bytes and so refuses a list or map that
 * claims more elements than there are bytes left (each takes one at least). The library allocates
 * a list of the length it is told before reading any element: a 6-byte frame claiming 2^24
 * elements cost 100 ms and 128 MB, a hostile client's way to stall the router.
 */
const decoders: Decoder[] = [];

function decoderFor(byteLength: number): Decoder {
  const k = 32 - Math.clz32(Math.max(byteLength, 64) - 1);
  let d = decoders[k];
  if (d === undefined) {
    const most = 2 ** k;
    d = new Decoder({ extensionCodec, maxArrayLength: most, maxMapLength: most });
    decoders[k] = d;
  }
  return d;
}

const isList = (t: number): boolean => (t >= 0x90 && t <= 0x9f) || t === 0xdc || t === 0xdd;
const isMap = (t: number): boolean => (t >= 0x80 && t <= 0x8f) || t === 0xde || t === 0xdf;

/** Decodes the payload elements a router received undecoded (`raw`: args, or args then kwargs). */
function decodePayload(raw: string | Uint8Array, hasKwargs: boolean): unknown[] {
  const bytes = raw as Uint8Array;
  const list = new Uint8Array(bytes.length + 1);
  list[0] = hasKwargs ? 0x92 : 0x91;
  list.set(bytes, 1);
  return decoderFor(list.length).decode(list) as unknown[];
}

/**
 * A message whose payload the router passes on, with that payload validated and left undecoded
 * (undecoded-payload.ts); a payload nested deeper than `maxDepth` (the limit for the whole
 * message) is not read past that depth but marked too deep, for the router to refuse. Null for
 * anything else or unusual (the full decode then judges it). Messages are short fixarrays whose
 * type is a positive fixint.
 */
function withUndecodedPayload(b: Uint8Array, maxDepth: number): unknown[] | null {
  if (b.length < 2 || b[0] < 0x90 || b[0] > 0x9f) return null;
  const count = b[0] & 0x0f;
  const at = PAYLOAD_INDEX[b[1]];
  if (at === undefined || (count !== at + 1 && count !== at + 2)) return null;
  const start = elementStart(b, at);
  if (start < 0 || start >= b.length || !isList(b[start])) return null;
  // A copy (Buffer's slice would be a view): the frame's own bytes stay as received.
  const headBytes = Uint8Array.prototype.slice.call(b, 0, start);
  headBytes[0] = 0x90 | at;
  let head: unknown;
  try {
    // The library's decoder recurses: a head nested too deep fails at once on the stack.
    head = decoderFor(headBytes.length).decode(headBytes);
  } catch {
    return null;
  }
  if (!Array.isArray(head) || head.length !== at) return null;
  // The payload's own levels: the message around it is one.
  const payloadDepth = maxDepth - 1;
  let end = msgpackValueEnd(b, start, payloadDepth);
  if (end === -2) return withPayload(head, tooDeepPayload('msgpack'));
  if (end < 0) return null;
  let nesting = lastDepth();
  const hasKwargs = count === at + 2;
  if (hasKwargs) {
    if (end >= b.length || !isMap(b[end])) return null;
    end = msgpackValueEnd(b, end, payloadDepth);
    if (end === -2) return withPayload(head, tooDeepPayload('msgpack'));
    if (end < 0) return null;
    nesting = Math.max(nesting, lastDepth());
  }
  if (end !== b.length) return null;
  return withPayload(head, undecodedPayload('msgpack', b.subarray(start), hasKwargs, nesting, decodePayload));
}

function decodeBytes(data: Uint8Array | string): DecodeResult {
  if (typeof data === 'string') return { ok: false, error: 'MessagePack frame must be binary' };
  try {
    return { ok: true, value: decoderFor(data.length).decode(data) };
  } catch (e) {
    return decodeFailure(e);
  }
}

export const msgpackSerializer: Serializer = {
  id: 'msgpack',
  protocol: 'wamp.2.msgpack',
  rawSocketId: 2,
  binary: true,
  encode: encodingOnce(
    'msgpack',
    'MessagePack',
    (message) => encoder.encode(message),
    (message, payload) => {
      // The head encoded as a list of its own (a fixarray: messages have at most 7 elements), its
      // length then made the whole message's, and the payload's bytes appended.
      const head = encoder.encodeSharedRef(
        message.slice(0, message.length - (payload.kwargs === undefined ? 1 : 2)),
      );
      const bytes = payload.raw as Uint8Array;
      const out = new Uint8Array(head.length + bytes.length);
      out.set(head, 0);
      out[0] = 0x90 | message.length;
      out.set(bytes, head.length);
      return out;
    },
  ),
  decode: decodeBytes,
  decodeForRouter(data, maxDepth = Number.POSITIVE_INFINITY): DecodeResult {
    if (typeof data === 'string') return decodeBytes(data);
    const value = withUndecodedPayload(data, maxDepth);
    return value ? { ok: true, value } : decodeBytes(data);
  },
};
