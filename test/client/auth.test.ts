// Each authentication method's AUTHENTICATE, checked against independent implementations:
// Autobahn|JS's WAMP-CRA (crypto-js) and the project's cryptosign verifier.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Session } from '../../src/client/session';
import { publicKeyHexOf, verifyCryptosignSignature } from '../../src/wamp/auth/cryptosign';
import { rawPair } from './raw-peer';

const autobahnCra = require('autobahn/lib/auth/cra.js') as {
  sign(key: string, challenge: string): string;
  derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string;
};

const SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
const CRA_CHALLENGE = JSON.stringify({
  authid: 'joe',
  authrole: 'user',
  authmethod: 'wampcra',
  authprovider: 'static',
  nonce: 'LHRTC9zeOIrt_9U3',
  timestamp: '2014-06-22T16:36:25.448Z',
  session: 3251278072152162,
});

/** Joins with `options`, answers HELLO with CHALLENGE(method, extra); returns HELLO and AUTHENTICATE. */
async function challenge(options: Record<string, unknown>, method: string, extra: Record<string, unknown>) {
  const { peer, clientEnd } = rawPair();
  const session = new Session(clientEnd, { realm: 'realm1', ...options });
  const joining = session.join();
  const hello = await peer.expect(1);
  peer.send([4, method, extra]);
  const answer = await peer.next();
  if (answer[0] === 5) peer.send([2, 1, { authmethod: method }]);
  const joinResult = await joining.then(
    () => 'joined',
    (e: { uri?: string }) => e.uri,
  );
  peer.transport.close();
  await peer.whenClosed();
  return { hello: hello[2] as Record<string, unknown>, answer, joinResult };
}

describe('client auth: HELLO offers the methods the credentials allow', () => {
  it('ticket => authmethods [ticket] with authid', async () => {
    const { hello, answer, joinResult } = await challenge({ authid: 'joe', ticket: 's3cret' }, 'ticket', {});
    assert.deepEqual(hello.authmethods, ['ticket']);
    assert.equal(hello.authid, 'joe');
    assert.deepEqual(answer, [5, 's3cret', {}]);
    assert.equal(joinResult, 'joined');
  });

  it('explicit authmethods win over derived ones', async () => {
    const { hello } = await challenge(
      { authid: 'joe', ticket: 't', authmethods: ['ticket', 'anonymous'] },
      'ticket',
      {},
    );
    assert.deepEqual(hello.authmethods, ['ticket', 'anonymous']);
  });
});

describe('client auth: wampcra', () => {
  it('unsalted: signature = base64 HMAC-SHA256(secret, challenge), as Autobahn|JS computes it', async () => {
    const { hello, answer } = await challenge({ authid: 'joe', secret: 'secret2' }, 'wampcra', {
      challenge: CRA_CHALLENGE,
    });
    assert.deepEqual(hello.authmethods, ['wampcra']);
    assert.deepEqual(answer, [5, autobahnCra.sign('secret2', CRA_CHALLENGE), {}]);
  });

  it('salted: the key is PBKDF2(secret, salt, iterations, keylen) as Autobahn|JS derives it', async () => {
    const extra = { challenge: CRA_CHALLENGE, salt: 'salt123', iterations: 100, keylen: 16 };
    const { answer } = await challenge({ authid: 'joe', secret: 'secret2' }, 'wampcra', extra);
    const key = autobahnCra.derive_key('secret2', 'salt123', 100, 16);
    assert.deepEqual(answer, [5, autobahnCra.sign(key, CRA_CHALLENGE), {}]);
  });

  it('salted with default iterations and keylen (1000, 32)', async () => {
    const { answer } = await challenge({ authid: 'joe', secret: 's' }, 'wampcra', {
      challenge: CRA_CHALLENGE,
      salt: 'x',
    });
    assert.equal(answer[1], autobahnCra.sign(autobahnCra.derive_key('s', 'x', 1000, 32), CRA_CHALLENGE));
  });
});

describe('client auth: cryptosign', () => {
  it('HELLO carries authextra.pubkey; AUTHENTICATE is hex(signature ‖ challenge) that verifies against the public key', async () => {
    const chal = 'a'.repeat(64);
    const { hello, answer, joinResult } = await challenge({ authid: 'dev', privateKey: SEED }, 'cryptosign', {
      challenge: chal,
    });
    assert.deepEqual(hello.authmethods, ['cryptosign']);
    const pub = publicKeyHexOf(SEED);
    assert.deepEqual(hello.authextra, { pubkey: pub });
    assert.equal(answer[0], 5);
    const sig = answer[1] as string;
    assert.equal(sig.length, 192);
    assert.equal(sig.slice(128), chal);
    assert.equal(verifyCryptosignSignature(pub, chal, sig), true);
    assert.equal(verifyCryptosignSignature(pub, 'b'.repeat(64), sig), false);
    assert.equal(joinResult, 'joined');
  });

  it('keeps other authextra keys next to pubkey', async () => {
    const { hello } = await challenge(
      { privateKey: SEED, authextra: { channel_binding: null, foo: 1 } },
      'cryptosign',
      { challenge: '0'.repeat(64) },
    );
    assert.deepEqual(hello.authextra, { channel_binding: null, foo: 1, pubkey: publicKeyHexOf(SEED) });
  });
});

describe('client auth: a CHALLENGE the client cannot answer', () => {
  it('is answered with ABORT wamp.error.cannot_authenticate and join rejects', async () => {
    const { answer, joinResult } = await challenge({ authid: 'joe', ticket: 't' }, 'wampcra', {
      challenge: CRA_CHALLENGE,
    });
    assert.equal(answer[0], 3);
    assert.equal(answer[2], 'wamp.error.cannot_authenticate');
    assert.equal(joinResult, 'wamp.error.cannot_authenticate');
  });
});
