/**
 * Byte-offset helpers over the SQL text: libpg-query reports node locations as byte offsets, and
 * rewrites for the outer evaluation are splices of the original text (there is no deparser).
 */
import { scanSync } from 'libpg-query';
import type { AstNode } from './walk-ast.ts';

export interface Token {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The SQL text as bytes plus its tokens, for locating and replacing node extents. */
export class SqlText {
  readonly bytes: Buffer;
  private scanned?: readonly Token[];

  constructor(readonly sql: string) {
    this.bytes = Buffer.from(sql, 'utf8');
  }

  /** Tokens of the whole text, scanned on first use (the fast path never needs them). */
  get tokens(): readonly Token[] {
    this.scanned ??= scanSync(this.sql).tokens.map((t) => ({ start: t.start, end: t.end, text: t.text }));
    return this.scanned;
  }

  /**
   * The `count` dotted name parts starting at byte `location`, as written (quotes removed), read
   * straight from the bytes: output names need this on every query, and the fast path must not
   * pay for tokenizing the whole text. Undefined when the text there is not a plain name chain.
   */
  nameChainAt(location: number, count: number): string[] | undefined {
    const b = this.bytes;
    const parts: string[] = [];
    let i = location;
    while (parts.length < count) {
      if (b[i] === 0x22) {
        let j = i + 1;
        let name = '';
        for (;;) {
          const end = b.indexOf(0x22, j);
          if (end < 0) return undefined;
          name += b.toString('utf8', j, end);
          if (b[end + 1] !== 0x22) {
            i = end + 1;
            break;
          }
          name += '"';
          j = end + 2;
        }
        parts.push(name);
      } else {
        let j = i;
        while (j < b.length && (isIdentifierByte(b[j]!) || (j > i && b[j]! >= 0x30 && b[j]! <= 0x39))) j++;
        if (j === i) return undefined;
        parts.push(b.toString('utf8', i, j));
        i = j;
      }
      if (parts.length === count) break;
      while (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d) i++;
      if (b[i] !== 0x2e) return undefined;
      i++;
      while (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d) i++;
    }
    return parts;
  }

  slice(start: number, end: number): string {
    return this.bytes.toString('utf8', start, end);
  }

  tokenIndexAt(offset: number): number {
    let lo = 0;
    let hi = this.tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.tokens[mid]!;
      if (t.end <= offset) lo = mid + 1;
      else if (t.start > offset) hi = mid - 1;
      else return mid;
    }
    return lo;
  }

  /** End offset of a function call starting at `location`: the parenthesis closing its arguments. */
  callEnd(location: number): number {
    let i = this.tokenIndexAt(location);
    while (i < this.tokens.length && this.tokens[i]!.text !== '(') i++;
    let depth = 0;
    for (; i < this.tokens.length; i++) {
      const t = this.tokens[i]!.text;
      if (t === '(') depth++;
      else if (t === ')' && --depth === 0) return this.tokens[i]!.end;
    }
    throw new Error('unbalanced parentheses');
  }

  /** End offset of a dotted name (`"public"."ECommerce"`, `a.b`) starting at `location`. */
  nameEnd(location: number): number {
    let i = this.tokenIndexAt(location);
    let end = this.tokens[i]!.end;
    while (this.tokens[i + 1]?.text === '.' && this.tokens[i + 2]) {
      i += 2;
      end = this.tokens[i]!.end;
    }
    return end;
  }

  /**
   * Best-effort extent of an expression: from its smallest to its largest location, extended to
   * balance parentheses and over trailing keywords the tree has no location for. Callers verify
   * the extent by re-parsing it.
   */
  expressionExtent(node: unknown): [number, number] | undefined {
    const locations: number[] = [];
    collectLocations(node, locations);
    if (locations.length === 0) return undefined;
    const start = Math.min(...locations);
    let i = this.tokenIndexAt(Math.max(...locations));
    let depth = 0;
    for (const t of this.tokens) {
      if (t.start < start) continue;
      if (t.start > this.tokens[i]!.start) break;
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
    }
    const TRAILING = /^(not|null|true|false|unknown|precision|varying|without|with|time|zone)$/i;
    while (i + 1 < this.tokens.length) {
      const next = this.tokens[i + 1]!.text;
      if (depth > 0 && next !== ')') {
        if (next === '(') depth++;
        i++;
        continue;
      }
      if (depth > 0 && next === ')') {
        depth--;
        i++;
        continue;
      }
      if (TRAILING.test(next)) {
        i++;
        continue;
      }
      break;
    }
    return [start, this.tokens[i]!.end];
  }
}

/** Letters, `_`, `$` and any byte of a multi-byte UTF-8 character (PostgreSQL's identifier bytes). */
function isIdentifierByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x24 || c >= 0x80;
}

function collectLocations(node: unknown, out: number[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collectLocations(n, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as AstNode)) {
    if (key === 'location' && typeof value === 'number' && value >= 0) out.push(value);
    else if (typeof value === 'object') collectLocations(value, out);
  }
}

/** One replacement of the byte range [start, end) by `text`. */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies non-overlapping splices (outermost wins when they nest). */
export function applySplices(text: SqlText, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Splice[] = [];
  for (const s of sorted) {
    const last = kept[kept.length - 1];
    if (last && s.start < last.end) continue;
    kept.push(s);
  }
  const parts: string[] = [];
  let pos = 0;
  for (const s of kept) {
    parts.push(text.slice(pos, s.start), s.text);
    pos = s.end;
  }
  parts.push(text.slice(pos, text.bytes.length));
  return parts.join('');
}

export const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
