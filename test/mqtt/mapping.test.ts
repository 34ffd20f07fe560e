// The MQTT <-> WAMP mapping as the README's table states it.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { argsToMqtt, mqttToArgs } from '../../src/mqtt/payload';
import { filterToSubscriptions, topicToUri, uriToTopic } from '../../src/mqtt/topics';

describe('MQTT <-> WAMP mapping', () => {
  it('topics are URIs with / for .; what is no WAMP URI is refused', () => {
    assert.equal(topicToUri('a/b/c'), 'a.b.c');
    assert.equal(uriToTopic('a.b.c'), 'a/b/c');
    for (const bad of ['', 'a//b', '/a', 'a/', 'a.b', 'a/+', 'a/#', 'a b', 'a/b c']) {
      assert.equal(topicToUri(bad), undefined, bad);
    }
  });

  it('filters: + is a wildcard component, a/# the prefix a. and a itself', () => {
    assert.deepEqual(filterToSubscriptions('a/b'), [{ uri: 'a.b', match: 'exact' }]);
    assert.deepEqual(filterToSubscriptions('a/+/c'), [{ uri: 'a..c', match: 'wildcard' }]);
    assert.deepEqual(filterToSubscriptions('+/b'), [{ uri: '.b', match: 'wildcard' }]);
    assert.deepEqual(filterToSubscriptions('a/b/#'), [
      { uri: 'a.b.', match: 'prefix' },
      { uri: 'a.b', match: 'exact', optional: true },
    ]);
    for (const bad of ['#', 'a/+/#', 'a/#/b', 'a#', 'a+/b', 'a.b/c', '$SYS/x', '', 'a//b']) {
      assert.equal(filterToSubscriptions(bad), undefined, bad);
    }
  });

  it('MQTT payloads: JSON is its value, other UTF-8 a string, anything else bytes', () => {
    assert.deepEqual(mqttToArgs(Buffer.from('{"a":[1,2]}')), [{ a: [1, 2] }]);
    assert.deepEqual(mqttToArgs(Buffer.from('42')), [42]);
    assert.deepEqual(mqttToArgs(Buffer.from('on')), ['on']);
    assert.deepEqual(mqttToArgs(Buffer.from([0xff, 0xfe])), [Buffer.from([0xff, 0xfe])]);
    assert.deepEqual(mqttToArgs(Buffer.alloc(0)), []);
  });

  it('WAMP payloads: one argument is it, only kwargs the dict, else the list', () => {
    assert.equal(argsToMqtt(['text'], undefined).toString(), 'text');
    assert.equal(argsToMqtt([21.5], {}).toString(), '21.5');
    assert.equal(argsToMqtt([], { a: 1 }).toString(), '{"a":1}');
    assert.equal(argsToMqtt([1, 2], undefined).toString(), '[1,2]');
    assert.equal(argsToMqtt([1], { a: 1 }).toString(), '[1]');
    assert.deepEqual(argsToMqtt([new Uint8Array([1, 2])], undefined), Buffer.from([1, 2]));
    assert.equal(argsToMqtt(undefined, undefined).length, 0);
  });
});
