import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelValidationError } from '../../src/errors/user-error.ts';
import { compileModel, readModelFiles, type ModelFile } from '../../src/model/compile-model.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let files: ModelFile[];

beforeAll(async () => {
  files = await readModelFiles(path.join(root, 'model'));
});

/** Line-level edits a modeler makes by mistake. */
const mutation = fc.record({
  file: fc.nat(),
  line: fc.nat(),
  kind: fc.constantFrom('delete', 'duplicate', 'indent', 'dedent', 'char', 'truncate', 'swapValue'),
  char: fc.constantFrom('{', '}', '[', ']', ':', '-', '"', "'", '#', ' ', 'x', '\t', '&', '*', '|'),
  position: fc.nat(),
});

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(source: ModelFile[], edits: readonly Mutation[]): ModelFile[] {
  const out = source.map((f) => ({ ...f, lines: f.content.split('\n') }));
  for (const edit of edits) {
    const file = out[edit.file % out.length]!;
    const i = edit.line % file.lines.length;
    const line = file.lines[i]!;
    const at = line.length === 0 ? 0 : edit.position % line.length;
    if (edit.kind === 'delete') file.lines.splice(i, 1);
    else if (edit.kind === 'duplicate') file.lines.splice(i, 0, line);
    else if (edit.kind === 'indent') file.lines[i] = `  ${line}`;
    else if (edit.kind === 'dedent') file.lines[i] = line.replace(/^ {1,2}/, '');
    else if (edit.kind === 'char') file.lines[i] = line.slice(0, at) + edit.char + line.slice(at);
    else if (edit.kind === 'truncate') file.lines[i] = line.slice(0, at);
    else file.lines[i] = line.replace(/: .*$/, ': 42');
  }
  return out.map(({ path: p, lines }) => ({ path: p, content: lines.join('\n') }));
}

describe('model compiler robustness', () => {
  it('never crashes on mutated model files: it compiles or lists problems with file and line', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
        const mutated = mutate(files, edits);
        try {
          compileModel(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelValidationError);
          const problems = (error as ModelValidationError).problems;
          expect(problems.length).toBeGreaterThan(0);
          for (const p of problems) {
            expect(mutated.map((f) => f.path)).toContain(p.location?.file);
            expect(p.location!.line).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
