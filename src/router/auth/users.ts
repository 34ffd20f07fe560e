// The users of a realm, looked up by authid. Built once per authenticator so a login is a map
// lookup, not a scan of the configuration.
import type { UserConfig } from '../config';

export class UserTable {
  private readonly byAuthid = new Map<string, UserConfig>();

  constructor(users: readonly UserConfig[] | undefined, has: (u: UserConfig) => boolean) {
    for (const u of users ?? []) {
      // The first entry for an authid wins, as a config form lists it first.
      if (has(u) && !this.byAuthid.has(u.authid)) this.byAuthid.set(u.authid, u);
    }
  }

  get size(): number {
    return this.byAuthid.size;
  }

  get(authid: string | undefined): UserConfig | undefined {
    return authid === undefined ? undefined : this.byAuthid.get(authid);
  }

  values(): IterableIterator<UserConfig> {
    return this.byAuthid.values();
  }
}
