// The floor of any routed round trip over TCP, measured in the bench's own Node-RED process: a
// node that carries each message's payload over the four loopback TCP hops a routed call takes
// (caller -> router -> callee -> router -> caller), with a JSON encode and decode at each hop
// as every peer must, and nothing else: no WAMP, no WebSocket framing, no broker. The `tcp4-seq`
// row (one message at a time) is what no WAMP or MQTT round trip over TCP on this machine can
// beat; see nodered.ts.
import net from 'node:net';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../nodes/shared/red-types';

/** Newline-delimited JSON over one socket: `onValue` for each value received. */
function lines(socket: net.Socket, onValue: (value: unknown) => void): void {
  socket.setNoDelay(true);
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      onValue(JSON.parse(line));
    }
  });
}

const write = (socket: net.Socket, value: unknown): boolean => socket.write(`${JSON.stringify(value)}\n`);

export function registerTcpHops(RED: NodeAPI): void {
  function BenchTcpHops(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const waiting: Array<{ msg: NodeMessage; send: (m: NodeMessage) => void; done: () => void }> = [];
    const sockets: net.Socket[] = [];
    const server = net.createServer();
    // The "router" relays A's messages to B and B's back to A; B echoes, like a callee.
    const accepted: net.Socket[] = [];
    server.on('connection', (s) => {
      sockets.push(s);
      accepted.push(s);
      if (accepted.length === 2) {
        const [fromA, fromB] = accepted;
        lines(fromA, (v) => write(fromB, v));
        lines(fromB, (v) => write(fromA, v));
      }
    });
    let a: net.Socket | null = null;
    const ready = new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        a = net.connect(port, '127.0.0.1', () => {
          const b = net.connect(port, '127.0.0.1', resolve);
          sockets.push(b);
          lines(b, (v) => write(b, v));
        });
        sockets.push(a);
        lines(a, (v) => {
          const next = waiting.shift();
          if (!next) return;
          next.msg.payload = v;
          next.send(next.msg);
          next.done();
        });
      });
    });

    this.on('input', (msg: NodeMessage, send, done) => {
      void ready.then(() => {
        waiting.push({ msg, send, done });
        write(a!, msg.payload);
      });
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    });
  }
  RED.nodes.registerType('bench-tcp-hops', BenchTcpHops);
}
