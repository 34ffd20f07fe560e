// What an MQTT test runs against: a Router listening with MQTT on its own port, and the MQTT.js
// clients and WAMP connections the test opened. closeAfterEach() (called inside a describe, so
// that the hook is that describe's, not the whole suite's) closes them after each test.
import { afterEach } from 'mocha';
import mqtt, { type MqttClient } from 'mqtt';
import { Connection } from '../../src/client/connection';
import { Router } from '../../src/router';
import type { RealmConfig } from '../../src/router/config';
import type { RouterListenOptions } from '../../src/router/router';
import type { Listener } from '../../src/transports/listener';

export class MqttBed {
  router: Router | undefined;
  listener: Listener | undefined;
  /** Closed after the test; a test that closes one itself takes it out. */
  readonly clients: MqttClient[] = [];
  private readonly conns: Connection[] = [];

  constructor(private readonly realms: RealmConfig[]) {}

  /** A fresh router on a free port, MQTT on (unless `listen` says otherwise); its mqtt:// URL. */
  async start(listen: Omit<RouterListenOptions, 'port'> = {}): Promise<string> {
    this.router = new Router({ realms: this.realms });
    this.listener = await this.router.listen({ port: 0, mqtt: true, ...listen });
    return `mqtt://127.0.0.1:${this.listener.port}`;
  }

  async client(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    this.clients.push(c);
    return c;
  }

  /** A WAMP session of our client, in-process, joined to `realm`. */
  async wamp(realm = 'realm1', extra: Record<string, unknown> = {}): Promise<Connection> {
    const c = new Connection({ realm, transportFactory: () => this.router!.connectLocal(), ...extra });
    this.conns.push(c);
    c.open();
    await c.connected();
    return c;
  }

  closeAfterEach(): void {
    afterEach(async () => {
      for (const c of this.clients.splice(0)) c.end(true);
      await Promise.all(this.conns.splice(0).map((c) => c.close()));
      await this.listener?.close();
      await this.router?.close();
      this.router = undefined;
      this.listener = undefined;
    });
  }
}
