/**
 * The model compiler's entry: Cube model files → frozen, JSON-serializable `SemanticModel`.
 * Front-ends turn every kind of file into the same located tree: YAML is parsed, Jinja templates
 * (jinja/) are rendered then parsed, JavaScript models (js/) are run and their definitions
 * converted. Then one compiler: parse each file with positions → collect cubes/views and apply `extends` → compile cubes
 * → compile views → whole-model checks (cycles, primary keys). Every problem is collected with its
 * file, line and member; any error fails the compile with one `ModelValidationError` listing all.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ModelValidationError, UserError } from '../errors/user-error.ts';
import { checkReferences } from './check-references.ts';
import { collectDefinitions, type ViewDefinition } from './collect-definitions.ts';
import { CompileContext } from './compile-context.ts';
import { compileCube } from './compile-cube.ts';
import { compileView } from './compile-view.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { Cube, ModelProblem, SemanticModel, SourceLocation, View } from './model-types.ts';
import { ProblemCollector, type ProblemSink } from './problems.ts';
import { parseYamlTree, type YMap, type YNode } from './yaml-tree.ts';
import { evaluateJsModels, evaluateJsModelsSync, type JsModelTrees, type JsRuntimeOptions } from './js/evaluate-js-models.ts';
import { clearJsAnalysisCache } from './js/js-model-runtime.ts';
import { JinjaRenderError, JinjaRenderer } from './jinja/render-jinja-yaml.ts';
import { mapRenderedLines, remapLocation, remapTree } from './jinja/template-lines.ts';
import { classifyModelFiles, hasReadableExtension, type ModelSources } from './classify-model-files.ts';
import { listModelFolder } from './list-model-folder.ts';
import { BoundedStore } from '../reuse/bounded-store.ts';

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
  /** The model reads `COMPILE_CONTEXT` (JavaScript or Jinja): it differs per app id. */
  readonly usesCompileContext?: boolean;
}

// Parsed trees are immutable, so a recompile (dev hot reload) re-parses only the files that changed:
// YAML parsing is most of the compile time. Keyed by path and content; the reuse layer's bounded
// store (least recently used files evicted first).
const parseCache = new BoundedStore<{ root: YNode | undefined; errors: ModelProblem[] }>({ maxEntries: 2000 });

function parseCached(file: ModelFile, sink: ProblemSink): YNode | undefined {
  const key = `${file.path}\0${createHash('sha1').update(file.content).digest('base64')}`;
  let entry = parseCache.get(key);
  if (!entry) {
    const local = new ProblemCollector();
    entry = { root: parseYamlTree(file.path, file.content, local), errors: local.errors };
    parseCache.set(key, entry);
  }
  for (const problem of entry.errors) sink.error(problem.message, problem.location, problem.member);
  return entry.root;
}

/** Forgets parsed files, YAML and JavaScript (benchmarks measure cold compiles with it). */
export function clearParseCache(): void {
  parseCache.clear();
  clearJsAnalysisCache();
}

/** How strictly to compile, and how JavaScript and Jinja models are evaluated (js/, jinja/). */
export interface CompileOptions extends JsRuntimeOptions {
  /**
   * Dangling references (a member's SQL naming a cube or member that does not exist) are errors,
   * not warnings (for CI). Default: `CUBEJS_SCHEMA_STRICT=true` (compile-context.ts).
   */
  readonly strict?: boolean;
}

/** Compiles without throwing (used by the watcher and the CLI's `validate`); `asyncModule` is reported. */
export function tryCompileModel(files: readonly ModelFile[], options: CompileOptions = {}): CompileOutcome {
  const sink = new ProblemCollector();
  const { sorted, sources, parsed } = parseSources(files, options, sink);
  const js = sources.js.length > 0 ? evaluateJsModelsSync([...sources.js, ...sources.data], options, sink) : undefined;
  return finishCompile(sorted, parsed, js, sink, sources, options);
}

/** Compiles without throwing, awaiting `asyncModule` callbacks of JavaScript models. */
export async function tryCompileModelAsync(files: readonly ModelFile[], options: CompileOptions = {}): Promise<CompileOutcome> {
  const sink = new ProblemCollector();
  const { sorted, sources, parsed } = parseSources(files, options, sink);
  const js = sources.js.length > 0 ? await evaluateJsModels([...sources.js, ...sources.data], options, sink) : undefined;
  return finishCompile(sorted, parsed, js, sink, sources, options);
}

type ParsedFile = { file: string; root: YMap | undefined; location: SourceLocation };

/** Sorts and classifies the files, reports the ones not read, parses YAML and renders Jinja. */
function parseSources(files: readonly ModelFile[], options: CompileOptions, sink: ProblemCollector): { sorted: ModelFile[]; sources: ModelSources; parsed: ParsedFile[] } {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const sources = classifyModelFiles(sorted);
  reportUnread(sources, sink);
  let renderer: JinjaRenderer | undefined;
  const parsed = [...sources.yaml, ...sources.jinja].map((file): ParsedFile => {
    const location = { file: file.path, line: 1 };
    let text = file.content;
    if (sources.jinja.includes(file)) {
      renderer ??= new JinjaRenderer([...sources.jinja, ...sources.yaml, ...sources.data, ...sources.templates], options.compileContext ?? { securityContext: {} }, sources.python.map((f) => f.path));
      try {
        text = renderer.render(file);
      } catch (error) {
        if (error instanceof JinjaRenderError) sink.error(`${error.location.file}: ${error.message}`, error.location);
        else sink.error(`${file.path}: Jinja template error: ${(error as Error).message}`, location);
        return { file: file.path, root: undefined, location };
      }
    }
    let root: YNode | undefined;
    if (text === file.content) root = parseCached(file, sink);
    else {
      // a rendered template: problems and positions go back to the template's lines
      const mapped = mapRenderedLines(file.content, text);
      const local = new ProblemCollector();
      const parsedRoot = parseCached({ path: file.path, content: text }, local);
      for (const problem of local.errors) sink.error(problem.message, remapLocation(problem.location, mapped), problem.member);
      root = parsedRoot && remapTree(parsedRoot, mapped);
    }
    if (root !== undefined && root.kind !== 'map') {
      sink.error('a model file must be a mapping with "cubes" and/or "views"', root.location);
      return { file: file.path, root: undefined, location };
    }
    return { file: file.path, root: root as YMap | undefined, location };
  });
  return { sorted, sources, parsed };
}

/** The passes after parsing, shared by every front-end. */
function finishCompile(sorted: readonly ModelFile[], parsedFiles: readonly ParsedFile[], js: JsModelTrees | undefined, sink: ProblemCollector, sources: ModelSources, options: CompileOptions = {}): CompileOutcome {
  const parsed = [...parsedFiles, ...(js?.trees ?? [])].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const definitions = collectDefinitions(parsed, sink);
  const ctx = new CompileContext(definitions, sink, options.strict);
  const cubes: Record<string, Cube> = {};
  for (const definition of definitions.cubes.values()) cubes[definition.name] = compileCube(definition, ctx);
  const views = compileViews(definitions.views, cubes, ctx);
  checkReferences(cubes, sink);
  if (definitions.cubes.size === 0 && definitions.views.size === 0 && sorted.length > 0 && sink.errors.length === 0) {
    sink.warn(`the model files define no cubes or views (${sorted.length} file(s) read)`, { file: sorted[0]!.path, line: 1 });
  }
  const errors = dedupe(sink.errors);
  const warnings = dedupe(sink.warnings);
  const usesCompileContext = (js?.usesCompileContext ?? false) || [...sources.jinja, ...sources.templates].some((f) => f.content.includes('COMPILE_CONTEXT'));
  if (errors.length > 0) return { errors, warnings, usesCompileContext };
  const model: SemanticModel = { cubes, views, version: modelVersion(sorted), ...(warnings.length > 0 ? { warnings } : {}) };
  return { model: deepFreeze(model), errors, warnings, usesCompileContext };
}

/** Loud about input the compiler does not read: Python helpers are an error, unknown files a warning. */
function reportUnread(sources: ModelSources, sink: ProblemSink): void {
  for (const file of sources.python) {
    sink.error(`${file.path}: Python model helpers (globals.py, @template.function) are not supported: Jinja templates are rendered without Python here; move the logic into the template or a JavaScript model`, { file: file.path, line: 1 });
  }
  if (sources.ignored.length > 0) {
    const names = sources.ignored.map((f) => f.path);
    sink.warn(`files the model compiler does not read: ${names.join(', ')} (model files are .yml, .yaml, .yml.jinja and .js)`, { file: names[0]!, line: 1 });
  }
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
export function compileModel(files: readonly ModelFile[], options: CompileOptions = {}): SemanticModel {
  const outcome = tryCompileModel(files, options);
  if (!outcome.model) throw new ModelValidationError(outcome.errors);
  return outcome.model;
}

/** `compileModel` awaiting `asyncModule` callbacks of JavaScript models. */
export async function compileModelAsync(files: readonly ModelFile[], options: CompileOptions = {}): Promise<SemanticModel> {
  const outcome = await tryCompileModelAsync(files, options);
  if (!outcome.model) throw new ModelValidationError(outcome.errors);
  return outcome.model;
}

/** Reads the model folder `dir` (YAML, Jinja, JavaScript and their data files) and compiles it. */
export async function loadModel(dir: string, options: CompileOptions = {}): Promise<SemanticModel> {
  return compileModelAsync(await readModelFiles(dir), options);
}

/**
 * The files under `dir`, paths relative to it with `/` separators: every file the compiler reads
 * (`.yml`, `.yaml`, `.jinja`, `.js`, `.json`) with its text, `.py` and unknown files without it (so
 * the compile names them), never README/markdown files, hidden files or `node_modules`.
 */
export async function readModelFiles(dir: string): Promise<ModelFile[]> {
  if (!existsSync(dir)) {
    throw new UserError('CONFIG_INVALID', `The model folder ${dir} does not exist (CUBEJS_SCHEMA_PATH, default ./model)`);
  }
  const files = await listModelFolder(dir);
  return Promise.all(
    files.map(async ({ entry, relative, absolute }) => ({
      path: relative,
      content: hasReadableExtension(entry.name) ? await readFile(absolute, 'utf8') : '',
    })),
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
