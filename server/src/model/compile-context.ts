/**
 * Shared state of one compilation: the definitions found by the first pass, the problem sink, and
 * helpers that resolve SQL and member references in the context of a cube.
 */
import type { Definitions } from './collect-definitions.ts';
import { MEMBER_KINDS, type MemberKind } from './collect-definitions.ts';
import type { SqlTemplate } from './model-types.ts';
import type { NodeReader } from './node-reader.ts';
import type { ProblemSink } from './problems.ts';
import { parseSqlTemplate, type ReferenceProblem, type ReferenceScope } from './sql-template.ts';

/** `CUBEJS_SCHEMA_STRICT=true` (or 1): dangling references fail the compile (for CI). */
export function isStrictFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1)$/i.test(env.CUBEJS_SCHEMA_STRICT?.trim() ?? '');
}

/** Everything a compile step needs besides the YAML node it reads. */
export class CompileContext {
  constructor(
    readonly definitions: Definitions,
    readonly sink: ProblemSink,
    /** Strict mode (CI): a dangling reference is an error instead of a warning. */
    readonly strict = isStrictFromEnv(),
  ) {}

  private readonly scopes = new Map<string, ReferenceScope>();

  scope(cube: string): ReferenceScope {
    let scope = this.scopes.get(cube);
    if (!scope) {
      const { cubes } = this.definitions;
      scope = {
        cube,
        hasCube: (name) => cubes.has(name),
        hasMember: (cubeName, member) => this.memberKind(cubeName, member) !== undefined,
      };
      this.scopes.set(cube, scope);
    }
    return scope;
  }

  memberKind(cube: string, member: string): MemberKind | undefined {
    const definition = this.definitions.cubes.get(cube);
    if (!definition) return undefined;
    return MEMBER_KINDS.find((kind) => definition.members[kind].has(member));
  }

  /**
   * Resolves `sql` read from `key` of `reader`, reporting unknown references at that key. A
   * dangling reference is a warning (Cube fails only the queries reaching it) unless strict; its
   * part records the member and line so that a failing query can name them.
   */
  template(sql: string, cube: string, reader: NodeReader, key: string): SqlTemplate {
    const problems: ReferenceProblem[] = [];
    const template = parseSqlTemplate(sql, this.scope(cube), problems);
    for (const problem of problems) {
      if (problem.dangling && !this.strict) reader.warn(problem.inert ? problem.message : `${problem.message} (queries using ${reader.member} fail until it is fixed)`, key);
      else reader.error(problem.message, key);
    }
    if (!problems.some((p) => p.dangling)) return template;
    const location = reader.at(key);
    return template.map((part) => (part.kind === 'dangling' ? { ...part, owner: reader.member, location } : part));
  }

  /**
   * Resolves a member reference written without braces (drill_members, pre-aggregation lists,
   * group_by): `member`, `CUBE.member`, `Cube.member`. Returns the `Cube.member` path or undefined
   * after reporting. `granularity` allows a trailing `.granularity` (e.g. `orderDate.quarter`).
   */
  memberPath(
    reference: string,
    cube: string,
    report: (message: string) => void,
    expected?: readonly MemberKind[],
    allowGranularity = false,
  ): string | undefined {
    const parts = reference.split('.');
    let target = cube;
    let rest = parts;
    if (parts[0] === 'CUBE') rest = parts.slice(1);
    else if (parts.length > 1 && this.definitions.cubes.has(parts[0]!) && this.memberKind(parts[0]!, parts[1]!) !== undefined) {
      target = parts[0]!;
      rest = parts.slice(1);
    }
    const [member, granularity, ...extra] = rest;
    const kind = member === undefined ? undefined : this.memberKind(target, member);
    if (member === undefined || kind === undefined || extra.length > 0 || (granularity !== undefined && !allowGranularity)) {
      report(`unknown member "${reference}" (resolved against cube ${target})`);
      return undefined;
    }
    if (expected && !expected.includes(kind)) {
      report(`"${reference}" is a ${kind.slice(0, -1)}, expected a ${expected.map((k) => k.slice(0, -1)).join(' or ')}`);
      return undefined;
    }
    return granularity === undefined ? `${target}.${member}` : `${target}.${member}.${granularity}`;
  }
}
