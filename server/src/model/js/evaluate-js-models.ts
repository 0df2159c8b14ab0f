/**
 * The JavaScript front-end of the model compiler: runs the model folder's `.js` files
 * (js-model-runtime.ts) and turns what they define into the located tree a YAML file parses to
 * (`{ cubes: [...], views: [...] }` per file), so the passes after parsing are the same for both.
 * The synchronous form serves `compileModel` (in-memory files, no `asyncModule`); the asynchronous
 * one awaits `asyncModule` callbacks and is what `loadModel`, the watcher and the server use.
 */
import type { SourceLocation } from '../model-types.ts';
import type { ProblemSink } from '../problems.ts';
import type { YMap, YNode } from '../yaml-tree.ts';
import { AstLocator } from './ast-locator.ts';
import { definitionTree } from './definition-tree.ts';
import { JsModelRuntime, type JsRuntimeOptions, type JsSourceFile } from './js-model-runtime.ts';

export type { JsRuntimeOptions } from './js-model-runtime.ts';

/** One tree per file that defined something, ready for the compiler's first pass. */
export interface JsModelTrees {
  readonly trees: readonly { readonly file: string; readonly root: YMap; readonly location: SourceLocation }[];
  readonly usesCompileContext: boolean;
}

/** Runs the JS files synchronously; `asyncModule` is reported as needing the asynchronous loader. */
export function evaluateJsModelsSync(files: readonly JsSourceFile[], options: JsRuntimeOptions, sink: ProblemSink): JsModelTrees {
  const runtime = new JsModelRuntime(files, options, sink);
  runtime.runFiles();
  runtime.reportPendingAsync();
  return toTrees(runtime, sink);
}

/** Runs the JS files, then their `asyncModule` callbacks (each within the timeout). */
export async function evaluateJsModels(files: readonly JsSourceFile[], options: JsRuntimeOptions, sink: ProblemSink): Promise<JsModelTrees> {
  const runtime = new JsModelRuntime(files, options, sink);
  runtime.runFiles();
  await runtime.settle();
  return toTrees(runtime, sink);
}

function toTrees(runtime: JsModelRuntime, sink: ProblemSink): JsModelTrees {
  const byFile = new Map<string, { cubes: YNode[]; views: YNode[] }>();
  for (const definition of runtime.definitions) {
    const { file } = definition.location;
    let lists = byFile.get(file);
    if (!lists) byFile.set(file, (lists = { cubes: [], views: [] }));
    const locator = new AstLocator(file, definition.call?.lines, definition.call?.object as never, definition.location);
    const tree = definitionTree(definition.kind, definition.name, definition.definition, locator, sink);
    (definition.kind === 'cube' ? lists.cubes : lists.views).push(tree);
  }
  const trees = [...byFile].map(([file, lists]) => {
    const location = { file, line: 1 };
    const entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();
    if (lists.cubes.length > 0) entries.set('cubes', { keyLocation: location, value: { kind: 'seq', items: lists.cubes, location } });
    if (lists.views.length > 0) entries.set('views', { keyLocation: location, value: { kind: 'seq', items: lists.views, location } });
    return { file, root: { kind: 'map', entries, location } as YMap, location };
  });
  return { trees, usesCompileContext: runtime.usesCompileContext };
}
