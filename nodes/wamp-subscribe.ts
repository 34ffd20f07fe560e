// wamp-subscribe: emits one message per event of its topic; in dynamic mode `msg.action`
// subscribes, unsubscribes and lists subscriptions at run time (like the mqtt in node);
// "connect" / "disconnect" open or close the shared session in either mode.
import type { WampConnectionNode, WampUser } from './shared/connection-node';
import { ConnectionUser } from './shared/connection-user';
import { reasonOf } from './shared/errors';
import {
  type EventInfo,
  isMatchPolicy,
  type MatchPolicy,
  type SubscribeOptions,
  type Subscription,
  type WampError,
} from './shared/library';
import { newMessageId } from './shared/message-id';
import { flag } from './shared/options';
import { pptOf } from './shared/passthru';
import { revocationReason, revokedText } from './shared/revocation';
import { nonEmptyString, putArgs } from './shared/payload';
import type { NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend, NodeStatus } from './shared/red-types';
import { describe, evaluate, typedProperty } from './shared/typed-property';
import { within } from './shared/within';

interface WampSubscribeDef extends NodeDef {
  connection?: string;
  topic?: string;
  /** typedInput type of `topic` (str, env, flow, global: read once, at start); absent before: str. */
  topicType?: string;
  match?: string;
  getRetained?: boolean;
  dynamic?: boolean;
}

interface Wanted {
  topic: string;
  match: MatchPolicy;
  /** Resolves to the persistent subscription (the connection restores it after reconnects). */
  sub: Promise<Subscription | null>;
  dropped: boolean;
  /** The current session's answer: accepted, refused (with the reason), or not asked yet. */
  answer?: { refused?: string; detail?: string };
}

function matchOf(v: unknown): MatchPolicy | undefined {
  if (v === undefined || v === null || v === '') return 'exact';
  return isMatchPolicy(v) ? v : undefined;
}

export = function (RED: NodeAPI): void {
  function WampSubscribe(this: WampUser, def: WampSubscribeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const user = new ConnectionUser(RED, node, def.connection);
    const connNode = user.node;
    const dynamic = flag(def.dynamic);
    const getRetained = flag(def.getRetained);
    const wanted = new Map<string, Wanted>();
    const keyOf = (topic: string, match: MatchPolicy): string => `${match} ${topic}`;

    function emit(ev: EventInfo): void {
      const msg: NodeMessage = {
        _msgid: newMessageId(),
        topic: ev.topic,
        details: ev.details,
        publicationId: ev.publicationId,
      };
      putArgs(msg, ev.args, ev.kwargs);
      const ppt = pptOf(ev.details);
      if (ppt) msg.ppt = ppt;
      node.send(msg);
    }

    /** Accepted subscriptions show "subscribed", a refused one "not subscribed: <reason>". */
    node.ownStatus = (): NodeStatus | undefined => {
      const answers = [...wanted.values()].map((w) => w.answer).filter((a) => a !== undefined);
      const refusal = answers.find((a) => a.refused !== undefined);
      if (refusal)
        return {
          fill: 'red',
          shape: 'dot',
          text: RED._('wamp-subscribe.status.failed', { error: refusal.refused }),
        };
      return answers.length > 0
        ? { fill: 'green', shape: 'dot', text: 'wamp-subscribe.status.subscribed' }
        : undefined;
    };
    node.refusals = (): string[] =>
      [...wanted.values()].flatMap((w) => (w.answer?.detail ? [w.answer.detail] : []));
    node.wampLost = (): void => {
      for (const w of wanted.values()) w.answer = undefined; // the next session answers again
    };

    /**
     * Resolves once subscribed (or kept for the next session). The subscription is persistent
     * and watched: every new session subscribes again and its answer shows in the status. A
     * `msg.action` subscription the open session refuses rejects instead (for Catch) and is not kept.
     */
    function subscribe(
      c: WampConnectionNode,
      topic: string,
      match: MatchPolicy,
      fromMsg: boolean,
    ): Promise<void> {
      const key = keyOf(topic, match);
      if (wanted.has(key)) return wanted.get(key)!.sub.then(() => undefined);
      const options: SubscribeOptions = {};
      if (match !== 'exact') options.match = match;
      if (getRetained) options.get_retained = true;
      const w: Wanted = { topic, match, dropped: false, sub: Promise.resolve(null) };
      wanted.set(key, w);
      let asking = true;
      let refusedNow: WampError | undefined;
      const made = c.connection().subscribe(topic, emit, options, {
        accepted: () => {
          w.answer = {};
          c.refresh(node);
        },
        // Revoked by the router: red until the next session subscribes again.
        revoked: (details) => {
          const reason = revocationReason(details);
          w.answer = {
            refused: revokedText(RED, 'wamp-subscribe', details),
            detail: RED._('wamp-subscribe.errors.revoked', { topic, reason }),
          };
          c.refresh(node);
          node.warn(RED._('wamp-subscribe.errors.revoked', { topic, reason }));
        },
        refused: (e, reconnect) => {
          if (asking && fromMsg) {
            refusedNow = e;
            return;
          }
          w.answer = { refused: reasonOf(e), detail: `${topic}: ${e.message}` };
          c.refresh(node);
          const key = reconnect
            ? 'wamp-subscribe.errors.resubscribe-failed'
            : 'wamp-subscribe.errors.subscribe-failed';
          node.error(RED._(key, { topic, error: e.message }));
        },
      });
      w.sub = made.then(
        (s) => {
          if (!w.dropped) return s;
          void s.unsubscribe().catch(() => undefined);
          return null;
        },
        () => null,
      );
      return made.then(() => {
        asking = false;
        if (!refusedNow) return;
        const error = refusedNow.message;
        return drop(w).then(() => {
          throw new Error(RED._('wamp-subscribe.errors.subscribe-failed', { topic, error }));
        });
      });
    }

    async function drop(w: Wanted): Promise<void> {
      wanted.delete(keyOf(w.topic, w.match));
      w.dropped = true;
      connNode?.refresh(node);
      const s = await w.sub;
      if (s) await s.unsubscribe().catch(() => undefined);
    }

    function onInput(c: WampConnectionNode, msg: NodeMessage, send: NodeSend, done: NodeDone): void {
      switch (msg.action) {
        case 'subscribe': {
          const topic = nonEmptyString(msg.topic);
          const match = matchOf(msg.match);
          if (!topic) return done(new Error(RED._('wamp-subscribe.errors.no-topic')));
          if (!match)
            return done(
              new Error(RED._('wamp-subscribe.errors.invalid-match', { match: String(msg.match) })),
            );
          try {
            subscribe(c, topic, match, true).then(() => done(), done);
          } catch (e) {
            done(e as Error);
          }
          return;
        }
        case 'unsubscribe': {
          const topic = nonEmptyString(msg.topic);
          const victims = [...wanted.values()].filter((w) => topic === undefined || w.topic === topic);
          Promise.all(victims.map(drop)).then(() => done(), done);
          return;
        }
        case 'getSubscriptions': {
          msg.payload = [...wanted.values()].map((w) => ({ topic: w.topic, match: w.match }));
          send(msg);
          return done();
        }
        default:
          return done(
            new Error(RED._('wamp-subscribe.errors.invalid-action', { action: String(msg.action) })),
          );
      }
    }

    const topicProperty = typedProperty(def.topic, def.topicType, 'str');
    const match = matchOf(def.match) ?? 'exact';
    let closed = false;
    evaluate(RED, topicProperty, node, undefined, (err, value) => {
      if (closed) return;
      const topic = nonEmptyString(value);
      if (!connNode) return void user.join(); // which shows and logs that there is none
      // A typed topic that reads empty is an error in dynamic mode too (the user meant one), but
      // there the node still serves msg.action.
      const failed = Boolean(err) || (!topic && (!dynamic || topicProperty.type !== 'str'));
      if (failed) {
        node.status({ fill: 'red', shape: 'dot', text: 'wamp-subscribe.status.no-topic' });
        node.error(
          err
            ? err.message
            : topicProperty.type === 'str'
              ? RED._('wamp-subscribe.errors.no-topic')
              : RED._('wamp-subscribe.errors.topic-empty', { property: describe(topicProperty) }),
        );
        if (!dynamic) return;
      }
      user.join();
      if (topic) {
        try {
          subscribe(connNode, topic, match, false).catch((e: Error) => node.error(e.message));
        } catch {
          // Misconfigured connection: its status and log already say why.
        }
      }
    });
    // The editor shows an input only in dynamic mode (as mqtt in does); connect and disconnect
    // are honoured in both modes.
    node.on('input', (msg, send, done) => {
      if (user.action(msg, done)) return;
      if (!dynamic)
        return done(new Error(RED._('wamp-subscribe.errors.static-action', { action: String(msg.action) })));
      if (!connNode) return done(user.noConnection());
      onInput(connNode, msg, send, done);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      within(Promise.all([...wanted.values()].map(drop)), 2000).then(() => user.leave(done));
    });
  }

  RED.nodes.registerType('wamp-subscribe', WampSubscribe);
};
