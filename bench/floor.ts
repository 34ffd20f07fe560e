// The floor: the least a WAMP router on Node + `ws` can do per message (decode, one lookup,
// encode, send), with no validation, no auth, no options. No real router can beat it; a real
// router is measured as a fraction of it. An EVENT is encoded once per publish and the same
// bytes go to every subscriber, since that is what the platform allows.
import { Decoder, Encoder } from '@msgpack/msgpack';
import { WebSocketServer, type WebSocket } from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a boundary left unvalidated by design
type Msg = any[];
interface Conn { ws: WebSocket; binary: boolean }

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

export async function startFloor(host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({
    host, port: 0, perMessageDeflate: false,
    handleProtocols: (p) => (p.has('wamp.2.json') ? 'wamp.2.json' : p.has('wamp.2.msgpack') ? 'wamp.2.msgpack' : false),
  });
  const procs = new Map<string, { id: number; callee: Conn }>();
  const topics = new Map<string, { id: number; subs: Set<Conn> }>();
  const calls = new Map<number, { caller: Conn; request: number }>();
  let nextId = 0;
  const send = (c: Conn, m: Msg): void => c.ws.send(c.binary ? encoder.encode(m) : JSON.stringify(m), { binary: c.binary });

  wss.on('connection', (ws) => {
    const c: Conn = { ws, binary: ws.protocol === 'wamp.2.msgpack' };
    ws.on('message', (data: Buffer) => {
      const m = (c.binary ? decoder.decode(data) : JSON.parse(data.toString())) as Msg;
      switch (m[0]) {
        case 1: return send(c, [2, ++nextId, { roles: { broker: {}, dealer: {} } }]);
        case 6: send(c, [6, {}, 'wamp.close.goodbye_and_out']); return ws.close();
        case 64: { const id = ++nextId; procs.set(m[3], { id, callee: c }); return send(c, [65, m[1], id]); }
        case 32: {
          let t = topics.get(m[3]);
          if (!t) topics.set(m[3], (t = { id: ++nextId, subs: new Set() }));
          t.subs.add(c);
          return send(c, [33, m[1], t.id]);
        }
        case 48: {
          const p = procs.get(m[3]);
          if (!p) return send(c, [8, 48, m[1], {}, 'wamp.error.no_such_procedure']);
          const inv = ++nextId;
          calls.set(inv, { caller: c, request: m[1] });
          return send(p.callee, m.length > 4 ? [68, inv, p.id, {}, ...m.slice(4)] : [68, inv, p.id, {}]);
        }
        case 70: {
          const call = calls.get(m[1]);
          if (!call) return;
          calls.delete(m[1]);
          return send(call.caller, m.length > 3 ? [50, call.request, {}, ...m.slice(3)] : [50, call.request, {}]);
        }
        case 16: {
          const t = topics.get(m[3]);
          const pub = ++nextId;
          if (t) {
            const ev = m.length > 4 ? [36, t.id, pub, {}, ...m.slice(4)] : [36, t.id, pub, {}];
            let json: Buffer | undefined, bin: Uint8Array | undefined;
            for (const s of t.subs) {
              if (s === c) continue;
              if (s.binary) s.ws.send((bin ??= encoder.encode(ev)), { binary: true });
              else s.ws.send((json ??= Buffer.from(JSON.stringify(ev))), { binary: false });
            }
          }
          if (m[2].acknowledge) send(c, [17, m[1], pub]);
          return;
        }
      }
    });
    ws.on('close', () => {
      for (const [uri, p] of procs) if (p.callee === c) procs.delete(uri);
      for (const t of topics.values()) t.subs.delete(c);
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as { port: number }).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close(() => resolve());
    }),
  };
}
