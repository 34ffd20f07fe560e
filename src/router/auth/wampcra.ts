// WAMP-CRA login: the router sends a fresh JSON challenge, the client answers with
// base64(HMAC-SHA256(key, challenge)). For a salted user the configured `secret` is the
// password and the key is derived from it by PBKDF2, as Autobahn's clients do; the derived key
// is cached because PBKDF2 is slow by design and would otherwise run on every login. An authid
// the router does not know gets a challenge of the same shape as a known one, salt included (a
// fake one, the same on every try), so the exchange does not tell who exists.
import { createHmac, randomBytes } from 'node:crypto';
import type { UserConfig } from '../config';
import { deriveCraKey, makeCraChallenge, signCraChallenge, type CraSalt } from '../../wamp/auth/wampcra';
import type { Dict } from '../../wamp/messages';
import type { Authenticator, AuthOutcome, HelloInfo } from './authenticator';
import { authFailed, once, safeEqual } from './outcome';
import { UserTable } from './users';

const PROVIDER = 'static';

export class WampCraAuthenticator implements Authenticator {
  readonly method = 'wampcra';
  private readonly users: UserTable;
  private readonly keys = new Map<string, string>();
  /** The role named in the challenge for an unknown authid: a plausible one, so it tells nothing. */
  private readonly decoyRole: string;
  /** The salt parameters shown for an unknown authid: those most users have, if most are salted. */
  private readonly decoySalt: Omit<Required<CraSalt>, 'salt'> | undefined;
  /** Keys the fake salts: stable for an authid while the router runs, unguessable from outside. */
  private readonly decoySecret = randomBytes(32);

  constructor(users: readonly UserConfig[] | undefined) {
    this.users = new UserTable(users, (u) => typeof u.secret === 'string' && u.secret.length > 0);
    this.decoyRole = mostCommonRole(this.users.values()) ?? 'user';
    this.decoySalt = mostCommonSalt(this.users.values());
  }

  get userCount(): number {
    return this.users.size;
  }

  begin(hello: HelloInfo): AuthOutcome {
    if (hello.authid === undefined) return authFailed();
    const user = this.users.get(hello.authid);
    const challenge = makeCraChallenge({
      authid: hello.authid,
      authrole: user?.role ?? this.decoyRole,
      authprovider: PROVIDER,
      session: hello.sessionId,
    });
    const extra: Dict = { challenge };
    const salt = user ? saltOf(user) : this.fakeSalt(hello.authid);
    if (salt) Object.assign(extra, salt);
    return {
      kind: 'challenge',
      method: 'wampcra',
      extra,
      verify: once((signature) => {
        const given = typeof signature === 'string' ? signature : '';
        // An unknown user is checked against an unguessable key so both paths do the same work.
        const expected = signCraChallenge(
          user ? this.keyOf(user) : randomBytes(32).toString('base64'),
          challenge,
        );
        if (!safeEqual(given, expected) || user === undefined) return authFailed();
        return {
          kind: 'welcome',
          identity: {
            authid: user.authid,
            authrole: user.role,
            authmethod: 'wampcra',
            authprovider: PROVIDER,
          },
        };
      }),
    };
  }

  /** What a salted user's challenge would carry, for an authid no user has. */
  private fakeSalt(authid: string): Required<CraSalt> | undefined {
    if (!this.decoySalt) return undefined;
    const salt = createHmac('sha256', this.decoySecret).update(authid, 'utf8').digest('base64').slice(0, 16);
    return { salt, ...this.decoySalt };
  }

  private keyOf(user: UserConfig): string {
    const secret = user.secret ?? '';
    const salt = saltOf(user);
    if (!salt) return secret;
    let key = this.keys.get(user.authid);
    if (key === undefined) {
      key = deriveCraKey(secret, salt);
      this.keys.set(user.authid, key);
    }
    return key;
  }
}

/**
 * The PBKDF2 parameters of a salted user, with the defaults Autobahn uses (1000, 32). An empty
 * salt (a blank form field) means unsalted; a missing or non-positive count means the default.
 */
function saltOf(user: UserConfig): Required<CraSalt> | undefined {
  if (typeof user.salt !== 'string' || user.salt.length === 0) return undefined;
  return {
    salt: user.salt,
    iterations: positiveInt(user.iterations, 1000),
    keylen: positiveInt(user.keylen, 32),
  };
}

function positiveInt(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/** The iterations and keylen of the salted users, if salted users are at least half of them. */
function mostCommonSalt(users: Iterable<UserConfig>): Omit<Required<CraSalt>, 'salt'> | undefined {
  const counts = new Map<string, number>();
  let total = 0;
  let salted = 0;
  for (const u of users) {
    total++;
    const s = saltOf(u);
    if (!s) continue;
    salted++;
    const k = `${s.iterations}/${s.keylen}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  if (salted === 0 || salted * 2 < total) return undefined;
  const [iterations, keylen] = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])[0][0]
    .split('/')
    .map(Number);
  return { iterations, keylen };
}

function mostCommonRole(users: Iterable<UserConfig>): string | undefined {
  const counts = new Map<string, number>();
  let best: string | undefined;
  for (const u of users) {
    const n = (counts.get(u.role) ?? 0) + 1;
    counts.set(u.role, n);
    if (best === undefined || n > (counts.get(best) ?? 0)) best = u.role;
  }
  return best;
}
