import assert from 'node:assert/strict';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import net from 'node:net';
import { types } from 'node:util';
import WebSocket from 'ws';
import { Connection, type EventInfo, type Invocation, Result } from '../../src/client';
import { Router } from '../../src/router';

/** A peer that speaks raw frames, so that a test sees the very bytes the router writes. */
class Wire {
  private readonly frames: Buffer[] = [];
  private wake: (() => void) | null = null;

  private constructor(
    private readonly ws: WebSocket,
    readonly binary: boolean,
  ) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(data);
      this.wake?.();
    });
  }

  static async open(url: string, serializer: 'json' | 'msgpack'): Promise<Wire> {
    const ws = new WebSocket(url, [`wamp.2.${serializer}`]);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Wire(ws, serializer === 'msgpack');
  }

  send(frame: string | unknown[]): void {
    this.sendRaw(typeof frame === 'string' ? frame : Buffer.from(msgpackEncode(frame)));
  }

  /** Sends bytes as they are (hand-made frames). */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data, { binary: this.binary });
  }

  /** The next frame of message type `type`, as received. */
  async next(type: number): Promise<Buffer> {
    for (;;) {
      const i = this.frames.findIndex((f) => this.decode(f)[0] === type);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  decode(frame: Buffer): unknown[] {
    return (this.binary ? msgpackDecode(frame) : JSON.parse(frame.toString())) as unknown[];
  }

  async join(): Promise<void> {
    const roles = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
    this.send(this.binary ? [1, 'realm1', { roles }] : JSON.stringify([1, 'realm1', { roles }]));
    await this.next(2);
  }

  close(): void {
    this.ws.close();
  }
}

/** A RawSocket peer speaking JSON on raw frames (handshake, then 4-octet headers). */
class RawWire {
  private buffered = Buffer.alloc(0);
  private readonly frames: string[] = [];
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const length = this.buffered.readUIntBE(1, 3);
        if (this.buffered.length < 4 + length) break;
        if (this.buffered[0] === 0) this.frames.push(this.buffered.subarray(4, 4 + length).toString());
        this.buffered = this.buffered.subarray(4 + length);
      }
      this.wake?.();
    });
  }

  static async open(port: number): Promise<RawWire> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(Buffer.from([0x7f, 0xf1, 0, 0])); // 2^24 octets at most, JSON
    const reply = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
    assert.equal(reply[1] & 0x0f, 1, 'JSON accepted');
    return new RawWire(socket);
  }

  send(text: string): void {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(4);
    header.writeUIntBE(payload.length, 1, 3);
    this.socket.write(Buffer.concat([header, payload]));
  }

  async next(type: number): Promise<string> {
    for (;;) {
      const i = this.frames.findIndex((f) => (JSON.parse(f) as unknown[])[0] === type);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('router: a payload passes on in the bytes it came in', () => {
  let router: Router;
  let url: string;
  let port: number;
  const open: Wire[] = [];
  const wire = async (serializer: 'json' | 'msgpack'): Promise<Wire> => {
    const w = await Wire.open(url, serializer);
    open.push(w);
    await w.join();
    return w;
  };

  beforeEach(async () => {
    router = new Router({ realms: [{ name: 'realm1', anonymous: true }] });
    const listener = await router.listen({ port: 0 });
    url = listener.url;
    port = listener.port;
  });

  afterEach(async () => {
    for (const w of open.splice(0)) w.close();
    await router.close();
  });

  // JSON text that a re-encoding would change (spacing, 1.50, an escaped slash, a big integer),
  // so that seeing it arrive as written shows it was passed on.
  const ARGS = '[1.50, "a,]\\/\\"", 12345678901234567890, {"n": [ ]}]';
  const KWARGS = '{"k" : "v\\u00e9"}';

  it('CALL -> INVOCATION and YIELD -> RESULT, JSON to JSON: the payload text as sent', async () => {
    const callee = await wire('json');
    const caller = await wire('json');
    callee.send('[64,1,{},"com.echo"]');
    await callee.next(65);
    caller.send(`[48, 7, {}, "com.echo", ${ARGS}, ${KWARGS}]`);
    const invocation = (await callee.next(68)).toString();
    assert.ok(invocation.endsWith(`, ${ARGS}, ${KWARGS}]`), invocation);
    const [, id] = JSON.parse(invocation) as [number, number];
    callee.send(`[70, ${id}, {}, ${ARGS}]`);
    const result = (await caller.next(50)).toString();
    assert.equal(result, `[50,7,{}, ${ARGS}]`);
  });

  it('PUBLISH -> EVENT, JSON to JSON; to a MessagePack subscriber the same values, encoded for it', async () => {
    const json = await wire('json');
    const msgpack = await wire('msgpack');
    const publisher = await wire('json');
    json.send('[32,1,{},"com.t"]');
    msgpack.send([32, 1, {}, 'com.t']);
    await Promise.all([json.next(33), msgpack.next(33)]);
    publisher.send(`[16, 2, {}, "com.t", ${ARGS}, ${KWARGS}]`);
    const event = (await json.next(36)).toString();
    assert.ok(event.endsWith(`, ${ARGS}, ${KWARGS}]`), event);
    const decoded = msgpack.decode(await msgpack.next(36));
    assert.deepEqual(decoded.slice(4), [JSON.parse(ARGS), JSON.parse(KWARGS)]);
  });

  it('MessagePack to MessagePack: the payload bytes as sent; to JSON: the same values', async () => {
    const callee = await wire('msgpack');
    const jsonCallee = await wire('json');
    const caller = await wire('msgpack');
    callee.send([64, 1, {}, 'com.mp']);
    jsonCallee.send('[64,1,{},"com.json"]');
    await Promise.all([callee.next(65), jsonCallee.next(65)]);
    const args = [1.5, 'ü', { n: [] }, new Uint8Array([1, 2])];
    const payload = Buffer.from(msgpackEncode([args, { k: 'v' }])).subarray(1);
    caller.send([48, 7, { timeout: 0 }, 'com.mp', args, { k: 'v' }]);
    const invocation = await callee.next(68);
    assert.deepEqual(invocation.subarray(invocation.length - payload.length), payload);
    caller.send([48, 8, {}, 'com.json', args, { k: 'v' }]);
    const [, , , , a, kw] = jsonCallee.decode(await jsonCallee.next(68)) as [0, 0, 0, 0, unknown[], unknown];
    assert.deepEqual(a.slice(0, 3), args.slice(0, 3));
    assert.equal(a[3], '\0AQI=', 'bytes in the JSON convention');
    assert.deepEqual(kw, { k: 'v' });
  });

  it('over RawSocket too: CALL -> INVOCATION, JSON to JSON, the payload text as sent', async () => {
    const callee = await RawWire.open(port);
    const caller = await wire('json');
    try {
      callee.send('[1,"realm1",{"roles":{"callee":{}}}]');
      await callee.next(2);
      callee.send('[64,1,{},"com.raw"]');
      await callee.next(65);
      caller.send(`[48, 7, {}, "com.raw", ${ARGS}, ${KWARGS}]`);
      const invocation = await callee.next(68);
      assert.ok(invocation.endsWith(`, ${ARGS}, ${KWARGS}]`), invocation);
      const [, id] = JSON.parse(invocation) as [number, number];
      callee.send(`[70, ${id}, {}, ${ARGS}]`);
      assert.equal((await caller.next(50)).toString(), `[50,7,{}, ${ARGS}]`);
    } finally {
      callee.close();
    }
  });

  it('a malformed payload is refused from its sender (ABORT protocol_violation); the callee never sees it', async () => {
    const callee = await wire('json');
    const hostile = await wire('json');
    const caller = await wire('json');
    callee.send('[64,1,{},"com.echo"]');
    await callee.next(65);
    for (const bad of ['[1,]', '[1] ,{"a":}', '["\\x"]', '[01]', '[1]]', '[tru]']) {
      const h = await wire('json');
      h.send(`[48, 5, {}, "com.echo", ${bad}]`);
      const abort = h.decode(await h.next(3));
      assert.equal(abort[2], 'wamp.error.protocol_violation', bad);
    }
    hostile.close();
    // The callee is still there for everyone else, and got nothing from the hostile callers.
    caller.send('[48, 6, {}, "com.echo", [2]]');
    const invocation = callee.decode(await callee.next(68));
    assert.deepEqual(invocation.slice(4), [[2]]);
  });

  it('a MessagePack string that is not UTF-8 goes on re-encoded as the decoder reads it, never as the bytes received', async () => {
    const subscriber = await wire('msgpack');
    const publisher = await wire('msgpack');
    subscriber.send([32, 1, {}, 'com.bytes']);
    await subscriber.next(33);
    // PUBLISH [16, 2, {}, "com.bytes", ["a\xff"]] with a hand-made fixstr holding 0x61 0xff.
    const head = Buffer.from(msgpackEncode([16, 2, {}, 'com.bytes']));
    head[0] = 0x95;
    publisher.sendRaw(Buffer.concat([head, Buffer.from([0x91, 0xa2, 0x61, 0xff])]));
    const event = await subscriber.next(36);
    assert.equal(event.includes(Buffer.from([0x61, 0xff])), false, 'the bad bytes are not passed on');
    const [text] = (subscriber.decode(event)[4] as string[]) ?? [];
    assert.equal(text.length, 2);
    assert.equal(text[0], 'a');
  });

  it("in-process clients get the values of a network peer's payload, plain and their own to edit", async () => {
    const local = new Connection({ realm: 'realm1', transportFactory: () => router.connectLocal() });
    try {
      local.open();
      await local.connected();
      const invocations: Invocation[] = [];
      await local.register('com.local', (inv) => {
        invocations.push(inv);
        return new Result(inv.args, inv.kwargs);
      });
      const events: EventInfo[] = [];
      await local.subscribe('com.t', (e) => void events.push(e));
      const caller = await wire('json');
      caller.send(`[48, 7, {}, "com.local", ${ARGS}, ${KWARGS}]`);
      const result = JSON.parse((await caller.next(50)).toString()) as unknown[];
      assert.deepEqual(result[3], JSON.parse(ARGS));
      const [inv] = invocations;
      assert.deepEqual([inv.args, inv.kwargs], [JSON.parse(ARGS), JSON.parse(KWARGS)]);
      assert.equal(types.isProxy(inv.args), false);
      assert.equal(types.isProxy(inv.kwargs), false);
      caller.send(`[16, 8, {}, "com.t", ${ARGS}]`);
      while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(events[0].args, JSON.parse(ARGS));
      assert.equal(types.isProxy(events[0].args), false);
    } finally {
      await local.close();
    }
  });

  it('a retained event from a network peer reaches later subscribers of every kind', async () => {
    const publisher = await wire('json');
    publisher.send(`[16, 3, {"retain": true, "acknowledge": true}, "com.kept", ${ARGS}, ${KWARGS}]`);
    await publisher.next(17);
    const json = await wire('json');
    const msgpack = await wire('msgpack');
    json.send('[32,1,{"get_retained":true},"com.kept"]');
    msgpack.send([32, 1, { get_retained: true }, 'com.kept']);
    const expected = [JSON.parse(ARGS), JSON.parse(KWARGS)];
    assert.deepEqual(json.decode(await json.next(36)).slice(4), expected);
    assert.deepEqual(msgpack.decode(await msgpack.next(36)).slice(4), expected);
    // The meta API reads a network peer's arguments too.
    json.send('[48, 4, {}, "wamp.session.count", []]');
    const count = json.decode(await json.next(50));
    assert.ok((count[3] as number[])[0] >= 3, 'wamp.session.count answered');
  });

  it('a payload nested past the depth limit is still refused, not passed on', async () => {
    const callee = await wire('json');
    const caller = await wire('json');
    callee.send('[64,1,{},"com.deep"]');
    await callee.next(65);
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    caller.send(`[48, 9, {}, "com.deep", [${deep}]]`);
    const error = JSON.parse((await caller.next(8)).toString()) as unknown[];
    assert.equal(error[4], 'wamp.error.invalid_argument');
  });
});
