/**
 * Lowers Cube's `case:` members to one SQL template:
 *   case: { when: [{ sql: "{CUBE}.x = 1", label: "One" }], else: { label: "Other" } }
 *   → CASE WHEN ({CUBE}.x = 1) THEN 'One' ELSE 'Other' END
 * A label may be `{ sql: ... }` (an expression instead of a literal). The `switch:` form of Cube's
 * newer planner (`when: [{ value, sql }]`) lowers to `CASE WHEN (switch) = 'value' THEN (sql) …`.
 * Reference: https://cube.dev/docs/reference/data-model/dimensions#case
 */
import type { CompileContext } from './compile-context.ts';
import type { SqlTemplate, SqlTemplatePart } from './model-types.ts';
import { NodeReader } from './node-reader.ts';
import type { YNode } from './yaml-tree.ts';

/** Quotes a label as a SQL string literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Returns the lowered template, or undefined (after reporting) when the `case` is malformed. */
export function lowerCase(reader: NodeReader, cube: string, ctx: CompileContext): SqlTemplate | undefined {
  const node = reader.child('case', 'case');
  if (!node) return undefined;
  const parts: SqlTemplatePart[] = [{ kind: 'text', text: 'CASE' }];
  const switchSql = node.string('switch');
  const switchTemplate = switchSql === undefined ? undefined : ctx.template(switchSql, cube, node, 'switch');
  const whens = node.mapItems('when', 'case_when', () => node.member);
  if (whens.length === 0) {
    node.error('"case" needs a non-empty "when" list', 'when');
    return undefined;
  }
  for (const when of whens) {
    if (switchTemplate) {
      const value = when.string('value', true);
      const sql = when.string('sql', true);
      if (value === undefined || sql === undefined) return undefined;
      parts.push({ kind: 'text', text: ' WHEN (' }, ...switchTemplate, { kind: 'text', text: `) = ${literal(value)} THEN (` });
      parts.push(...ctx.template(sql, cube, when, 'sql'), { kind: 'text', text: ')' });
      continue;
    }
    const sql = when.string('sql', true);
    const label = readLabel(when, cube, ctx);
    if (sql === undefined || label === undefined) return undefined;
    parts.push({ kind: 'text', text: ' WHEN (' }, ...ctx.template(sql, cube, when, 'sql'), { kind: 'text', text: ') THEN ' }, ...label);
  }
  const elseNode = node.child('else', 'case_else');
  if (elseNode) {
    const value = switchTemplate ? readSql(elseNode, cube, ctx) : readLabel(elseNode, cube, ctx);
    if (value) parts.push({ kind: 'text', text: ' ELSE ' }, ...value);
  }
  parts.push({ kind: 'text', text: ' END' });
  return mergeText(parts);
}

function readSql(reader: NodeReader, cube: string, ctx: CompileContext): SqlTemplate | undefined {
  const sql = reader.string('sql', true);
  return sql === undefined ? undefined : [{ kind: 'text', text: '(' }, ...ctx.template(sql, cube, reader, 'sql'), { kind: 'text', text: ')' }];
}

function readLabel(reader: NodeReader, cube: string, ctx: CompileContext): SqlTemplate | undefined {
  const node: YNode | undefined = reader.raw('label');
  if (node === undefined) {
    reader.error('missing required "label"');
    return undefined;
  }
  if (node.kind === 'scalar' && node.value !== null) return [{ kind: 'text', text: literal(String(node.value)) }];
  if (node.kind === 'map') return readSql(new NodeReader(node, 'case_label', reader.member, ctx.sink), cube, ctx);
  reader.error('"label" must be a string or { sql }', 'label');
  return undefined;
}

function mergeText(parts: SqlTemplatePart[]): SqlTemplate {
  const out: SqlTemplatePart[] = [];
  for (const part of parts) {
    const prev = out[out.length - 1];
    if (part.kind === 'text' && prev?.kind === 'text') out[out.length - 1] = { kind: 'text', text: prev.text + part.text };
    else out.push(part);
  }
  return out;
}
