/**
 * Problems in JavaScript model files name the file and line: syntax errors, a file that throws,
 * an `asyncModule` that never finishes, a file that loops, a `require` outside the model folder,
 * a reference the compiler cannot resolve. And the model folder is loud about input it does not
 * read: Python helpers are an error, unknown files a warning, never a silently empty model.
 */
import { describe, expect, it } from 'vitest';
import { tryCompileModel, tryCompileModelAsync, type ModelFile } from '../../src/model/compile-model.ts';
import type { ModelProblem } from '../../src/model/model-types.ts';

const USERS = `cube('users', {
  sql_table: 'users',
  dimensions: { id: { sql: 'id', type: 'number', primary_key: true } },
  measures: { count: { type: 'count' } },
});
`;

function where(problems: readonly ModelProblem[]): string[] {
  return problems.map((p) => `${p.location?.file}:${p.location?.line} ${p.message}`);
}

describe('JavaScript model errors name file and line', () => {
  it('a syntax error', () => {
    const outcome = tryCompileModel([{ path: 'cubes/broken.js', content: `cube('a', {\n  sql_table: 'a',\n  measures: { count: { type: 'count' } \n});\n` }]);
    expect(outcome.model).toBeUndefined();
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]!.location).toMatchObject({ file: 'cubes/broken.js', line: 4 });
    expect(outcome.errors[0]!.message).toMatch(/^cubes\/broken\.js: JavaScript syntax error/);
  });

  it('a file that throws, at the line of the throw; the other files still compile', () => {
    const outcome = tryCompileModel([
      { path: 'users.js', content: USERS },
      { path: 'bad.js', content: `const limit = 3;\nif (limit > 2) {\n  throw new Error('no tenant configured');\n}\n` },
    ]);
    expect(where(outcome.errors)).toEqual(['bad.js:3 bad.js: model file threw: no tenant configured']);
  });

  it('a reference error from an undefined helper call', () => {
    const outcome = tryCompileModel([{ path: 'x.js', content: `\n\nconst t = process.env.TABLE;\n` }]);
    expect(where(outcome.errors)).toEqual(['x.js:3 x.js: model file threw: process is not defined']);
  });

  it('an asyncModule that never finishes is stopped at the timeout, naming the file', async () => {
    const started = Date.now();
    const outcome = await tryCompileModelAsync(
      [
        { path: 'users.js', content: USERS },
        { path: 'dynamic/slow.js', content: `// fetches cube definitions\nasyncModule(async () => {\n  await new Promise(() => {});\n});\n` },
      ],
      { asyncTimeoutMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(where(outcome.errors)).toEqual(['dynamic/slow.js:2 dynamic/slow.js: asyncModule did not finish within 200 ms']);
  });

  it('an asyncModule that rejects names the line of the throw', async () => {
    const outcome = await tryCompileModelAsync([{ path: 'a.js', content: `asyncModule(async () => {\n  await null;\n  throw new Error('API down');\n});\n` }]);
    expect(where(outcome.errors)).toEqual(['a.js:3 a.js: model file threw: API down']);
  });

  it('an asyncModule that loops before its first await is stopped too', async () => {
    const outcome = await tryCompileModelAsync([{ path: 'spin.js', content: `\nasyncModule(() => {\n  for (;;) {}\n});\n` }], { syncTimeoutMs: 100, asyncTimeoutMs: 5000 });
    expect(where(outcome.errors), JSON.stringify(outcome.errors)).toEqual(['spin.js:2 spin.js: model file did not finish within 100 ms']);
  }, 20_000);

  it('asyncModule in a synchronous compile is reported (the loader awaits it)', () => {
    const outcome = tryCompileModel([{ path: 'a.js', content: `asyncModule(async () => {});\n` }]);
    expect(outcome.errors[0]!.message).toMatch(/asyncModule needs the asynchronous model loader/);
  });

  it('a file that never ends is stopped', () => {
    const outcome = tryCompileModel([{ path: 'loop.js', content: `while (true) {}\n` }], { syncTimeoutMs: 100 });
    expect(where(outcome.errors)).toEqual(['loop.js:1 loop.js: model file did not finish within 100 ms']);
  });

  it('require reaches only files inside the model folder, and Node built-ins only when allowed', () => {
    const outside = tryCompileModel([{ path: 'cubes/a.js', content: `\nconst secrets = require('../../config.js');\n` }]);
    expect(where(outside.errors)).toEqual([`cubes/a.js:2 cubes/a.js: model file threw: require('../../config.js') in cubes/a.js: model files can require files inside the model folder only`]);
    const builtin = tryCompileModel([{ path: 'a.js', content: `const fs = require('fs');\n` }]);
    expect(builtin.errors[0]!.message).toMatch(/Node built-ins are not available to model files unless listed in CUBEJS_MODEL_REQUIRE_BUILTINS/);
    const allowed = tryCompileModel([{ path: 'a.js', content: `const { join } = require('node:path');\ncube(join('us', 'ers').replace('/', ''), { sql_table: 'users', measures: { count: { type: 'count' } } });\n` }], { requireBuiltins: ['path'] });
    expect(allowed.errors).toEqual([]);
    expect(Object.keys(allowed.model!.cubes)).toEqual(['users']);
  });

  it('an unknown reference is reported at the line of the member key in the .js file', () => {
    const outcome = tryCompileModel([
      { path: 'users.js', content: USERS },
      { path: 'orders.js', content: `cube('orders', {\n  sql_table: 'orders',\n  measures: {\n    count: { type: 'count' },\n    total: { sql: \`\${CUBE}.amount + \${nope.x}\`, type: 'sum' },\n  },\n});\n` },
    ]);
    const problems = [...outcome.errors, ...outcome.warnings].filter((p) => /nope/.test(p.message));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.location).toMatchObject({ file: 'orders.js', line: 5 });
  });

  it('a definition that is not an object is an error at the call', () => {
    const outcome = tryCompileModel([{ path: 'a.js', content: `\ncube('a', 42);\n` }]);
    expect(where(outcome.errors)).toContain('a.js:2 the definition of cube a must be an object');
  });
});

describe('input the compiler does not read is loud', () => {
  const base: ModelFile[] = [{ path: 'cubes/users.js', content: USERS }];

  it('unknown files are a warning naming each of them; README and markdown are not', () => {
    const outcome = tryCompileModel([...base, { path: 'notes.sql', content: '' }, { path: 'cubes/old.ts', content: '' }, { path: 'README.md', content: '' }, { path: 'docs/x.md', content: '' }]);
    expect(outcome.model).toBeDefined();
    expect(where(outcome.warnings)).toEqual(['cubes/old.ts:1 files the model compiler does not read: cubes/old.ts, notes.sql (model files are .yml, .yaml, .yml.jinja and .js)']);
  });

  it('Python helpers are an error naming the file', () => {
    const outcome = tryCompileModel([...base, { path: 'globals.py', content: 'from cube import TemplateContext\n' }]);
    expect(outcome.model).toBeUndefined();
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]!.location).toEqual({ file: 'globals.py', line: 1 });
    expect(outcome.errors[0]!.message).toMatch(/^globals\.py: Python model helpers .* are not supported/);
  });

  it('files that define nothing give a warning, not a silent empty model', () => {
    const outcome = tryCompileModel([{ path: 'helpers.js', content: 'module.exports = { x: 1 };\n' }]);
    expect(where(outcome.warnings)).toEqual(['helpers.js:1 the model files define no cubes or views (1 file(s) read)']);
  });

  it('JSON files are data for require, not unread input', () => {
    const outcome = tryCompileModel([
      { path: 'tables.json', content: '{"users": "users"}' },
      { path: 'users.js', content: `const t = require('./tables.json');\ncube('users', { sql_table: t.users, measures: { count: { type: 'count' } } });\n` },
    ]);
    expect(outcome.warnings).toEqual([]);
    expect(outcome.model!.cubes.users!.sqlTable).toEqual([{ kind: 'text', text: 'users' }]);
  });
});
