/**
 * The relational face of the semantic model: one table per public cube and view, one column per
 * public member, with the Postgres type clients will see. Shared by the catalog DDL and the
 * SQL translator so both agree on names and types.
 */
import type { SemanticModel, Measure, Dimension } from '../../../model/model-types.ts';
import { OID } from '../wire/pg-types.ts';

/** One member as a column of a model table. */
export interface ModelColumn {
  readonly name: string; // member short name
  readonly path: string; // member path as the API names it (view members: `view.member`)
  /** `join`: the virtual `__cubeJoinField` column every table has (see JOIN_FIELD). */
  readonly kind: 'measure' | 'dimension' | 'segment' | 'join';
  readonly type: string; // Cube member type (measure or dimension type)
  readonly oid: number;
  readonly title?: string;
  readonly description?: string;
}

/**
 * Cube's virtual join column, present in every model table: `JOIN b ON a.__cubeJoinField =
 * b.__cubeJoinField` (like `CROSS JOIN`) between model tables joins them as the data model
 * defines, in one semantic query. It holds no data: selected, it reads NULL.
 */
export const JOIN_FIELD = '__cubeJoinField';

/** A cube or a view seen as a table. */
export interface ModelTable {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly columns: readonly ModelColumn[];
  /** Lower-cased column name → column (SQL identifiers are case-insensitive here, as in Cube). */
  readonly byName: ReadonlyMap<string, ModelColumn>;
}

export function measureOid(type: string): number {
  switch (type) {
    case 'count':
    case 'count_distinct':
    case 'count_distinct_approx':
      return OID.int8;
    case 'string':
      return OID.text;
    case 'time':
      return OID.timestamp;
    case 'boolean':
      return OID.bool;
    default:
      return OID.float8;
  }
}

export function dimensionOid(type: string): number {
  switch (type) {
    case 'number':
      return OID.float8;
    case 'time':
      return OID.timestamp;
    case 'boolean':
      return OID.bool;
    default:
      return OID.text;
  }
}

function column(member: Measure | Dimension, path: string, name: string, title?: string, description?: string): ModelColumn {
  const oid = member.kind === 'measure' ? measureOid(member.type) : dimensionOid(member.type);
  return { name, path, kind: member.kind, type: member.type, oid, title: title ?? member.title, description: description ?? member.description };
}

/** Builds the tables of a compiled model (hidden members and cubes are left out). */
export function buildModelTables(model: SemanticModel): Map<string, ModelTable> {
  const tables = new Map<string, ModelTable>();
  for (const cube of Object.values(model.cubes)) {
    if (!cube.public) continue;
    const columns: ModelColumn[] = [];
    for (const m of [...Object.values(cube.measures), ...Object.values(cube.dimensions)]) {
      if (m.public) columns.push(column(m, m.path, m.name));
    }
    for (const s of Object.values(cube.segments)) {
      if (s.public) columns.push({ name: s.name, path: s.path, kind: 'segment', type: 'boolean', oid: OID.bool, title: s.title, description: s.description });
    }
    tables.set(cube.name, makeTable(cube.name, cube.title, cube.description, columns));
  }
  for (const view of Object.values(model.views)) {
    if (!view.public) continue;
    const columns: ModelColumn[] = [];
    for (const vm of Object.values(view.members)) {
      const [cubeName, memberName] = vm.target.split('.') as [string, string];
      const cube = model.cubes[cubeName];
      if (vm.kind === 'segment') {
        columns.push({ name: vm.name, path: vm.path, kind: 'segment', type: 'boolean', oid: OID.bool, title: vm.title, description: vm.description });
        continue;
      }
      const target = vm.kind === 'measure' ? cube?.measures[memberName] : cube?.dimensions[memberName];
      if (target) columns.push(column(target, vm.path, vm.name, vm.title, vm.description));
    }
    tables.set(view.name, makeTable(view.name, view.title, view.description, columns));
  }
  return tables;
}

function makeTable(name: string, title: string | undefined, description: string | undefined, columns: ModelColumn[]): ModelTable {
  columns.push({
    name: JOIN_FIELD,
    path: `${name}.${JOIN_FIELD}`,
    kind: 'join',
    type: 'string',
    oid: OID.text,
    description: `Join as defined in the data model: JOIN … ON a.${JOIN_FIELD} = b.${JOIN_FIELD}, or CROSS JOIN`,
  });
  return { name, title, description, columns, byName: indexColumns(columns) };
}

function indexColumns(columns: readonly ModelColumn[]): Map<string, ModelColumn> {
  const byName = new Map<string, ModelColumn>();
  for (const c of columns) byName.set(c.name.toLowerCase(), c);
  return byName;
}

/**
 * The tables as one caller sees them: members the access policies hide are left out, and so is
 * a table left with no member at all (its name alone would say what exists).
 */
export function visibleTables(tables: Iterable<ModelTable>, isVisible: (memberPath: string) => boolean): ModelTable[] {
  const shown: ModelTable[] = [];
  for (const table of tables) {
    const columns = table.columns.filter((c) => c.kind === 'join' || isVisible(c.path));
    if (!columns.some((c) => c.kind !== 'join')) continue;
    shown.push(columns.length === table.columns.length ? table : { ...table, columns, byName: indexColumns(columns) });
  }
  return shown;
}
