/**
 * A SQL dialect: capability flags plus a compiler. The planner branches on capabilities, never on
 * a dialect's name; a dialect never learns about cubes or members.
 */
import type { SelectQueryNode } from './select-query-node.ts';

/** What a dialect can do natively; the planner and compiler consult these, not names. */
export interface DialectCapabilities {
  /** `ILIKE` exists; otherwise `LOWER(x) LIKE LOWER(pattern)`. */
  readonly supportsIlike: boolean;
  /** `NULLS FIRST/LAST` in ORDER BY. */
  readonly supportsNullsOrdering: boolean;
  /** Positional placeholders are numbered (`$1`) rather than anonymous (`?`). */
  readonly numberedParams: boolean;
  /** `FULL OUTER JOIN` is available. */
  readonly supportsFullJoin: boolean;
  /** OFFSET must precede LIMIT (Trino); otherwise `LIMIT n OFFSET m`. */
  readonly offsetBeforeLimit: boolean;
}

/** SQL text with its positional parameters, ready for `Driver.query`. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A target database's SQL flavour. */
export interface Dialect {
  readonly name: string;
  readonly capabilities: DialectCapabilities;
  compile(query: SelectQueryNode): CompiledSql;
  quoteIdentifier(name: string): string;
}
