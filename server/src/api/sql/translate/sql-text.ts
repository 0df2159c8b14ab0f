/**
 * Byte-offset helpers over the SQL text: libpg-query reports node locations as byte offsets.
 * Catalog statements (run by PGlite, a real Postgres) get small splices at the parser's own
 * locations. Model queries are never spliced: their residual SQL is rewritten on the parse tree and deparsed (`residual-sql.ts`).
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

