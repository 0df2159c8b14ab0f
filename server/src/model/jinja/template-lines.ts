/**
 * Lines of a rendered Jinja template → lines of the template, so a problem in the YAML a template
 * produced names the line the modeler wrote. Each template line is a pattern (its `{{ ... }}`
 * expressions match any text; lines holding only `{% %}` / `{# #}` tags produce no output and match
 * nothing); each rendered line maps to the matching template line nearest after the previous
 * match, wrapping around for the next iteration of a loop, else to the previous mapped line.
 * Exact for static lines and loop bodies; approximate where a line is produced by a macro or filter.
 */
import type { SourceLocation } from '../model-types.ts';
import type { YNode } from '../yaml-tree.ts';

/** `mapped[renderedLine - 1]` is the template line (1-based). */
export function mapRenderedLines(template: string, rendered: string): number[] {
  const patterns = template.split('\n').map(linePattern);
  const out: number[] = [];
  let previous = 0; // 0-based index of the last matched template line, -1 before any
  let matchedAny = false;
  for (const line of rendered.split('\n')) {
    let found = -1;
    for (let step = 0; step < patterns.length; step++) {
      const t = (previous + (matchedAny ? 1 : 0) + step) % patterns.length;
      const pattern = patterns[t];
      if (pattern && (typeof pattern === 'string' ? pattern === line : pattern.test(line))) {
        found = t;
        break;
      }
    }
    if (found >= 0) {
      previous = found;
      matchedAny = true;
    }
    out.push(previous + 1);
  }
  return out;
}

/** A template line as text to equal, a pattern, or undefined when it renders to nothing known. */
function linePattern(line: string): string | RegExp | undefined {
  const withoutTags = line.replace(/\{%-?[\s\S]*?-?%\}|\{#[\s\S]*?#\}/g, '');
  if (withoutTags.trim() === '' && withoutTags !== line) return undefined;
  if (!withoutTags.includes('{{')) return withoutTags;
  const parts = withoutTags.split(/\{\{[\s\S]*?\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*?')}$`);
}

/** The tree with every location moved to its template line. */
export function remapTree(node: YNode, mapped: readonly number[]): YNode {
  const at = (location: SourceLocation): SourceLocation => ({ ...location, line: mapped[location.line - 1] ?? location.line });
  if (node.kind === 'scalar') return { ...node, location: at(node.location) };
  if (node.kind === 'seq') return { kind: 'seq', items: node.items.map((item) => remapTree(item, mapped)), location: at(node.location) };
  const entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();
  for (const [key, entry] of node.entries) entries.set(key, { keyLocation: at(entry.keyLocation), value: remapTree(entry.value, mapped) });
  return { kind: 'map', entries, location: at(node.location) };
}

/** A location of the rendered text moved to its template line. */
export function remapLocation(location: SourceLocation | undefined, mapped: readonly number[]): SourceLocation | undefined {
  return location ? { ...location, line: mapped[location.line - 1] ?? location.line } : undefined;
}
