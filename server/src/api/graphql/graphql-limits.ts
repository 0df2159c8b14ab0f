/**
 * Size limits of one GraphQL request, checked on the parsed document before validation and
 * execution: how many `cube`/`cubeCompare` queries it runs, how many aliases it uses, how deep its
 * selections nest. Without them one request of 2,000 aliased `cube` fields runs 2,000 queries, and
 * aliases multiply a result's size. A request over a limit is refused whole with a
 * `LIMIT_EXCEEDED` UserError (HTTP 400, `extensions.code`), naming the limit.
 *
 * Fragments are expanded as execution would (each fragment measured once, memoized, so a chain
 * of spreads costs linear time); a spread cycle, which validation refuses afterwards, is cut here.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { UserError } from '../../errors/user-error.ts';

/** Limits of one request; `maxTokens` bounds the parser itself (graphql-js `parse` option). */
export interface GraphqlLimits {
  /** Root `cube` and `cubeCompare` fields, counted by response key (what execution runs). */
  readonly maxCubeQueries: number;
  /** Aliased fields, fragments expanded. */
  readonly maxAliases: number;
  /** Nesting of selections; graphql-js's introspection query (what GraphiQL sends) nests 15 deep. */
  readonly maxDepth: number;
  readonly maxTokens: number;
}

export const DEFAULT_GRAPHQL_LIMITS: GraphqlLimits = Object.freeze({ maxCubeQueries: 20, maxAliases: 100, maxDepth: 20, maxTokens: 20_000 });

const CUBE_FIELDS = new Set(['cube', 'cubeCompare']);
/** Counts saturate here: nested spreads can multiply them past any useful number. */
const SATURATED = 1_000_000_000;

interface Measure {
  readonly depth: number;
  readonly aliases: number;
}

/** Throws LIMIT_EXCEEDED when the operation that would run (or any, if it is ambiguous) is over a limit. */
export function checkGraphqlLimits(document: DocumentNode, operationName: string | undefined, limits: GraphqlLimits): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const named = operationName === undefined ? undefined : operations.find((op) => op.name?.value === operationName);
  const measurer = new SelectionMeasurer(fragments);
  for (const operation of named ? [named] : operations) {
    const cubeQueries = rootCubeKeys(operation.selectionSet, fragments, new Set()).size;
    if (cubeQueries > limits.maxCubeQueries) {
      throw exceeded(`runs ${cubeQueries} cube queries; at most ${limits.maxCubeQueries} are allowed per request`, 'split it into several requests');
    }
    const { depth, aliases } = measurer.measure(operation.selectionSet);
    if (aliases > limits.maxAliases) throw exceeded(`uses ${aliases >= SATURATED ? 'too many' : aliases} aliases; at most ${limits.maxAliases} are allowed`, 'select each member once');
    if (depth > limits.maxDepth) throw exceeded(`nests ${depth} levels deep; at most ${limits.maxDepth} are allowed`);
  }
}

/** Response keys of root fields that run a cube query: execution merges fields with one key. */
function rootCubeKeys(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: Set<string>, keys = new Set<string>()): Set<string> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (CUBE_FIELDS.has(selection.name.value)) keys.add(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootCubeKeys(selection.selectionSet, fragments, seen, keys);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue;
      seen.add(name);
      rootCubeKeys(fragment.selectionSet, fragments, seen, keys);
    }
  }
  return keys;
}

/** Depth and alias count of selection sets, each fragment measured once. */
class SelectionMeasurer {
  private readonly memo = new Map<string, Measure>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>) {}

  measure(set: SelectionSetNode): Measure {
    let depth = 0;
    let aliases = 0;
    for (const selection of set.selections) {
      let inner: Measure;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? this.measure(selection.selectionSet) : { depth: 0, aliases: 0 };
        inner = { depth: below.depth + 1, aliases: below.aliases + (selection.alias ? 1 : 0) };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = this.measure(selection.selectionSet);
      } else {
        inner = this.fragment(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      aliases = Math.min(SATURATED, aliases + inner.aliases);
    }
    return { depth, aliases };
  }

  private fragment(name: string): Measure {
    const known = this.memo.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment || this.inProgress.has(name)) return { depth: 0, aliases: 0 };
    this.inProgress.add(name);
    const measured = this.measure(fragment.selectionSet);
    this.inProgress.delete(name);
    this.memo.set(name, measured);
    return measured;
  }
}

function exceeded(problem: string, hint?: string): UserError {
  return new UserError('LIMIT_EXCEEDED', `GraphQL request ${problem}`, hint ? { hint } : {});
}
