// A bare HTTP long-poll client for the tests: raw POSTs, so that a test controls every request
// (and can stop polling, send garbage, or pretend to be a web page of some origin).
import * as http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export function post(
  url: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: data,
          text: data.toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a transport and returns its base URL (`<base>/<id>`) and the chosen protocol. */
export async function open(
  base: string,
  protocols: string[] = ['wamp.2.json'],
  headers: Record<string, string> = {},
): Promise<{ url: string; protocol: string; id: string }> {
  const reply = await post(`${base}/open`, JSON.stringify({ protocols }), {
    'Content-Type': 'application/json',
    ...headers,
  });
  if (reply.status !== 200) throw new Error(`open answered ${reply.status}: ${reply.text}`);
  const answer = JSON.parse(reply.text) as { protocol: string; transport: string };
  return { url: `${base}/${answer.transport}`, protocol: answer.protocol, id: answer.transport };
}

/** Receives until a non-empty answer (or a non-2xx status) comes. */
export async function receive(url: string): Promise<Reply> {
  for (;;) {
    const reply = await post(`${url}/receive`);
    if (reply.status !== 204) return reply;
  }
}

export async function receiveJson(url: string): Promise<unknown> {
  const reply = await receive(url);
  if (reply.status !== 200) throw new Error(`receive answered ${reply.status}: ${reply.text}`);
  return JSON.parse(reply.text);
}

export function sendJson(url: string, message: unknown): Promise<Reply> {
  return post(`${url}/send`, JSON.stringify(message), { 'Content-Type': 'application/json' });
}
