/**
 * BI tools send filters as long IN lists (Power BI: thousands of values). The WASM parser's cost
 * grows with every literal node it serializes, so before parsing, lists of many plain literals
 * are folded into one placeholder string literal, and expanded again by the translator.
 * A small hand-written scanner finds them: it skips quoted identifiers, comments and dollar quotes.
 */

/** A folded list: the literals' values and the original text between the parentheses. */
export interface FoldedList {
  readonly values: readonly (string | number)[];
  readonly text: string;
}

export interface FoldedSql {
  readonly text: string;
  /** Placeholder literal value (without quotes) → the list it replaced. */
  readonly lists: ReadonlyMap<string, FoldedList>;
}

const MIN_ITEMS = 16;
const PLACEHOLDER = /^__sqlapi_list_\d+__$/;

export function isListPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && PLACEHOLDER.test(value);
}

export function foldLiteralLists(sql: string): FoldedSql {
  if (sql.length < 200) return { text: sql, lists: new Map() };
  const lists = new Map<string, FoldedList>();
  let out = '';
  let last = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'") i = skipString(sql, i);
    else if (ch === '"') i = sql.indexOf('"', i + 1) + 1 || sql.length;
    else if (ch === '-' && sql[i + 1] === '-') i = sql.indexOf('\n', i) + 1 || sql.length;
    else if (ch === '/' && sql[i + 1] === '*') i = sql.indexOf('*/', i + 2) + 2 || sql.length;
    else if (ch === '$' && /[A-Za-z_$]/.test(sql[i + 1] ?? '')) return { text: sql, lists: new Map() }; // dollar quotes: leave alone
    else if (ch === '(' && /\bin\s*$/i.test(sql.slice(Math.max(0, i - 8), i))) {
      const list = readLiteralList(sql, i + 1);
      if (list && list.values.length >= MIN_ITEMS) {
        const name = `__sqlapi_list_${lists.size}__`;
        lists.set(name, { values: list.values, text: sql.slice(i + 1, list.end) });
        out += `${sql.slice(last, i + 1)}'${name}'`;
        last = list.end;
        i = list.end;
      } else i++;
    } else i++;
  }
  return lists.size === 0 ? { text: sql, lists } : { text: out + sql.slice(last), lists };
}

function skipString(sql: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const end = sql.indexOf("'", i);
    if (end < 0) return sql.length;
    if (sql[end + 1] === "'") i = end + 2;
    else return end + 1;
  }
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Reads `lit, lit, …` up to the closing parenthesis; undefined if anything but literals appears. */
function readLiteralList(sql: string, start: number): { values: (string | number)[]; end: number } | undefined {
  const values: (string | number)[] = [];
  let i = start;
  for (;;) {
    while (isSpace(sql.charCodeAt(i))) i++;
    const c = sql.charCodeAt(i);
    if (c === 39) {
      const end = skipString(sql, i);
      if (sql.charCodeAt(end - 1) !== 39) return undefined;
      const raw = sql.slice(i + 1, end - 1);
      values.push(raw.includes("'") ? raw.replace(/''/g, "'") : raw);
      i = end;
    } else if (isDigit(c) || (c === 45 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (isDigit(sql.charCodeAt(j))) j++;
      if (sql.charCodeAt(j) === 46) {
        j++;
        while (isDigit(sql.charCodeAt(j))) j++;
      }
      const next = sql.charCodeAt(j);
      if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95 || next === 46) return undefined;
      values.push(Number(sql.slice(i, j)));
      i = j;
    } else return undefined;
    while (isSpace(sql.charCodeAt(i))) i++;
    const sep = sql.charCodeAt(i);
    if (sep === 44) i++;
    else if (sep === 41) return { values, end: i };
    else return undefined;
  }
}
