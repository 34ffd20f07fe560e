// The routers a Connection may reach, as Autobahn's list of transports: tried in order, and a
// failed attempt or a lost session passes the turn to the next one (wrapping round). A session
// therefore moves to another router of a cluster when its own one goes away.

export class RouterList {
  readonly urls: readonly string[];
  private index = 0;

  /** Throws a TypeError for an empty list or an entry that is not a non-empty string. */
  constructor(url: string | readonly string[]) {
    const urls = (typeof url === 'string' ? [url] : [...url]).map((u) =>
      typeof u === 'string' ? u.trim() : u,
    );
    if (urls.length === 0) throw new TypeError('the list of router URLs is empty');
    for (const u of urls)
      if (typeof u !== 'string' || u === '') throw new TypeError(`not a router URL: ${JSON.stringify(u)}`);
    this.urls = urls;
  }

  get size(): number {
    return this.urls.length;
  }

  /** The URL of the next (or current) attempt. */
  get current(): string {
    return this.urls[this.index]!;
  }

  /** The current router failed or went away: the next one's turn. */
  advance(): void {
    this.index = (this.index + 1) % this.urls.length;
  }
}
