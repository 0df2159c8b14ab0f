/**
 * Parses one YAML model file into a small located tree: every map, sequence and scalar keeps the
 * file and line it came from, so validation can name `file:line` for any problem.
 * We walk the `yaml` package's document AST (parseDocument + LineCounter) instead of `toJS()`,
 * which would drop positions.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { SourceLocation } from './model-types.ts';
import type { ProblemSink } from './problems.ts';
import { parseFastYaml } from './fast-yaml.ts';
import type { YMap, YNode, YScalar, YSeq } from './yaml-nodes.ts';

export type { YMap, YNode, YScalar, YSeq };

/** Parses `content`; YAML syntax errors go to `sink` and yield `undefined`. */
export function parseYamlTree(file: string, content: string, sink: ProblemSink): YNode | undefined {
  const fast = parseFastYaml(file, content);
  if (fast !== undefined) return fast ?? undefined;
  return parseWithYamlPackage(file, content, sink);
}

/** The exact (slower) path: the `yaml` package's document AST. */
export function parseWithYamlPackage(file: string, content: string, sink: ProblemSink): YNode | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number | undefined): SourceLocation => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    for (const error of doc.errors) sink.error(`YAML syntax error: ${error.message.split('\n')[0]}`, at(error.pos[0]));
    return undefined;
  }
  if (doc.contents === null) return undefined;
  return convert(doc.contents as YamlNode, at, sink);
}

function convert(node: YamlNode, at: (offset: number | undefined) => SourceLocation, sink: ProblemSink): YNode {
  const location = at(node.range?.[0]);
  if (isAlias(node)) {
    sink.error('YAML aliases are not supported in model files', location);
    return { kind: 'scalar', value: null, location };
  }
  if (isMap(node)) {
    const entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyLocation = at(keyNode?.range?.[0] ?? node.range?.[0]);
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key === undefined) {
        sink.error('map keys must be plain strings', keyLocation);
        continue;
      }
      if (entries.has(key)) sink.error(`duplicate key "${key}"`, keyLocation);
      const value: YNode = pair.value
        ? convert(pair.value as YamlNode, at, sink)
        : { kind: 'scalar', value: null, location: keyLocation };
      entries.set(key, { keyLocation, value });
    }
    return { kind: 'map', entries, location };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((item) => convert(item as YamlNode, at, sink)), location };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
    return { kind: 'scalar', value, location };
  }
  return { kind: 'scalar', value: null, location };
}

/** Plain JS value of a node (for `meta`, filters of access policies and other free-form data). */
export function toPlain(node: YNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [key, entry] of node.entries) out[key] = toPlain(entry.value);
  return out;
}
