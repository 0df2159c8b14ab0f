/**
 * Byte-offset helpers over the SQL text: libpg-query reports node locations as byte offsets.
 * Output names read identifiers as the user spelled them; catalog statements (run by PGlite, a
 * real Postgres) get small splices at the parser's own locations. Model queries are never spliced:
 * their residual SQL is rewritten on the parse tree and deparsed (`residual-sql.ts`).
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
}

/** Letters, `_`, `$` and any byte of a multi-byte UTF-8 character (PostgreSQL's identifier bytes). */
function isIdentifierByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x24 || c >= 0x80;
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

