// The editor files against the habits of Node-RED's core nodes, read from the sources (the build
// copies them unchanged): colours from the palette Node-RED's own nodes use, port labels on both
// sides, a References section in every help text in both languages, short palette labels. The
// browser test (test/e2e/node-dialogs.e2e.ts) checks what the editor makes of them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nodeTypes } from '../support/package-in-node-red';

const root = path.resolve(__dirname, '../../..');
/** Node-RED's documented node colours ("Node appearance"), which its core nodes use. */
const NODE_RED_COLOURS = [
  '#3FADB5',
  '#87A980',
  '#A6BBCF',
  '#AAAA66',
  '#C0C0C0',
  '#C0DEED',
  '#C7E9C0',
  '#D7D7A0',
  '#D8BFD8',
  '#DAC4B4',
  '#DEB887',
  '#DEBD5C',
  '#E2D96E',
  '#E6E0F8',
  '#E7E7AE',
  '#E9967A',
  '#F3B567',
  '#FDD0A2',
  '#FDF0C2',
  '#FFAAAA',
  '#FFCC66',
  '#FFF0F0',
  '#FFFFFF',
];

const editorFile = (type: string): string =>
  fs.readFileSync(path.join(root, 'nodes', `${type}.html`), 'utf8');
const helpText = (lang: string, type: string): string =>
  fs.readFileSync(path.join(root, 'nodes', 'locales', lang, `${type}.html`), 'utf8');
const catalogue = (lang: string, type: string): Record<string, unknown> =>
  (
    JSON.parse(fs.readFileSync(path.join(root, 'nodes', 'locales', lang, `${type}.json`), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >
  )[type];

describe('editor files follow the core nodes’ habits', function () {
  it('flow nodes take their colours from Node-RED’s set: RPC nodes one tone, PubSub another', () => {
    const colours: Record<string, string> = {};
    for (const type of nodeTypes.filter((t) => t !== 'wamp-connection')) {
      const colour = /color: '([^']+)'/.exec(editorFile(type))?.[1];
      assert.ok(colour, `${type} has a colour`);
      assert.ok(NODE_RED_COLOURS.includes(colour.toUpperCase()), `${type}: ${colour}`);
      colours[type] = colour.toUpperCase();
    }
    assert.equal(colours['wamp-call'], '#C0DEED', 'network nodes blue');
    assert.equal(colours['wamp-register'], colours['wamp-call']);
    assert.equal(colours['wamp-response'], colours['wamp-call']);
    assert.equal(colours['wamp-subscribe'], colours['wamp-publish']);
  });

  for (const type of nodeTypes) {
    it(`${type}: a References section with links in the en-US and zh-CN help`, () => {
      for (const [help, title] of [
        [helpText('en-US', type), 'References'],
        [helpText('zh-CN', type), '参考'],
      ]) {
        const at = help.indexOf(`<h3>${title}</h3>`);
        assert.ok(at > 0, `${type}: <h3>${title}</h3>`);
        const section = help.slice(at, help.indexOf('</script>', at));
        assert.match(
          section,
          /<ul>\s*(<li><a href="https:\/\/[^"]+" target="_blank">[^<]+<\/a>[^\n]*<\/li>\s*)+<\/ul>/,
        );
      }
    });
  }

  for (const type of nodeTypes.filter((t) => t !== 'wamp-connection')) {
    it(`${type}: input labels wherever there are output labels, from the catalogue`, () => {
      const html = editorFile(type);
      const inputs = /\binputs: (\d)/.exec(html)?.[1];
      if (/outputLabels:/.test(html) && inputs !== '0') assert.match(html, /inputLabels:/);
      for (const side of ['input', 'output'])
        if (new RegExp(`${side}Labels:`).test(html)) {
          // The label function's body (a port index may pick one of several keys).
          const key = new RegExp(
            `${side}Labels: function \\([a-z]*\\) \\{[^}]*?this\\._\\('${type}\\.([a-zA-Z]+)'\\)`,
          ).exec(html)?.[1];
          assert.ok(key, `${type} ${side}Labels from the catalogue`);
          for (const lang of ['en-US', 'zh-CN']) assert.ok(catalogue(lang, type)[key], `${lang} ${key}`);
        }
    });
  }

  it('palette labels are short (the browser test checks they fit on one line)', () => {
    for (const type of nodeTypes.filter((t) => t !== 'wamp-connection'))
      for (const lang of ['en-US', 'zh-CN']) {
        const label = String(catalogue(lang, type).paletteLabel);
        assert.ok(label.length <= 10, `${lang} ${type}: "${label}"`);
      }
  });

  it('dialogs take their layout from one shared style, not inline style attributes', () => {
    // The one exception is Node-RED's own: a typedInput takes its width from the input's style.
    const typedInputs = (html: string): Set<string> =>
      new Set([...html.matchAll(/\$\('#([\w-]+)'\)\.typedInput\(/g)].map((m) => m[1]));
    const files = [...nodeTypes, 'wamp-router-view'];
    for (const type of files) {
      const html = editorFile(type);
      const allowed = typedInputs(html);
      for (const m of html.matchAll(/<[a-z][^<>]*\sstyle="[^"]*"[^<>]*>/gi)) {
        const id = /\sid="([^"]+)"/.exec(m[0])?.[1];
        assert.ok(id && allowed.has(id), `${type}: inline style on ${m[0]}`);
      }
    }
    // Defined once, in the file every client node's dialog comes with.
    const shared = /\.wamp-check \{/;
    assert.deepEqual(
      files.filter((t) => shared.test(editorFile(t))),
      ['wamp-connection'],
    );
    for (const type of nodeTypes) {
      for (const cls of editorFile(type).matchAll(/class="([^"]*)"/g))
        for (const c of cls[1]
          .split(/\s+/)
          .filter((x) =>
            /^wamp-(check|label|heading|select|short|number|bytes|list|tips|tabs|hidden|after)/.test(x),
          ))
          assert.match(
            editorFile('wamp-connection'),
            new RegExp(`\\.${c}[ ,{]`),
            `${type}: .${c} is defined`,
          );
    }
  });
});
