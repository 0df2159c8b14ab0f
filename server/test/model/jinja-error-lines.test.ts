/**
 * A Jinja template's errors land on the line to fix. nunjucks gives no position for a missing
 * filter (found while rendering) nor for a tag left open at the end of the file, which were
 * reported on line 1; an error inside an included template names that file.
 */
import { describe, expect, it } from 'vitest';
import { tryCompileModel } from '../../src/model/compile-model.ts';

const CUBE_HEAD = 'cubes:\n  - name: a\n    sql_table: a\n    dimensions:\n      - name: x\n        sql: x\n';

function onlyError(files: Array<{ path: string; content: string }>) {
  const outcome = tryCompileModel(files);
  expect(outcome.errors, JSON.stringify(outcome.errors)).toHaveLength(1);
  return outcome.errors[0]!;
}

describe('Jinja error lines', () => {
  it('a filter that does not exist: the line and column of the filter', () => {
    const content = `${CUBE_HEAD}        title: {{ "x" | nonexistent_filter }}\n        type: string\n`;
    const error = onlyError([{ path: 'cubes/a.yml.jinja', content }]);
    expect(error.message).toContain('filter not found: nonexistent_filter');
    // line 7, column of the name after "|" (counted by hand: '        title: {{ "x" | ' is 24 characters)
    expect(error.location).toEqual({ file: 'cubes/a.yml.jinja', line: 7, column: 25 });
  });

  it('a filter mentioned in a comment first is found where it is used', () => {
    const content = `{# do not use | nonexistent_filter here #}\n${CUBE_HEAD}        title: {{ "x" | nonexistent_filter }}\n`;
    expect(onlyError([{ path: 'cubes/a.yml.jinja', content }]).location).toMatchObject({ line: 8 });
  });

  it('an unterminated {% endfor at the end of the file: the line of that tag', () => {
    const content = 'cubes:\n{% for n in ["a", "b"] %}\n  - name: {{ n }}\n    sql_table: {{ n }}\n{% endfor';
    const error = onlyError([{ path: 'cubes/a.yml.jinja', content }]);
    expect(error.message).toMatch(/Jinja template error: .*endfor/);
    expect(error.location).toMatchObject({ file: 'cubes/a.yml.jinja', line: 5, column: 1 });
  });

  it('a {% for %} never closed: the line of the for', () => {
    const content = 'cubes:\n\n{% for n in ["a"] %}\n  - name: {{ n }}\n    sql_table: {{ n }}\n';
    const error = onlyError([{ path: 'cubes/a.yml.jinja', content }]);
    expect(error.message).toMatch(/end of file/);
    expect(error.location).toMatchObject({ line: 3 });
  });

  it('errors in an included template name the included file and its line', () => {
    const missingFilter = onlyError([
      { path: 'cubes/a.yml.jinja', content: 'cubes:\n{% include "shared/part.yml.jinja" %}\n' },
      { path: 'shared/part.yml.jinja', content: '  - name: a\n\n    sql_table: {{ "a" | nonexistent_filter }}\n' },
    ]);
    expect(missingFilter.location).toMatchObject({ file: 'shared/part.yml.jinja', line: 3 });
  });

  it('a syntax error in an included or imported template is one located problem, not an uncaught exception', async () => {
    // nunjucks reported it through a deferred callback: the compile failed with a TypeError and the
    // error was thrown again later, outside any handler, which ends a server process.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const bad = { path: 'shared/bad.yml.jinja', content: '  - name: a\n\n    sql_table: {{ "a" + }}\n' };
      for (const root of ['cubes:\n{% include "shared/bad.yml.jinja" %}\n', '{% import "shared/bad.yml.jinja" as m %}\ncubes: []\n']) {
        const error = onlyError([{ path: 'cubes/a.yml.jinja', content: root }, bad]);
        expect(error.message).toMatch(/Jinja template error: unexpected token/);
        expect(error.location).toMatchObject({ file: 'shared/bad.yml.jinja', line: 3, column: 25 });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('positions nunjucks gives stay as they were (a bad expression, a call to an undefined function)', () => {
    expect(onlyError([{ path: 'cubes/a.yml.jinja', content: 'cubes:\n\n  - name: {{ 1 + }}\n' }]).location).toMatchObject({ line: 3 });
    expect(onlyError([{ path: 'cubes/a.yml.jinja', content: 'cubes:\n\n\n  - name: {{ foo() }}\n' }]).location).toMatchObject({ line: 4 });
  });
});
