// The load generator's HTTP long-poll client, independent of src/transports (the code under
// test): `open`, then one `receive` always outstanding. Unbatched (`wamp.2.json`), each message
// is its own `send` and each `receive` carries one message, as Autobahn|JS does it; batched
// (`wamp.2.json.batched`), the messages of one tick leave in one `send` and a `receive` carries
// everything pending.
import * as http from 'node:http';

const SEPARATOR = 0x1e;

function post(agent: http.Agent, url: string, body?: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export class LongPollLink {
  onData: (data: Buffer) => void = () => {};
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private open = true;
  private queued: string[] = [];
  private flushing = false;

  private constructor(
    private readonly url: string,
    private readonly batched: boolean,
    /** For sends: as many connections as a browser opens to one host, less the receive's. */
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 5 }),
    /** The held receive has a connection of its own, so that it never waits behind sends. */
    private readonly receiveAgent = new http.Agent({ keepAlive: true, maxSockets: 1 }),
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    void this.receiveLoop();
  }

  static async open(base: string, batched: boolean): Promise<LongPollLink> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 5 });
    const protocol = batched ? 'wamp.2.json.batched' : 'wamp.2.json';
    const r = await post(agent, `${base}/open`, JSON.stringify({ protocols: [protocol] }));
    if (r.status !== 200) throw new Error(`long-poll open answered ${r.status}: ${r.body.toString()}`);
    const answer = JSON.parse(r.body.toString()) as { protocol: string; transport: string };
    if (answer.protocol !== protocol) throw new Error(`target chose ${answer.protocol}`);
    return new LongPollLink(`${base}/${answer.transport}`, batched, agent);
  }

  send(data: string): void {
    if (!this.open) return;
    if (!this.batched) {
      void post(this.agent, `${this.url}/send`, data).catch(() => this.end());
      return;
    }
    this.queued.push(data);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  close(): void {
    if (!this.open) return;
    void post(this.agent, `${this.url}/close`)
      .catch(() => undefined)
      .then(() => this.end());
  }

  private flush(): void {
    this.flushing = false;
    if (!this.open || this.queued.length === 0) return;
    const body = `${this.queued.join('\x1e')}\x1e`;
    this.queued = [];
    void post(this.agent, `${this.url}/send`, body).catch(() => this.end());
  }

  private async receiveLoop(): Promise<void> {
    while (this.open) {
      let r: { status: number; body: Buffer };
      try {
        r = await post(this.receiveAgent, `${this.url}/receive`);
      } catch {
        break;
      }
      if (r.status === 204) continue;
      if (r.status !== 200) break;
      if (!this.batched) {
        this.onData(r.body);
        continue;
      }
      let start = 0;
      for (let i = 0; i < r.body.length; i++) {
        if (r.body[i] !== SEPARATOR) continue;
        this.onData(r.body.subarray(start, i));
        start = i + 1;
      }
    }
    this.end();
  }

  private end(): void {
    if (!this.open) return;
    this.open = false;
    this.agent.destroy();
    this.receiveAgent.destroy();
    this.resolveClosed();
  }
}
