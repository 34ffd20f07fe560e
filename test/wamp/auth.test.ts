// The authentication crypto against the spec's test vectors and Autobahn|JS's own code.
import assert from 'node:assert/strict';
import {
  deriveCraKey,
  makeCraChallenge,
  makeCryptosignChallenge,
  publicKeyHexOf,
  signCraChallenge,
  signCryptosignChallenge,
  verifyCryptosignSignature,
} from '../../src/wamp/auth';

// Autobahn|JS has no type declarations; these are the parts the tests use.
interface AutobahnAuth {
  auth_cra: {
    derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string;
    sign(key: string, challenge: string): string;
  };
  auth_cryptosign: {
    sign_challenge(pkey: { secretKey: Uint8Array }, extra: { challenge: string }): string;
    public_key(pkey: { publicKey: Uint8Array }): string;
  };
  nacl: {
    sign: { keyPair: { fromSeed(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } } };
  };
}
const autobahn = require('autobahn') as AutobahnAuth;

// From the WAMP spec, rfc/text/advanced/ap_35_authentication_cryptosign.md, "Test Vectors"
// (wamp-proto/wamp-proto). With a channel_id, the signed message is challenge XOR channel_id.
const CRYPTOSIGN_VECTORS: {
  channel_id: string | null;
  private_key: string;
  challenge: string;
  signature: string;
}[] = [
  {
    channel_id: null,
    private_key: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510',
    challenge: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature:
      'b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  },
  {
    channel_id: null,
    private_key: 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd',
    challenge: 'b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
    signature:
      'd4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
  },
  {
    channel_id: null,
    private_key: '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b',
    challenge: 'b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
    signature:
      '7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
  },
  {
    channel_id: '62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff',
    private_key: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510',
    challenge: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature:
      '9b6f41540c9b95b4b7b281c3042fa9c54cef43c842d62ea3fd6030fcb66e70b3e80d49d44c29d1635da9348d02ec93f3ed1ef227dfb59a07b580095c2b82f80f9d16ca518aa0c2b707f2b2a609edeca73bca8dd59817a633f35574ac6fd80d00',
  },
  {
    channel_id: '62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff',
    private_key: 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd',
    challenge: 'b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
    signature:
      '305aaa3ac25e98f651427688b3fc43fe7d8a68a7ec1d7d61c61517c519bd4a427c3015599d83ca28b4c652333920223844ef0725eb5dc2febfd6af7677b73f01d0852a29b460fc92ec943242ac638a053bbacc200512b18b30d15083cbdc9282',
  },
  {
    channel_id: '62e935ae755f3d48f80d4d59f6121358c435722a67e859cc0caa8b539027f2ff',
    private_key: '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b',
    challenge: 'b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
    signature:
      'ee3c7644fd8070532bc1fde3d70d742267da545d8c8f03e63bda63f1ad4214f4d2c4bfdb4eb9526def42deeb7e31602a6ff99eba893e0a4ad4d45892ca75e608d2b75e24a189a7f78ca776ba36fc53f6c3e31c32f251f2c524f0a44202f2902d',
  },
];

// The spec's example exchange (same file, "Example Message Flow"): HELLO pubkey, CHALLENGE, AUTHENTICATE.
const SPEC_EXAMPLE = {
  pubkey: '545efb0a2192db8d43f118e9bf9aee081466e1ef36c708b96ee6f62dddad9122',
  challenge: 'fa034062ad76352b53a25358854577730db82f367aa439709c91296d04a5716c',
  signature:
    'e2f0297a193b63b7a4a92028e9e2e6107f82730560d54a657bd982cb4b3151490399debbbde998e494d3c3b2a5e2e91271291e10dee85a6cfaa127885ddd8b0afa034062ad76352b53a25358854577730db82f367aa439709c91296d04a5716c',
};

function xorHex(a: string, b: string): string {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return Buffer.from(x.map((v, i) => v ^ y[i])).toString('hex');
}

/** Flips one bit of the hex string at character `at`. */
function flip(hex: string, at: number): string {
  const c = parseInt(hex[at], 16) ^ 1;
  return hex.slice(0, at) + c.toString(16) + hex.slice(at + 1);
}

describe('WAMP-Cryptosign signatures', () => {
  describe('the spec test vectors', () => {
    CRYPTOSIGN_VECTORS.forEach((v, i) => {
      const message = v.channel_id === null ? v.challenge : xorHex(v.challenge, v.channel_id);
      it(`vector ${i + 1}${v.channel_id ? ' (with channel_id)' : ''}: signature matches and verifies`, () => {
        assert.equal(signCryptosignChallenge(v.private_key, message), v.signature);
        assert.equal(verifyCryptosignSignature(publicKeyHexOf(v.private_key), message, v.signature), true);
      });
    });
  });

  it("verifies the spec's example AUTHENTICATE against its HELLO pubkey", () => {
    assert.equal(
      verifyCryptosignSignature(SPEC_EXAMPLE.pubkey, SPEC_EXAMPLE.challenge, SPEC_EXAMPLE.signature),
      true,
    );
  });

  it('is 192 hex characters: signature (64 bytes) then the challenge (32 bytes)', () => {
    const seed = CRYPTOSIGN_VECTORS[0].private_key;
    const challenge = makeCryptosignChallenge();
    assert.match(challenge, /^[0-9a-f]{64}$/);
    const sig = signCryptosignChallenge(seed, challenge);
    assert.match(sig, /^[0-9a-f]{192}$/);
    assert.equal(sig.slice(128), challenge);
  });

  it('round-trips sign and verify with a fresh challenge', () => {
    const seed = CRYPTOSIGN_VECTORS[1].private_key;
    const challenge = makeCryptosignChallenge();
    assert.equal(
      verifyCryptosignSignature(publicKeyHexOf(seed), challenge, signCryptosignChallenge(seed, challenge)),
      true,
    );
  });

  it('rejects a tampered signature, a wrong key, a wrong challenge and malformed input', () => {
    const seed = CRYPTOSIGN_VECTORS[0].private_key;
    const pub = publicKeyHexOf(seed);
    const otherPub = publicKeyHexOf(CRYPTOSIGN_VECTORS[1].private_key);
    const challenge = makeCryptosignChallenge();
    const sig = signCryptosignChallenge(seed, challenge);
    assert.equal(verifyCryptosignSignature(pub, challenge, flip(sig, 10)), false, 'tampered signature');
    assert.equal(verifyCryptosignSignature(otherPub, challenge, sig), false, 'wrong key');
    assert.equal(verifyCryptosignSignature(pub, makeCryptosignChallenge(), sig), false, 'wrong challenge');
    // The trailing copy of the challenge must be the challenge that was sent.
    assert.equal(verifyCryptosignSignature(pub, challenge, sig.slice(0, 128) + flip(challenge, 0)), false);
    assert.equal(verifyCryptosignSignature(pub, challenge, sig.slice(0, 190)), false, 'short');
    assert.equal(verifyCryptosignSignature(pub, challenge, `${sig}00`), false, 'long');
    assert.equal(verifyCryptosignSignature(pub, challenge, 'z'.repeat(192)), false, 'not hex');
  });

  it('agrees with Autobahn|JS (tweetnacl) on keys and signatures', () => {
    const seed = CRYPTOSIGN_VECTORS[2].private_key;
    const pair = autobahn.nacl.sign.keyPair.fromSeed(Buffer.from(seed, 'hex'));
    assert.equal(publicKeyHexOf(seed), autobahn.auth_cryptosign.public_key(pair));
    const challenge = makeCryptosignChallenge();
    assert.equal(
      signCryptosignChallenge(seed, challenge),
      autobahn.auth_cryptosign.sign_challenge(pair, { challenge }),
    );
  });
});

describe('WAMP-CRA', () => {
  const challenge = makeCraChallenge({
    authid: 'joe',
    authrole: 'user',
    authprovider: 'static',
    session: 42,
  });

  it('the challenge is JSON with the session, a nonce and the wampcra method', () => {
    const c = JSON.parse(challenge) as Record<string, unknown>;
    assert.equal(c.authid, 'joe');
    assert.equal(c.authrole, 'user');
    assert.equal(c.authmethod, 'wampcra');
    assert.equal(c.authprovider, 'static');
    assert.equal(c.session, 42);
    assert.equal(typeof c.nonce, 'string');
    assert.notEqual(
      JSON.parse(makeCraChallenge({ authid: 'joe', authrole: 'user', authprovider: 'static', session: 42 }))
        .nonce,
      c.nonce,
    );
  });

  it('signs as Autobahn|JS does (auth_cra.sign)', () => {
    for (const key of ['secret123', 'p\u00e4ss w\u00f6rd', 'x']) {
      assert.equal(signCraChallenge(key, challenge), autobahn.auth_cra.sign(key, challenge));
    }
  });

  it('derives salted keys as Autobahn|JS does (auth_cra.derive_key), defaults 1000 and 32', () => {
    assert.equal(
      deriveCraKey('secret123', { salt: 'salt123' }),
      autobahn.auth_cra.derive_key('secret123', 'salt123'),
    );
    assert.equal(
      deriveCraKey('secret123', { salt: 'salt123', iterations: 100, keylen: 16 }),
      autobahn.auth_cra.derive_key('secret123', 'salt123', 100, 16),
    );
  });

  it('a salted signature is HMAC with the derived key', () => {
    const key = deriveCraKey('pw', { salt: 's4lt', iterations: 10, keylen: 32 });
    assert.equal(
      signCraChallenge(key, challenge),
      autobahn.auth_cra.sign(autobahn.auth_cra.derive_key('pw', 's4lt', 10, 32), challenge),
    );
    assert.notEqual(signCraChallenge('pw', challenge), signCraChallenge(key, challenge));
  });
});
