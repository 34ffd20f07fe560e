// CBOR via cbor-x, as plain CBOR: no record extension, no typed-array tags, so that any CBOR
// peer reads it; byte strings carry bytes natively.
import { Decoder, Encoder } from 'cbor-x';
import { decodeFailure, type DecodeResult, type Serializer } from './serializer';

const options = { useRecords: false, mapsAsObjects: true, tagUint8Array: false, pack: false, int64AsNumber: true } as const;
const encoder = new Encoder(options);
const decoder = new Decoder(options);

export const cborSerializer: Serializer = {
  id: 'cbor',
  protocol: 'wamp.2.cbor',
  rawSocketId: 3,
  binary: true,
  encode(message) {
    return encoder.encode(message);
  },
  decode(data): DecodeResult {
    if (typeof data === 'string') return { ok: false, error: 'CBOR frame must be binary' };
    try {
      return { ok: true, value: decoder.decode(data) };
    } catch (e) {
      return decodeFailure(e);
    }
  },
};
