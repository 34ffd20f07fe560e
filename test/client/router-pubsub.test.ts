// The client's publish and subscribe against the embedded router, in-process.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { EventInfo } from '../../src/client/types';
import { embeddedRouterPerTest, open } from './embedded-router';

describe('client against the embedded router: PubSub', () => {
  embeddedRouterPerTest();

  it('publish with acknowledge reaches subscribers (exact and wildcard), not the publisher unless exclude_me is false', async () => {
    const sub = await open({});
    const pub = await open({});
    const exact: EventInfo[] = [];
    const wild: EventInfo[] = [];
    const own: EventInfo[] = [];
    await sub.subscribe('com.news.sport', (e) => exact.push(e));
    await sub.subscribe('com..sport', (e) => wild.push(e), { match: 'wildcard' });
    await pub.subscribe('com.news.sport', (e) => own.push(e));
    const ack = await pub.publish('com.news.sport', ['goal'], { score: 1 }, { acknowledge: true });
    assert.equal(typeof ack.publicationId, 'number');
    await pub.publish('com.news.sport', ['again'], {}, { acknowledge: true, exclude_me: false });
    await sub.call('wamp.none').catch(() => undefined); // a round trip: events came before its answer
    assert.deepEqual(
      exact.map((e) => e.args[0]),
      ['goal', 'again'],
    );
    assert.deepEqual(exact[0].kwargs, { score: 1 });
    assert.equal(exact[0].publicationId, ack.publicationId);
    assert.deepEqual(
      wild.map((e) => e.topic),
      ['com.news.sport', 'com.news.sport'],
    );
    await pub.call('wamp.none').catch(() => undefined);
    assert.deepEqual(
      own.map((e) => e.args[0]),
      ['again'],
    );
  });

  it('two subscribe() calls for one topic share one subscription id and both handlers receive', async () => {
    const sub = await open({});
    const pub = await open({});
    const a: unknown[] = [];
    const b: unknown[] = [];
    const [sa, sb] = await Promise.all([
      sub.subscribe('com.t', (e) => a.push(e.args[0])),
      sub.subscribe('com.t', (e) => b.push(e.args[0])),
    ]);
    assert.equal(sa.id, sb.id);
    await pub.publish('com.t', [1], {}, { acknowledge: true });
    await sa.unsubscribe();
    await pub.publish('com.t', [2], {}, { acknowledge: true });
    await sub.call('wamp.none').catch(() => undefined);
    assert.deepEqual(a, [1]);
    assert.deepEqual(b, [1, 2]);
  });
});
