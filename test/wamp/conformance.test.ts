// The spec's own test vectors: every JSON, MessagePack and CBOR sample decodes with our
// serializers, passes our parser, and carries the attributes the spec says it carries.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serializerById } from '../../src/serializers';
import { MessageType, parseMessage } from '../../src/wamp';

const dir = path.join(__dirname, '../../../test/fixtures/wamp-testsuite/singlemessage');

interface Sample {
  description: string;
  serializers?: Record<string, { bytes?: string; bytes_hex?: string }[]>;
  expected_attributes?: Record<string, unknown>;
  /** Option/detail validation samples: a decoded message and, if it must be refused, why. */
  wmsg?: unknown[];
  expected_error?: { type: string; contains: string };
}

const M = MessageType;
/** Where each attribute the vectors name sits in the message of each type. */
const POSITIONS: Record<number, Record<string, number>> = {
  [M.HELLO]: { realm: 1, details: 2 },
  [M.WELCOME]: { session_id: 1, details: 2 },
  [M.ABORT]: { details: 1, reason: 2, args: 3, kwargs: 4 },
  [M.CHALLENGE]: { method: 1, extra: 2 },
  [M.AUTHENTICATE]: { signature: 1, extra: 2 },
  [M.GOODBYE]: { details: 1, reason: 2 },
  [M.ERROR]: { request_type: 1, request_id: 2, details: 3, error: 4, args: 5, kwargs: 6 },
  [M.PUBLISH]: { request_id: 1, options: 2, topic: 3, args: 4, kwargs: 5 },
  [M.PUBLISHED]: { request_id: 1, publication_id: 2 },
  [M.SUBSCRIBE]: { request_id: 1, options: 2, topic: 3 },
  [M.SUBSCRIBED]: { request_id: 1, subscription_id: 2 },
  [M.UNSUBSCRIBE]: { request_id: 1, subscription_id: 2 },
  [M.UNSUBSCRIBED]: { request_id: 1, details: 2 },
  [M.EVENT]: { subscription: 1, publication: 2, details: 3, args: 4, kwargs: 5 },
  [M.CALL]: { request_id: 1, options: 2, procedure: 3, args: 4, kwargs: 5 },
  [M.CANCEL]: { request_id: 1, options: 2 },
  [M.RESULT]: { request_id: 1, details: 2, args: 3, kwargs: 4 },
  [M.REGISTER]: { request_id: 1, options: 2, procedure: 3 },
  [M.REGISTERED]: { request_id: 1, registration_id: 2 },
  [M.UNREGISTER]: { request_id: 1, registration_id: 2 },
  [M.UNREGISTERED]: { request_id: 1, details: 2 },
  [M.INVOCATION]: { request_id: 1, registration_id: 2, details: 3, args: 4, kwargs: 5 },
  [M.INTERRUPT]: { request_id: 1, options: 2 },
  [M.YIELD]: { request_id: 1, options: 2, args: 3, kwargs: 4 },
};

function frames(sample: Sample, serializer: string): (string | Buffer)[] {
  return (sample.serializers?.[serializer] ?? []).map((f) =>
    serializer === 'json' && f.bytes !== undefined ? f.bytes : Buffer.from(f.bytes_hex ?? '', 'hex'),
  );
}

/** Byte strings decode as Buffer or Uint8Array depending on the serializer: compare as plain data. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function checkAttributes(msg: readonly unknown[], expected: Record<string, unknown>): void {
  const code = expected.message_type as number;
  assert.equal(msg[0], code);
  const positions = POSITIONS[code];
  for (const [name, want] of Object.entries(expected)) {
    if (name === 'message_type' || (name === 'payload' && want === null)) continue;
    if (name === 'roles') {
      assert.deepEqual(plain((msg[2] as Record<string, unknown>).roles), plain(want), 'roles');
      continue;
    }
    const at = positions[name];
    assert.ok(at !== undefined, `attribute ${name} has a position`);
    const got = msg[at];
    if (want === null && (name === 'args' || name === 'kwargs')) {
      assert.ok(
        got === undefined || (name === 'kwargs' && Object.keys(got as object).length === 0),
        `${name} absent`,
      );
    } else {
      assert.deepEqual(plain(got), plain(want), name);
    }
  }
}

const files = fs
  .readdirSync(dir, { withFileTypes: true })
  .flatMap((d) =>
    d.isDirectory() ? fs.readdirSync(path.join(dir, d.name)).map((f) => path.join(dir, d.name, f)) : [],
  );

describe('WAMP specification test vectors', () => {
  for (const file of files) {
    const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      wamp_message_code: number;
      samples: Sample[];
    };
    const supported = POSITIONS[spec.wamp_message_code] !== undefined;
    describe(path.basename(file), () => {
      spec.samples.forEach((sample) => {
        if (sample.wmsg) {
          it(sample.description, () => {
            const parsed = parseMessage(sample.wmsg);
            const passthru = sample.wmsg!.some(
              (part) => typeof part === 'object' && part !== null && 'enc_algo' in part,
            );
            if (sample.expected_error || passthru) {
              assert.equal(parsed.ok, false, 'refused');
              if (!parsed.ok) {
                assert.equal(parsed.error.uri, 'wamp.error.protocol_violation');
                if (sample.expected_error && !passthru)
                  assert.match(parsed.error.message, new RegExp(sample.expected_error.contains));
              }
            } else {
              assert.ok(parsed.ok, `accepted: ${!parsed.ok && parsed.error.message}`);
            }
          });
          return;
        }
        const expected = sample.expected_attributes!;
        // Payload passthru mode (an encrypted or opaque payload in place of Arguments) is a
        // feature this library neither announces nor accepts.
        const passthru = expected.payload != null;
        for (const ser of ['json', 'msgpack', 'cbor']) {
          frames(sample, ser).forEach((frame, i) => {
            it(`${sample.description} [${ser} #${i}]`, () => {
              const decoded = serializerById(ser)!.decode(frame);
              assert.ok(decoded.ok, `decodes: ${!decoded.ok && decoded.error}`);
              const parsed = parseMessage(decoded.value);
              if (!supported || passthru) {
                assert.equal(parsed.ok, false, 'refused as a protocol violation');
                if (!parsed.ok) assert.equal(parsed.error.uri, 'wamp.error.protocol_violation');
                return;
              }
              assert.ok(parsed.ok, `parses: ${!parsed.ok && parsed.error.message}`);
              checkAttributes(parsed.message, expected);
            });
          });
        }
      });
    });
  }
});
