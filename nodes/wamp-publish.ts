// wamp-publish: publishes each message to a topic (the node's typedInput: a string, else
// msg.topic, or a msg / flow / global / env property); "connect" / "disconnect" in msg.action
// open or close the shared session instead.
import type { WampUser } from './shared/connection-node';
import { ConnectionUser } from './shared/connection-user';
import { failMsg } from './shared/errors';
import type { Connection, PublishOptions } from './shared/library';
import { passthruOf, type PassthruTexts, type Passthru } from './shared/passthru';
import { argsFromMsg, nonEmptyString, sessionIds } from './shared/payload';
import { flag } from './shared/options';
import type { NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend } from './shared/red-types';
import { describe, evaluated, typedProperty } from './shared/typed-property';

interface WampPublishDef extends NodeDef {
  connection?: string;
  topic?: string;
  /** typedInput type of `topic`; absent on nodes saved before it was one: a string then. */
  topicType?: string;
  acknowledge?: boolean;
  excludeMe?: boolean;
  discloseMe?: boolean;
  retain?: boolean;
  /** Session ids, comma separated. */
  eligible?: string;
  exclude?: string;
}

export = function (RED: NodeAPI): void {
  function WampPublish(this: WampUser, def: WampPublishDef): void {
    RED.nodes.createNode(this, def);
    const pptText: PassthruTexts = (problem) =>
      problem === 'invalid'
        ? RED._('wamp-publish.errors.ppt-invalid')
        : RED._('wamp-publish.errors.ppt-not-binary');
    const node = this;
    const topicProperty = typedProperty(def.topic, def.topicType, 'str');
    const user = new ConnectionUser(RED, this, def.connection);
    const connNode = user.join();

    /** A string: the node's, else msg.topic (as mqtt out); other types: that property, not empty. */
    // A string topic is known at once (no promise on the hot path); other types are evaluated.
    function topicFor(msg: NodeMessage): string | Promise<string> {
      if (topicProperty.type === 'str') {
        const topic = nonEmptyString(topicProperty.value) ?? nonEmptyString(msg.topic);
        if (!topic) throw new Error(RED._('wamp-publish.errors.no-topic'));
        return topic;
      }
      return evaluated(RED, topicProperty, node, msg).then((value) => {
        const topic = nonEmptyString(value);
        if (!topic)
          throw new Error(RED._('wamp-publish.errors.topic-empty', { property: describe(topicProperty) }));
        return topic;
      });
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
      if (user.action(msg, done)) return;
      if (msg.action !== undefined && msg.action !== 'publish') {
        return done(new Error(RED._('wamp-publish.errors.invalid-action', { action: String(msg.action) })));
      }
      if (!connNode) return done(failMsg(msg, user.noConnection()));
      let ppt: Passthru | undefined;
      try {
        ppt = passthruOf(msg, pptText);
      } catch (e) {
        return done(failMsg(msg, e));
      }
      const { args, kwargs } = ppt ? { args: ppt.args, kwargs: {} } : argsFromMsg(msg);
      const publishOn = (topic: string, conn: Connection): Promise<unknown> =>
        conn.publish(topic, args, kwargs, ppt ? { ...optionsFor(msg), ...ppt.options } : optionsFor(msg));
      const publishTo = (topic: string): Promise<unknown> =>
        // Connected: straight to the session (no wait for ready(), one promise less per message).
        connNode.connected
          ? publishOn(topic, connNode.connection())
          : connNode.ready().then((conn) => publishOn(topic, conn));
      let publishing: Promise<unknown>;
      try {
        const topic = topicFor(msg);
        publishing = typeof topic === 'string' ? publishTo(topic) : topic.then(publishTo);
      } catch (e) {
        publishing = Promise.reject(e);
      }
      publishing.then(
        () => done(),
        (e: unknown) => done(failMsg(msg, e)),
      );
    });

    this.on('close', (_removed: boolean, done: () => void) => user.leave(done));
  }

  RED.nodes.registerType('wamp-publish', WampPublish);
};
