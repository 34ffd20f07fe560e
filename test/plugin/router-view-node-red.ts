// A real Node-RED for the router view tests: this package installed into a fresh user directory
// and a flow with a wamp-router on a free port; Autobahn|JS clients joining it, and Node-RED's
// comms channel, as the editor's tab would use it.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort, startNodeRed, type NodeRedProcess } from '../support/node-red-process';

const autobahn = require('autobahn');

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string };
export const PLUGIN_ID = `${pkg.name}/wamp-router-view`;
export const ALICE_TICKET = 'alice-ticket-3f9c1e-never-sent-back';

type AbSession = {
  id: number;
  register(procedure: string, endpoint: (args: unknown[]) => unknown): Promise<unknown>;
  subscribe(topic: string, handler: (args: unknown[]) => void): Promise<unknown>;
};

export interface Client {
  session: AbSession;
  /** Settles with Autobahn's onclose reason and details, however the session ended. */
  closed: Promise<{ reason: string; details: { reason?: string; message?: string } }>;
  close(): Promise<void>;
}

export function joinAutobahn(port: number): Promise<Client> {
  const conn = new autobahn.Connection({ realm: 'realm1', url: `ws://127.0.0.1:${port}/ws`, max_retries: 0 });
  let settle!: (v: { reason: string; details: { reason?: string; message?: string } }) => void;
  const closed = new Promise<{ reason: string; details: { reason?: string; message?: string } }>(
    (r) => (settle = r),
  );
  return new Promise((resolve, reject) => {
    conn.onopen = (session: AbSession) =>
      resolve({
        session,
        closed,
        close: async () => {
          if (!conn.isOpen) return;
          conn.close();
          await closed;
        },
      });
    conn.onclose = (reason: string, details: { reason?: string; message?: string }) => {
      settle({ reason, details });
      reject(new Error(`autobahn closed: ${reason}`));
      return true;
    };
    conn.open();
  });
}

/** Node-RED's comms websocket: every published message, awaited by topic and condition. */
export function openComms(
  url: string,
): Promise<{ next<T>(topic: string, ok: (data: T) => boolean): Promise<T>; close(): void }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/comms`);
  const waiters: Array<{ topic: string; ok: (d: unknown) => boolean; resolve: (d: unknown) => void }> = [];
  ws.on('message', (raw) => {
    const list = JSON.parse(String(raw)) as { topic: string; data: unknown }[];
    for (const m of Array.isArray(list) ? list : [list]) {
      for (const w of [...waiters]) {
        if (w.topic === m.topic && w.ok(m.data)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m.data);
        }
      }
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ subscribe: 'wamp-router-view/#' }));
      resolve({
        next: <T>(topic: string, ok: (data: T) => boolean) =>
          new Promise<T>((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no ${topic} message within 5 s`)), 5000);
            waiters.push({
              topic,
              ok: ok as (d: unknown) => boolean,
              resolve: (d) => {
                clearTimeout(timer);
                res(d as T);
              },
            });
          }),
        close: () => ws.close(),
      });
    });
  });
}

function routerFlow(port: number): unknown[] {
  return [
    { id: 'f1', type: 'tab', label: 'view' },
    {
      id: 'r1',
      type: 'wamp-router',
      z: 'f1',
      name: 'View router',
      usePort: true,
      host: '127.0.0.1',
      port,
      path: '/ws',
      useHttp: false,
      realms: [{ name: 'realm1', anonymous: true, anonymousRole: '' }],
      accounts: [{ realm: 'realm1', authid: 'alice', role: 'user', method: 'ticket', slot: 0 }],
      roles: '[]',
      autoCreateRealms: false,
      wires: [],
    },
  ];
}

export async function startWithRouter(settings = ''): Promise<{ red: NodeRedProcess; port: number }> {
  const port = await freePort();
  const red = await startNodeRed(
    (userDir) => {
      const link = path.join(userDir, 'node_modules', ...pkg.name.split('/'));
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(root, link, 'dir');
      fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(routerFlow(port)));
      // Unencrypted: Node-RED reads it as is and encrypts it on the next save.
      fs.writeFileSync(
        path.join(userDir, 'flows_cred.json'),
        JSON.stringify({ r1: { secret0: ALICE_TICKET } }),
      );
    },
    {},
    settings,
  );
  return { red, port };
}
