import assert from 'node:assert/strict';
import { jsonValueEnd, lastDepth } from '../../src/serializers/json-scan';
import { mutate, randomText, randomValue } from './json-fuzz';
import { Rng } from '../reliability/fuzz-corpus';

/** The nesting depth of a decoded value: a scalar 0, `[]` and `{}` 1. */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let max = 0;
  for (const e of Object.values(v)) max = Math.max(max, depthOf(e));
  return max + 1;
}

/** How many members the dicts of a decoded value have in all. */
function membersOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = Array.isArray(v) ? 0 : Object.keys(v).length;
  for (const e of Object.values(v)) n += membersOf(e);
  return n;
}

/**
 * Whether valid JSON `text` repeats a key in a dict: JSON.parse then keeps the last value only,
 * and the decoded value may be shallower than the text. Outside strings, each colon is a member.
 */
function repeatsKeys(text: string): boolean {
  const colons = text.replace(/"(?:[^"\\]|\\.)*"/g, '').split(':').length - 1;
  return colons !== membersOf(JSON.parse(text));
}

const isWs = (t: string): boolean => /^[ \t\n\r]*$/.test(t);

/** Whether the scanner takes `text` as one JSON value (JSON whitespace around it allowed), as JSON.parse does. */
function scannerAccepts(text: string): boolean {
  const end = jsonValueEnd(text, 0);
  return end >= 0 && isWs(text.slice(end));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks the scanner against JSON.parse on `text`: accepted iff JSON.parse accepts it; if so, the
 * depth is the decoded value's, and the value scanned inside a list stops exactly before `,2]`.
 */
function agrees(text: string): void {
  const ok = parses(text);
  assert.equal(
    scannerAccepts(text),
    ok,
    `${JSON.stringify(text)}: JSON.parse ${ok ? 'accepts' : 'refuses'} it`,
  );
  if (jsonValueEnd(text, 0) === -1)
    assert.ok(jsonValueEnd(text, 0, 1) < 0, 'a depth limit refuses what is invalid');
  if (!ok) return;
  const end = jsonValueEnd(text, 0);
  // The depth of the text, which a decoded value with a repeated key may not show in full.
  const depth = lastDepth();
  const decoded = depthOf(JSON.parse(text));
  if (repeatsKeys(text)) assert.ok(depth >= decoded, `depth of ${JSON.stringify(text)}`);
  else assert.equal(depth, decoded, `depth of ${JSON.stringify(text)}`);
  // A depth limit refuses exactly what is deeper than the limit (-2), and changes nothing else.
  assert.equal(jsonValueEnd(text, 0, depth), end);
  if (depth > 0)
    assert.equal(jsonValueEnd(text, 0, depth - 1), -2, `${JSON.stringify(text)} deeper than ${depth - 1}`);
  const embedded = `[1,${text},2]`;
  const inner = jsonValueEnd(embedded, 3);
  assert.equal(inner, 3 + end, `end of ${JSON.stringify(text)} inside a list`);
  assert.ok(/^[ \t\n\r]*,2\]$/.test(embedded.slice(inner)));
  assert.equal(lastDepth(), depth);
  assert.equal(jsonValueEnd(embedded, 0), embedded.length);
}

describe('jsonValueEnd (validating a JSON payload without decoding it)', () => {
  it('scalars: depth 0, the end just past them', () => {
    const cases: Array<[string, number]> = [
      ['0', 1],
      ['-0', 2],
      ['12', 2],
      ['-12.50', 6],
      ['1e5', 3],
      ['1E+5', 4],
      ['1e-05', 5],
      ['0.0e0', 5],
      ['true', 4],
      ['false', 5],
      ['null', 4],
      ['""', 2],
      ['"a b"', 5],
      [' \t\r\n 7 ', 6],
    ];
    for (const [text, end] of cases) {
      assert.equal(jsonValueEnd(text, 0), end, text);
      assert.equal(lastDepth(), 0, text);
      agrees(text);
    }
  });

  it('strings: every escape, any hex case, lone surrogates, raw non-ASCII and DEL', () => {
    for (const text of [
      '"\\" \\\\ \\/ \\b \\f \\n \\r \\t"',
      '"\\u00e9\\u00E9\\uABCD\\uabcd"',
      '"\\ud800"',
      '"\\udc00x\\ud83d"',
      '"ü€😀"',
      '"\u007f\u0080\u2028\u2029"',
      '"\ud800"', // a raw lone surrogate: JSON.parse takes it (the transport's UTF-8 decoder never makes one)
      '"a\\\\"',
      '"\\\\\\""',
    ]) {
      assert.ok(scannerAccepts(text), text);
      agrees(text);
    }
  });

  it('strings: refuses raw control characters, unknown escapes, short \\u, and a missing quote', () => {
    for (const text of [
      '"\u0000"',
      '"a\u001fb"',
      '"\n"',
      '"\t"',
      '"\\x41"',
      '"\\U0041"',
      '"\\a"',
      '"\\v"',
      '"\\\'"',
      '"\\u{41}"',
      '"\\0"',
      '"\\u12"',
      '"\\u12g4"',
      '"\\u"',
      '"\\',
      '"\\"',
      '"abc',
      '"',
      "'a'",
      '"\\\u0041"',
    ]) {
      assert.equal(jsonValueEnd(text, 0), -1, JSON.stringify(text));
      agrees(text);
    }
  });

  it('numbers: refuses what the grammar does not allow', () => {
    for (const text of [
      '-',
      '+1',
      '.5',
      '1.',
      '1.e5',
      '1e',
      '1e+',
      '-e5',
      '--1',
      'Infinity',
      '-Infinity',
      'NaN',
      '0x10',
      '- 1',
    ])
      assert.ok(!scannerAccepts(text), text);
    // A leading zero ends the number: only `0` is a value, the rest is not JSON.
    assert.equal(jsonValueEnd('01', 0), 1);
    assert.equal(jsonValueEnd('[01]', 0), -1);
    assert.equal(jsonValueEnd('[-01]', 0), -1);
    assert.equal(jsonValueEnd('[1.5.5]', 0), -1);
    for (const text of [
      '-',
      '+1',
      '.5',
      '1.',
      '01',
      '-01',
      '1e',
      '1e+',
      'Infinity',
      'NaN',
      '0x10',
      '1.5.5',
      '00',
    ])
      agrees(text);
  });

  it('literals: only true, false and null, spelled out', () => {
    for (const text of ['tru', 'True', 'nul', 'NULL', 'f', 'undefined', 'nulL', 't rue']) {
      assert.equal(jsonValueEnd(text, 0), -1, text);
      agrees(text);
    }
    assert.equal(jsonValueEnd('nulll', 0), 4); // `null`, then something that is not JSON
    agrees('nulll');
  });

  it('lists and dicts: depth and end', () => {
    const cases: Array<[string, number]> = [
      ['[]', 1],
      ['{}', 1],
      ['[ ]', 1],
      ['{ \n}', 1],
      ['[1]', 1],
      ['[1, "a", true, null, {}]', 2],
      ['[[1]]', 2],
      ['[[], []]', 2],
      ['{"a":[{}]}', 3],
      ['{"a" : 1 , "b" :[ 1 , [ 2 ] ] }', 3],
      ['[{"id":0,"name":"item-0","value":0.5},{"id":1,"name":"item-1","value":1}]', 2],
      ['[{"id":0},{"x":[]}]', 3],
      ['[1,{"a":{"b":{"c":[[[]]]}}}]', 7],
      ['{"":""}', 1],
      ['{"a":1,"a":2}', 1], // duplicate keys are valid JSON (the last one wins)
      ['{"a":[[[]]],"a":2}', 4], // the depth of the text, not of what JSON.parse keeps
      ['[[[[[[[[[[]]]]]]]]]]', 10],
    ];
    for (const [text, depth] of cases) {
      assert.equal(jsonValueEnd(text, 0), text.length, text);
      assert.equal(lastDepth(), depth, text);
      agrees(text);
      agrees(JSON.stringify(JSON.parse(text), null, '\t'));
    }
  });

  it('lists and dicts: refuses trailing and missing commas, bad keys and colons, mismatched brackets', () => {
    for (const text of [
      '[1,]',
      '[,1]',
      '[,]',
      '[1 2]',
      '[1,,2]',
      '{"a":1,}',
      '{,"a":1}',
      '{"a"}',
      '{"a":}',
      '{"a" 1}',
      '{"a"::1}',
      '{a:1}',
      '{1:2}',
      '{"a":1 "b":2}',
      '[1;2]',
      '{"a"=1}',
      '{"a":1,"b"}',
      '{null:1}',
      '[}',
      '{]',
      '[1}',
      '{"a":1]',
      ']',
      '}',
      '[',
      '{',
      '[[]',
      '{"a":[1,2}',
      '[{"id":0,"name":"x",}]',
      '[{"id":0,"name":"x"},]',
      '[{"id":0 "name":"x"}]',
      '[{"id":01}]',
    ]) {
      assert.equal(jsonValueEnd(text, 0), -1, text);
      agrees(text);
    }
  });

  it('whitespace: only space, tab, LF and CR', () => {
    for (const ws of ['\u00a0', '\f', '\v', '\u2028', '\ufeff', '\u3000']) {
      assert.equal(jsonValueEnd(`${ws}1`, 0), -1);
      assert.equal(jsonValueEnd(`[1,${ws}2]`, 0), -1);
      assert.equal(jsonValueEnd(`{"a":${ws}2}`, 0), -1);
      agrees(`[${ws}]`);
      agrees(`{"a"${ws}:1}`);
    }
    const spaced = ' \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \t\r\n"a" \t\r\n: \t\r\n2 \t\r\n} \t\r\n] \t';
    assert.equal(jsonValueEnd(spaced, 0), spaced.length - 2);
    assert.equal(lastDepth(), 2);
  });

  it('the end of the text anywhere: -1', () => {
    const text = '[{"a":[1.5e3,"x\\u0041",true,null]},{"b":{}}]';
    for (let n = 0; n < text.length; n++)
      assert.equal(jsonValueEnd(text.slice(0, n), 0), -1, text.slice(0, n));
    assert.equal(jsonValueEnd('', 0), -1);
    assert.equal(jsonValueEnd('   ', 0), -1);
    assert.equal(jsonValueEnd('[1]', 3), -1);
  });

  it('starts at `start`, skipping whitespace there, and stops after the value', () => {
    const text = 'xx  {"a":[1]}  ,"b"';
    assert.equal(jsonValueEnd(text, 2), 13);
    assert.equal(lastDepth(), 2);
    assert.equal(jsonValueEnd(text, 16), 19);
    assert.equal(lastDepth(), 0);
    assert.equal(jsonValueEnd(text, 0), -1);
  });

  it('nesting a million deep: no recursion, the depth reported', () => {
    const n = 1_000_000;
    const lists = `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.equal(jsonValueEnd(lists, 0), lists.length);
    assert.equal(lastDepth(), n);
    const dicts = `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    assert.equal(jsonValueEnd(dicts, 0), dicts.length);
    assert.equal(lastDepth(), n);
    const mixed = `${'[{"a":'.repeat(n / 2)}[]${'}]'.repeat(n / 2)}`;
    assert.equal(jsonValueEnd(mixed, 0), mixed.length);
    assert.equal(lastDepth(), n + 1);
    assert.equal(jsonValueEnd('['.repeat(n), 0), -1);
    // The router's depth limit refuses them without walking them.
    assert.equal(jsonValueEnd(lists, 0, 64), -2);
    assert.equal(jsonValueEnd(dicts, 0, 64), -2);
    assert.equal(jsonValueEnd(`${'['.repeat(64)}${']'.repeat(64)}`, 0, 64), 128);
    assert.equal(lastDepth(), 64);
    assert.equal(jsonValueEnd(`${'['.repeat(63)}[{"a":1}]${']'.repeat(63)}`, 0, 64), -2);
    assert.equal(jsonValueEnd(`${'['.repeat(63)}{}${']'.repeat(63)}`, 0, 64), 128);
    assert.equal(jsonValueEnd(`${'['.repeat(n)}${']'.repeat(n - 1)}}`, 0), -1);
  });

  // V8's regular expressions run out of backtracking stack at a few million repetitions (~8 MB
  // here): the scanner must then walk the text itself, with the same answers.
  describe('beyond what a regular expression can backtrack over', () => {
    const n = 5_000_000;

    it('a list of 5 million numbers', () => {
      const numbers = `[${Array(n).fill('1').join(',')}`;
      assert.equal(jsonValueEnd(`${numbers}]`, 0), numbers.length + 1);
      assert.equal(lastDepth(), 1);
      assert.equal(jsonValueEnd(`${numbers},]`, 0), -1);
    });

    it('a list of a million records', () => {
      const records = `[${Array(n / 5)
        .fill('{"a":1}')
        .join(',')}`;
      assert.equal(jsonValueEnd(`${records}]`, 0), records.length + 1);
      assert.equal(lastDepth(), 2);
      assert.equal(jsonValueEnd(`${records},{"a":1,}]`, 0), -1);
    });

    it('a string of 5 million escapes', () => {
      const escapes = `"${'\\n'.repeat(n)}`;
      for (const tail of ['\\uAbCd"', '\\v"', '\\u00g0"', '\u001f"']) {
        const text = escapes + tail;
        assert.equal(scannerAccepts(text), parses(text), JSON.stringify(tail));
      }
    });
  });

  describe('differential fuzz against JSON.parse (fixed seeds)', () => {
    it('3,000 random valid texts: accepted, end and depth right, also inside a list', () => {
      const rng = new Rng(13);
      for (let n = 0; n < 3000; n++) {
        const text = randomText(rng);
        assert.ok(parses(text));
        agrees(text);
      }
    });

    it('6,000 random mutations: accepted iff JSON.parse accepts them', () => {
      const rng = new Rng(1313);
      let accepted = 0;
      for (let n = 0; n < 6000; n++) {
        const text = mutate(rng, randomText(rng));
        if (parses(text)) accepted++;
        agrees(text);
      }
      // The mutations must exercise both sides, not only the obvious refusals.
      assert.ok(accepted > 300 && accepted < 5700, `${accepted} of 6000 accepted`);
    });

    it('2,000 mutations of lists of records (the flat-container fast path)', () => {
      const rng = new Rng(4096);
      for (let n = 0; n < 2000; n++) {
        const records = Array.from({ length: 1 + rng.int(6) }, (_, i) =>
          rng.chance(0.8) ? { id: i, name: `item-${i}`, value: i * 0.5 } : randomValue(rng, 4),
        );
        const text = JSON.stringify({ items: records }, null, rng.pick([undefined, 1]));
        agrees(text);
        agrees(mutate(rng, text));
      }
    });
  });
});
