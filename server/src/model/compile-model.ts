/**
 * The model compiler's entry: Cube YAML files → frozen, JSON-serializable `SemanticModel`.
 * Passes: parse each file with positions → collect cubes/views and apply `extends` → compile cubes
 * → compile views → whole-model checks (cycles, primary keys). Every problem is collected with its
 * file, line and member; any error fails the compile with one `ModelValidationError` listing all.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelValidationError, UserError } from '../errors/user-error.ts';
import { checkReferences } from './check-references.ts';
import { collectDefinitions, type ViewDefinition } from './collect-definitions.ts';
import { CompileContext } from './compile-context.ts';
import { compileCube } from './compile-cube.ts';
import { compileView } from './compile-view.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { Cube, ModelProblem, SemanticModel, View } from './model-types.ts';
import { ProblemCollector, type ProblemSink } from './problems.ts';
import { parseYamlTree, type YMap, type YNode } from './yaml-tree.ts';

/** One model file: `path` relative to the model root (it appears in every problem), and its text. */
export interface ModelFile {
  readonly path: string;
  readonly content: string;
}

/** Result of a compile that does not throw: the model when there were no errors. */
export interface CompileOutcome {
  readonly model?: SemanticModel;
  readonly errors: readonly ModelProblem[];
  readonly warnings: readonly ModelProblem[];
}

// Parsed trees are immutable, so a recompile (dev hot reload) re-parses only the files that changed:
// YAML parsing is most of the compile time. Keyed by path and content; bounded.
const parseCache = new Map<string, { root: YNode | undefined; errors: ModelProblem[] }>();
const PARSE_CACHE_LIMIT = 2000;

function parseCached(file: ModelFile, sink: ProblemSink): YNode | undefined {
  const key = `${file.path}\0${createHash('sha1').update(file.content).digest('base64')}`;
  let entry = parseCache.get(key);
  if (entry) {
    // least recently used entries are evicted first
    parseCache.delete(key);
    parseCache.set(key, entry);
  } else {
    const local = new ProblemCollector();
    entry = { root: parseYamlTree(file.path, file.content, local), errors: local.errors };
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.delete(parseCache.keys().next().value!);
    parseCache.set(key, entry);
  }
  for (const problem of entry.errors) sink.error(problem.message, problem.location, problem.member);
  return entry.root;
}

/** Forgets parsed files (benchmarks measure cold compiles with it). */
export function clearParseCache(): void {
  parseCache.clear();
}

/** Compiles without throwing (used by the watcher and the CLI's `validate`). */
export function tryCompileModel(files: readonly ModelFile[]): CompileOutcome {
  const sink = new ProblemCollector();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parsed = sorted.map((file) => {
    const location = { file: file.path, line: 1 };
    const root = parseCached(file, sink);
    if (root !== undefined && root.kind !== 'map') {
      sink.error('a model file must be a mapping with "cubes" and/or "views"', root.location);
      return { file: file.path, root: undefined, location };
    }
    return { file: file.path, root: root as YMap | undefined, location };
  });
  const definitions = collectDefinitions(parsed, sink);
  const ctx = new CompileContext(definitions, sink);
  const cubes: Record<string, Cube> = {};
  for (const definition of definitions.cubes.values()) cubes[definition.name] = compileCube(definition, ctx);
  const views = compileViews(definitions.views, cubes, ctx);
  checkReferences(cubes, sink);
  const errors = dedupe(sink.errors);
  const warnings = dedupe(sink.warnings);
  if (errors.length > 0) return { errors, warnings };
  const model: SemanticModel = { cubes, views, version: modelVersion(sorted), ...(warnings.length > 0 ? { warnings } : {}) };
  return { model: deepFreeze(model), errors, warnings };
}

/** Compiles views parents-first, so `extends` sees its parent's members; reports unknown or circular parents. */
function compileViews(definitions: ReadonlyMap<string, ViewDefinition>, cubes: Readonly<Record<string, Cube>>, ctx: CompileContext): Record<string, View> {
  const views: Record<string, View> = {};
  const visit = (definition: ViewDefinition, stack: string[]): View | undefined => {
    if (views[definition.name]) return views[definition.name];
    const parentName = definition.reader.string('extends');
    let parent: View | undefined;
    if (parentName !== undefined) {
      const parentDefinition = definitions.get(parentName);
      if (!parentDefinition) definition.reader.error(`extends unknown view "${parentName}"`, 'extends');
      else if (stack.includes(parentName)) definition.reader.error(`circular extends: ${[...stack, definition.name, parentName].join(' → ')}`, 'extends');
      else parent = visit(parentDefinition, [...stack, definition.name]);
    }
    views[definition.name] = compileView(definition, cubes, ctx, parent);
    return views[definition.name];
  };
  for (const definition of definitions.values()) visit(definition, []);
  return views;
}

/** Pure compile of in-memory files; throws `ModelValidationError` listing every problem. */
export function compileModel(files: readonly ModelFile[]): SemanticModel {
  const outcome = tryCompileModel(files);
  if (!outcome.model) throw new ModelValidationError(outcome.errors);
  return outcome.model;
}

/** Reads every `*.yml` / `*.yaml` under `dir` (recursively) and compiles them. */
export async function loadModel(dir: string): Promise<SemanticModel> {
  return compileModel(await readModelFiles(dir));
}

/** The model files under `dir`, paths relative to it with `/` separators. */
export async function readModelFiles(dir: string): Promise<ModelFile[]> {
  if (!existsSync(dir)) {
    throw new UserError('CONFIG_INVALID', `The model folder ${dir} does not exist (CUBEJS_SCHEMA_PATH, default ./model)`);
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name));
  return Promise.all(
    files.map(async (entry) => {
      const full = path.join(entry.parentPath, entry.name);
      return { path: path.relative(dir, full).split(path.sep).join('/'), content: await readFile(full, 'utf8') };
    }),
  );
}

/** Hash of file names and contents: stable across runs, changes with any edit. */
export function modelVersion(files: readonly ModelFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.path).update('\0').update(file.content).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function dedupe(problems: readonly ModelProblem[]): ModelProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.location?.file}:${p.location?.line}:${p.location?.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
