import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readModelFiles } from '../../src/model/compile-model.ts';
import { parseFastYaml } from '../../src/model/fast-yaml.ts';
import { ProblemCollector } from '../../src/model/problems.ts';
import { CORPUS_DIR } from '../fixtures/cube-corpus.ts';
import { parseWithYamlPackage, type YNode } from '../../src/model/yaml-tree.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The tree as comparable data: values, kinds, key order and positions. */
function shape(node: YNode | undefined | null): unknown {
  if (!node) return null;
  const at = `${node.location.line}:${node.location.column}`;
  if (node.kind === 'scalar') return [at, node.value];
  if (node.kind === 'seq') return [at, node.items.map(shape)];
  return [at, [...node.entries].map(([k, e]) => [k, `${e.keyLocation.line}:${e.keyLocation.column}`, shape(e.value)])];
}

function reference(content: string): unknown {
  const sink = new ProblemCollector();
  const tree = parseWithYamlPackage('f.yml', content, sink);
  expect(sink.errors).toEqual([]);
  return shape(tree);
}

describe('fast YAML path agrees with the yaml package', () => {
  it('on our model files and the Cube corpus model, positions included', async () => {
    const files = [
      ...(await readModelFiles(path.join(root, 'model'))).map((f) => f.content),
      await readFile(path.join(CORPUS_DIR, 'model', 'ecommerce.yml'), 'utf8'),
    ];
    for (const content of files) {
      const fast = parseFastYaml('f.yml', content);
      expect(fast, 'the fast path should handle our own files').toBeDefined();
      expect(shape(fast)).toEqual(reference(content));
    }
  });

  it('on hand-written edge cases', () => {
    const cases = [
      'a: 1\nb: -2.5\nc: true\nd: ~\ne: null\nf: "x # not a comment"\ng: \'it\'\'s\'\nh: plain text # comment\n',
      'list:\n- a\n- b\nnested:\n  - - x\n    - y\n  - k: v\n    k2: [1, "two", {x: 1}]\n',
      'empty_map: {}\nempty_seq: []\nkey_only:\nnext: 1\n',
      'flow: { a: 1,\n  b: [x,\n    y] }\nafter: z\n',
      'lit: |\n  line 1\n  line 2 # kept\n\nfold: >-\n  folded\n  text\n\n  para\nclip: >\n  x\n',
      'url: http://example.com/a:b\ndate: 2024-01-01\ntime: "10:00"\nneg: -1 day\nver: 1.2.3\n',
      '"quoted key": 1\n\'single\': 2\n',
      '# only a comment\ncubes:\n  - name: a   # trailing\n    sql: "{CUBE}.x = \'y\'"\n',
    ];
    for (const content of cases) {
      const fast = parseFastYaml('f.yml', content);
      expect(fast, content).toBeDefined();
      expect(shape(fast), content).toEqual(reference(content));
    }
  });

  it('falls back (undefined) on constructs it does not handle, instead of guessing', () => {
    for (const content of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', '---\na: 1\n', 'a: multi\n  line plain\n', 'a: 1\na: 2\n', 'a: [unclosed\n', "a: 'open\n", 'a:\tb\n']) {
      expect(parseFastYaml('f.yml', content), content).toBeUndefined();
    }
  });

  it('on random documents written by the yaml package (block and flow styles)', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const scalar = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.stringMatching(/^[A-Za-z0-9 _.{}:'"#\-\/()=<>*,]{0,24}$/),
      fc.stringMatching(/^[a-z][a-z_ ]{0,20}$/),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('{CUBE}.x', "it's", 'a: b', '# x', 'x #y', '- x', '1 month', '2024-01-01', 'true', '~', ''),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    let handled = 0;
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), fc.boolean(), (doc, flow) => {
        const content = stringify(doc, { collectionStyle: flow ? 'flow' : 'block', lineWidth: 0 });
        const fast = parseFastYaml('f.yml', content);
        if (fast === undefined) return;
        handled++;
        expect(shape(fast)).toEqual(reference(content));
      }),
      { numRuns: 600 },
    );
    // Most documents take the fast path; the rest fell back, which is always correct.
    expect(handled).toBeGreaterThan(200);
  });
});
