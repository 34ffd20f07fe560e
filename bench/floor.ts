// The floor: the least a WAMP router on Node + `ws` (or `net` for RawSocket) can do per message
// (decode, one lookup, encode, send), with no validation, no auth, no options. No real router
// can beat it; a real router is measured as a fraction of it. An EVENT is encoded once per publish and the same
// bytes go to every subscriber, since that is what the platform allows.
import * as net from 'node:net';
import { WebSocketServer } from 'ws';
import { type Codec, decode as decodeWith, encode as encodeWith, PROTOCOL, rawFrame } from './wire';

// biome-ignore lint/suspicious/noExplicitAny: the floor router leaves its boundary unvalidated by design
type Msg = any[];
interface Conn {
  /** Connections of one kind share the bytes of an EVENT. */
  kind: string;
  codec: Codec;
  write(data: string | Uint8Array): void;
  /** Frames an encoded message once, for writePrepared on many connections. */
  prepare(data: Uint8Array): Uint8Array;
  writePrepared(data: Uint8Array): void;
  close(): void;
}

export interface Floor {
  port: number;
  rawPort: number;
  close(): Promise<void>;
}

export async function startFloor(host = '127.0.0.1'): Promise<Floor> {
  const wss = new WebSocketServer({
    host,
    port: 0,
    perMessageDeflate: false,
    handleProtocols: (p) => Object.values(PROTOCOL).find((x) => p.has(x)) ?? false,
  });
  const procs = new Map<string, { id: number; callee: Conn }>();
  const topics = new Map<string, { id: number; subs: Set<Conn> }>();
  const calls = new Map<number, { caller: Conn; request: number }>();
  let nextId = 0;
  const send = (c: Conn, m: Msg): void => c.write(encodeWith(c.codec, m));

  const onMessage = (c: Conn, data: Buffer): void => {
    const m = decodeWith(c.codec, data) as Msg;
    switch (m[0]) {
      case 1:
        return send(c, [2, ++nextId, { roles: { broker: {}, dealer: {} } }]);
      case 6:
        send(c, [6, {}, 'wamp.close.goodbye_and_out']);
        return c.close();
      case 64: {
        const id = ++nextId;
        procs.set(m[3], { id, callee: c });
        return send(c, [65, m[1], id]);
      }
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
        return send(
          call.caller,
          m.length > 3 ? [50, call.request, {}, ...m.slice(3)] : [50, call.request, {}],
        );
      }
      case 16: {
        const t = topics.get(m[3]);
        const pub = ++nextId;
        if (t) {
          const ev = m.length > 4 ? [36, t.id, pub, {}, ...m.slice(4)] : [36, t.id, pub, {}];
          // Encoded (and framed) once per publish, written to every subscriber.
          const bytes = new Map<string, Buffer | Uint8Array>();
          for (const s of t.subs) {
            if (s === c) continue;
            let b = bytes.get(s.kind);
            if (!b)
              bytes.set(
                s.kind,
                (b = s.prepare(
                  s.codec === 'json'
                    ? Buffer.from(JSON.stringify(ev))
                    : (encodeWith(s.codec, ev) as Uint8Array),
                )),
              );
            s.writePrepared(b);
          }
        }
        if (m[2].acknowledge) send(c, [17, m[1], pub]);
        return;
      }
    }
  };
  const onClose = (c: Conn): void => {
    for (const [uri, p] of procs) if (p.callee === c) procs.delete(uri);
    for (const t of topics.values()) t.subs.delete(c);
  };

  wss.on('connection', (ws) => {
    const codec = (Object.keys(PROTOCOL) as Codec[]).find((k) => PROTOCOL[k] === ws.protocol) ?? 'json';
    const binary = codec !== 'json';
    const c: Conn = {
      kind: `ws ${ws.protocol}`,
      codec,
      write: (d) => ws.send(d, { binary }),
      prepare: (d) => d,
      writePrepared: (d) => ws.send(d, { binary }),
      close: () => ws.close(),
    };
    ws.on('message', (data: Buffer) => onMessage(c, data));
    ws.on('close', () => onClose(c));
  });

  // RawSocket: handshake 0x7F,(L<<4)|S,0,0 answered likewise (JSON, MessagePack or CBOR), then frames.
  const sockets = new Set<net.Socket>();
  const raw = net.createServer((sock) => {
    sock.setNoDelay(true);
    sockets.add(sock);
    let c: Conn | null = null;
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let at = 0;
      if (!c) {
        if (buf.length < 4) return;
        const serializer = buf[1] & 0x0f;
        const codec = (['json', 'msgpack', 'cbor'] as const)[serializer - 1];
        if (buf[0] !== 0x7f || !codec) return void sock.destroy();
        sock.write(Buffer.from([0x7f, 0xf0 | serializer, 0, 0]));
        c = {
          kind: `raw ${serializer}`,
          codec,
          write: (d) => sock.write(rawFrame(d)),
          prepare: (d) => rawFrame(d),
          writePrepared: (d) => sock.write(d),
          close: () => sock.end(),
        };
        at = 4;
      }
      while (buf.length - at >= 4) {
        const len = buf.readUInt32BE(at) & 0xffffff;
        if (buf.length - at - 4 < len) break;
        if (buf[at] === 0) onMessage(c, buf.subarray(at + 4, at + 4 + len));
        at += 4 + len;
      }
      buf = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      sockets.delete(sock);
      if (c) onClose(c);
    });
  });

  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  await new Promise<void>((resolve) => raw.listen(0, host, () => resolve()));
  return {
    port: (wss.address() as net.AddressInfo).port,
    rawPort: (raw.address() as net.AddressInfo).port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => wss.close(() => resolve())),
        new Promise<void>((resolve) => raw.close(() => resolve())),
      ]);
    },
  };
}
