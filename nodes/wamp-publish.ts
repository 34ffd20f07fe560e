// wamp-publish: publishes each message to a topic (the node's, else msg.topic); "connect" /
// "disconnect" in msg.action open or close the shared session instead.
import { isConnectionAction, runConnectionAction } from './shared/connection-actions';
import { getConnectionNode, NO_CONNECTION, type WampUser } from './shared/connection-node';
import { failMsg } from './shared/errors';
import type { Connection, PublishOptions } from './shared/library';
import { argsFromMsg, nonEmptyString, sessionIds } from './shared/payload';
import type { NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend } from './shared/red-types';

interface WampPublishDef extends NodeDef {
  connection?: string;
  topic?: string;
  acknowledge?: boolean;
  excludeMe?: boolean;
  discloseMe?: boolean;
  retain?: boolean;
  /** Session ids, comma separated. */
  eligible?: string;
  exclude?: string;
}

const flag = (v: unknown): boolean => v === true || v === 'true';

export = function (RED: NodeAPI): void {
  function WampPublish(this: WampUser, def: WampPublishDef): void {
    RED.nodes.createNode(this, def);
    const connNode = getConnectionNode(RED, def.connection);
    if (!connNode) {
      this.status(NO_CONNECTION);
      this.error(RED._('wamp-publish.errors.no-connection'));
    } else {
      connNode.register(this);
    }

    function optionsFor(msg: NodeMessage): PublishOptions {
      const options: PublishOptions = {};
      if (flag(def.acknowledge)) options.acknowledge = true;
      // Always explicit: one connection is shared by a flow's publishers and subscribers, so the
      // spec's default (true) would hide a flow's own events from it; the form defaults to off.
      options.exclude_me = flag(def.excludeMe);
      if (flag(def.discloseMe)) options.disclose_me = true;
      if (flag(def.retain) || msg.retain === true) options.retain = true;
      const eligible = sessionIds(msg.eligible ?? def.eligible);
      const exclude = sessionIds(msg.exclude ?? def.exclude);
      if (eligible) options.eligible = eligible;
      if (exclude) options.exclude = exclude;
      return options;
    }

    this.on('input', (msg: NodeMessage, _send: NodeSend, done: NodeDone) => {
      if (isConnectionAction(msg))
        return runConnectionAction(
          connNode,
          msg,
          done,
          () => new Error(RED._('wamp-publish.errors.no-connection')),
        );
      if (msg.action !== undefined && msg.action !== 'publish') {
        return done(new Error(RED._('wamp-publish.errors.invalid-action', { action: String(msg.action) })));
      }
      const topic = nonEmptyString(def.topic) ?? nonEmptyString(msg.topic);
      if (!topic) return done(failMsg(msg, new Error(RED._('wamp-publish.errors.no-topic'))));
      if (!connNode) return done(failMsg(msg, new Error(RED._('wamp-publish.errors.no-connection'))));
      const { args, kwargs } = argsFromMsg(msg);
      const publishOn = (conn: Connection): Promise<unknown> =>
        conn.publish(topic, args, kwargs, optionsFor(msg));
      let publishing: Promise<unknown>;
      try {
        // Connected: straight to the session (no wait for ready(), one promise less per message).
        publishing = connNode.connected ? publishOn(connNode.connection()) : connNode.ready().then(publishOn);
      } catch (e) {
        publishing = Promise.reject(e);
      }
      publishing.then(
        () => done(),
        (e: unknown) => done(failMsg(msg, e)),
      );
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      if (connNode) connNode.deregister(this, done);
      else done();
    });
  }

  RED.nodes.registerType('wamp-publish', WampPublish);
};
