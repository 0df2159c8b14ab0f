/**
 * The located tree every model front-end produces (YAML through yaml-tree.ts / fast-yaml.ts,
 * JavaScript and Jinja through theirs) and the compiler reads: each node keeps its file and line.
 */
import type { SourceLocation } from '../errors/source-location.ts';

/** A YAML node with its position: the validator's only input. */
export type YNode = YMap | YSeq | YScalar;

/** A mapping; `entries` keeps the file's key order (Cube's meta keeps member order). */
export interface YMap {
  readonly kind: 'map';
  readonly entries: ReadonlyMap<string, { readonly keyLocation: SourceLocation; readonly value: YNode }>;
  readonly location: SourceLocation;
}

/** A sequence. */
export interface YSeq {
  readonly kind: 'seq';
  readonly items: readonly YNode[];
  readonly location: SourceLocation;
}

/** A scalar: string, number, boolean or null. */
export interface YScalar {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
  readonly location: SourceLocation;
}
