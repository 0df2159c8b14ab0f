/** Helpers for model compiler tests: compile in-memory YAML and collect the reported problems. */
import { compileModel, type CompileOptions, type ModelFile } from '../../src/model/compile-model.ts';
import { ModelValidationError } from '../../src/errors/user-error.ts';
import type { ModelProblem } from '../../src/model/model-types.ts';

/** Compiles and returns the problems of the expected ModelValidationError (fails if it compiled). */
export function problemsOf(files: ModelFile[] | string, options: CompileOptions = {}): readonly ModelProblem[] {
  const input = typeof files === 'string' ? [{ path: 'cubes/test.yml', content: files }] : files;
  try {
    compileModel(input, options);
  } catch (error) {
    if (error instanceof ModelValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the model to be invalid, but it compiled');
}

/** "file:line member: message" lines, the way a modeler reads them. */
export function describeProblems(problems: readonly ModelProblem[]): string[] {
  return problems.map((p) => `${p.location?.file}:${p.location?.line} ${p.member ?? ''}: ${p.message}`);
}

/** Compiles one in-memory file. */
export function compileYaml(content: string, path = 'cubes/test.yml') {
  return compileModel([{ path, content }]);
}

/** A valid two-cube star used as a base by several tests (orders → users, line 1 = "cubes:"). */
export const BASE = `cubes:
  - name: users
    sql_table: public.users
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: city, sql: city, type: string }
    measures:
      - { name: count, type: count }
  - name: orders
    sql_table: public.orders
    joins:
      - { name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users.id}" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
      - { name: amount, sql: amount, type: sum }
`;
