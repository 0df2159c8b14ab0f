/**
 * A fast parser for the YAML subset model files use (block maps and sequences, flow `{}`/`[]`,
 * plain and quoted scalars, `|`/`>` block scalars, comments), producing the same located tree as
 * `yaml-tree.ts`. The `yaml` package is exact but parsing dominates compile time (a 200-cube model
 * spends most of its compile in the lexer), so this path runs first and returns `undefined` at the
 * first construct it does not handle (anchors, tags, multi-line plain scalars, documents markers,
 * syntax errors...), in which case the caller parses with `yaml`, which also reports errors.
 * Scalars resolve with YAML 1.2's core schema, as `yaml` does by default. A differential test
 * checks both parsers give the same tree, positions included.
 */
import { bail, FlowParser, parseScalarText, Unsupported } from './fast-yaml-flow.ts';
import type { SourceLocation } from './model-types.ts';
import type { YMap, YNode, YScalar, YSeq } from './yaml-nodes.ts';

interface Line {
  readonly indent: number;
  readonly text: string; // without comment and trailing spaces; '' for blank/comment lines
  readonly raw: string; // the line as written (block scalars read it)
}

/** Parses `content`, or returns undefined when the fallback parser must be used. */
export function parseFastYaml(file: string, content: string): YNode | undefined | null {
  try {
    return new FastParser(file, content).parseDocument();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class FastParser {
  private readonly lines: Line[];
  private index = 0;

  constructor(
    private readonly file: string,
    content: string,
  ) {
    if (content.includes('\t') || content.includes('\r') || content.charCodeAt(0) === 0xfeff) bail();
    this.lines = content.split('\n').map(splitLine);
  }

  /** null: an empty document (only comments). */
  parseDocument(): YNode | null {
    const first = this.peek();
    if (first === undefined) return null;
    if (first.line.indent !== 0) bail();
    const node = this.parseBlock(0);
    if (this.peek() !== undefined) bail();
    return node;
  }

  private at(line: number, column: number): SourceLocation {
    return { file: this.file, line: line + 1, column: column + 1 };
  }

  /** Next non-blank line, skipping blanks. */
  private peek(): { line: Line; index: number } | undefined {
    while (this.index < this.lines.length && this.lines[this.index]!.text === '') this.index++;
    return this.index < this.lines.length ? { line: this.lines[this.index]!, index: this.index } : undefined;
  }

  private parseBlock(indent: number): YNode {
    const next = this.peek()!;
    if (isSeqItem(next.line.text)) return this.parseSeq(indent);
    if (findMappingColon(next.line.text) >= 0) return this.parseMap(indent);
    // A lone value on its own line (e.g. "key:\n  []" or a flow document).
    this.index++;
    return this.parseInlineValue(next.line.text, next.index, indent, indent - 1);
  }

  private parseSeq(indent: number): YSeq {
    const start = this.peek()!;
    const items: YNode[] = [];
    for (let next = this.peek(); next && next.line.indent === indent && isSeqItem(next.line.text); next = this.peek()) {
      const rest = next.line.text.slice(1);
      const offset = rest.length - rest.trimStart().length;
      const content = rest.trimStart();
      const column = indent + 1 + offset;
      if (content === '') {
        this.index++;
        const child = this.peek();
        if (child && child.line.indent > indent) items.push(this.parseBlock(child.line.indent));
        else items.push({ kind: 'scalar', value: null, location: this.at(next.index, indent + 1) });
        continue;
      }
      if (isSeqItem(content) || findMappingColon(content) >= 0) {
        // "- key: value" starts a map (or nested sequence) whose indentation is the content's column.
        this.lines[next.index] = { indent: column, text: content, raw: next.line.raw };
        items.push(this.parseBlock(column));
        continue;
      }
      this.index++;
      items.push(this.parseInlineValue(content, next.index, column, indent));
    }
    return { kind: 'seq', items, location: this.at(start.index, indent) };
  }

  private parseMap(indent: number): YMap {
    const start = this.peek()!;
    const entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();
    for (let next = this.peek(); next && next.line.indent === indent && !isSeqItem(next.line.text); next = this.peek()) {
      const { text } = next.line;
      const colon = findMappingColon(text);
      if (colon < 0) bail();
      const key = parseKey(text.slice(0, colon));
      if (entries.has(key)) bail(); // the yaml package reports duplicates with its own message
      const keyLocation = this.at(next.index, indent);
      const after = text.slice(colon + 1);
      const valueText = after.trimStart();
      const valueColumn = indent + colon + 1 + (after.length - valueText.length);
      this.index++;
      let value: YNode;
      if (valueText === '') {
        const child = this.peek();
        if (child && (child.line.indent > indent || (child.line.indent === indent && isSeqItem(child.line.text)))) {
          value = this.parseBlock(child.line.indent);
        } else value = { kind: 'scalar', value: null, location: this.at(next.index, indent + colon + 1) };
      } else if (valueText[0] === '|' || valueText[0] === '>') {
        value = this.parseBlockScalar(valueText, next.index, valueColumn, indent);
      } else value = this.parseInlineValue(valueText, next.index, valueColumn, indent);
      entries.set(key, { keyLocation, value });
    }
    return { kind: 'map', entries, location: this.at(start.index, indent) };
  }

  /** A value on the rest of a line: flow collection (may span lines), quoted or plain scalar. */
  private parseInlineValue(text: string, line: number, column: number, parentIndent: number): YNode {
    if (text[0] === '{' || text[0] === '[') {
      let source = text;
      const starts = [{ offset: 0, line, column }];
      // Accumulate following lines until the brackets balance.
      while (!isBalanced(source)) {
        const next = this.lines[this.index];
        if (next === undefined || (next.text !== '' && next.indent <= parentIndent)) bail();
        this.index++;
        if (next.text === '') continue;
        starts.push({ offset: source.length + 1, line: this.index - 1, column: next.indent });
        source += ` ${next.text}`;
      }
      const flow = new FlowParser(source, (offset) => {
        let s = starts[0]!;
        for (const candidate of starts) if (candidate.offset <= offset) s = candidate;
        return this.at(s.line, s.column + offset - s.offset);
      });
      const node = flow.parseValue();
      flow.expectEnd();
      this.checkNoContinuation(parentIndent);
      return node;
    }
    const value = parseScalarText(text);
    this.checkNoContinuation(parentIndent);
    return { kind: 'scalar', value, location: this.at(line, column) };
  }

  /** A more-indented line after a one-line value would be a multi-line scalar: not handled here. */
  private checkNoContinuation(parentIndent: number): void {
    const next = this.peek();
    // Anything after a one-line value belongs to an enclosing construct, which is less indented.
    if (next && next.line.indent > parentIndent) bail();
  }

  private parseBlockScalar(header: string, line: number, column: number, parentIndent: number): YScalar {
    const match = /^([|>])([-+]?)$/.exec(header);
    if (!match) bail();
    const [, style, chomp] = match as unknown as [string, string, string];
    const raw: string[] = [];
    let contentIndent = -1;
    while (this.index < this.lines.length) {
      const original = this.lines[this.index]!.raw;
      const text = original.trimStart();
      const lineIndent = original.length - text.length;
      if (text !== '') {
        if (lineIndent <= parentIndent) break;
        if (contentIndent < 0) contentIndent = lineIndent;
        if (lineIndent !== contentIndent) bail();
      }
      raw.push(text === '' ? '' : text);
      this.index++;
    }
    let trailing = 0;
    while (raw.length > 0 && raw[raw.length - 1] === '') {
      raw.pop();
      trailing++;
    }
    let body = '';
    if (style === '|') body = raw.join('\n');
    else {
      let blanks = 0;
      for (const text of raw) {
        if (text === '') blanks++;
        else {
          if (body !== '') body += blanks > 0 ? '\n'.repeat(blanks) : ' ';
          body += text;
          blanks = 0;
        }
      }
    }
    const value = body === '' ? '' : chomp === '-' ? body : chomp === '+' ? body + '\n'.repeat(trailing + 1) : `${body}\n`;
    return { kind: 'scalar', value, location: this.at(line, column) };
  }
}

/** Splits indentation and strips a trailing comment; bails on a quote it cannot close. */
function splitLine(raw: string): Line {
  const trimmed = raw.trimStart();
  const indent = raw.length - trimmed.length;
  if (trimmed === '' || trimmed[0] === '#') return { indent, text: '', raw };
  if (trimmed.startsWith('---') || trimmed.startsWith('...') || trimmed[0] === '%') bail();
  let quote: string | undefined;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) {
        if (quote === "'" && trimmed[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    const prev = i === 0 ? ' ' : trimmed[i - 1]!;
    if ((c === '"' || c === "'") && /[\s[{,:-]/.test(prev)) quote = c;
    else if (c === '#' && /\s/.test(prev)) return { indent, text: trimmed.slice(0, i).trimEnd(), raw };
  }
  if (quote) bail();
  return { indent, text: trimmed.trimEnd(), raw };
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** Index of the ':' that separates a block mapping key, outside quotes and brackets; -1 if none. */
function findMappingColon(text: string): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if ((c === '"' || c === "'") && i === 0) quote = c;
    else if (c === '[' || c === '{') {
      if (i === 0) return -1;
      depth++;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ':' && depth === 0 && (i + 1 === text.length || text[i + 1] === ' ')) return i;
  }
  return -1;
}

function parseKey(text: string): string {
  const key = text.trim();
  if (key === '' || /^[?&*!|>%@`]/.test(key)) bail();
  if (key[0] === '"' || key[0] === "'") {
    const value = parseScalarText(key);
    return typeof value === 'string' ? value : bail();
  }
  return key;
}

function isBalanced(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return depth <= 0 && !quote;
}
