/**
 * The `dbt` helper of Jinja model templates, without Python: what Cube's `cube_dbt` package gives
 * templates, read from a dbt `manifest.json` in the model folder. Facts followed (cube_dbt):
 * models are the manifest's `nodes` of `resource_type: model`; a model's table is its
 * `relation_name`, else `database.schema.alias-or-name`; a column is the primary key when its
 * `meta.primary_key` is true or it carries the `primary_key` tag; a dimension's type comes from
 * `meta.type`, else from the column's `data_type` (numbers → number, dates/timestamps → time,
 * booleans → boolean, else string). Templates call
 * `dbt.model('orders').as_cube()`, `.as_dimensions(skip=['id'])`, `.column('x').as_dimension()`,
 * `dbt.filter(paths=[...], tags=[...], names=[...]).models` and the shortcut `dbt_model('orders')`.
 * Output is YAML: `as_cube()` continues the list item it is written in (`  - {{ ... }}`, following
 * lines indented by 4), lists are flow sequences so they fit any indentation.
 */

type Json = Record<string, unknown>;

/** Keyword arguments as nunjucks passes them (`f(skip=['id'])`). */
type Keywords = { __keywords?: true } & Record<string, unknown>;

/** A dbt project's models, as templates see them. */
export class DbtProject {
  constructor(
    readonly models: readonly DbtModel[],
    private readonly source: string,
  ) {}

  /** Parses a manifest's text; `source` names the file in errors. */
  static fromManifest(text: string, source: string): DbtProject {
    const manifest = JSON.parse(text) as { nodes?: Record<string, Json> };
    const models = Object.values(manifest.nodes ?? {})
      .filter((node) => node.resource_type === 'model')
      .map((node) => new DbtModel(node));
    return new DbtProject(models, source);
  }

  /** Models under `paths` (prefixes of their path), with any of `tags`, named in `names`. */
  filter(...args: unknown[]): DbtProject {
    const options = keywords(args);
    const paths = options.paths as string[] | undefined;
    const tags = options.tags as string[] | undefined;
    const names = options.names as string[] | undefined;
    return new DbtProject(
      this.models.filter(
        (m) =>
          (!paths || paths.some((p) => m.path.startsWith(p))) &&
          (!tags || tags.some((t) => m.tags.includes(t))) &&
          (!names || names.includes(m.name)),
      ),
      this.source,
    );
  }

  model(name: string): DbtModel {
    const found = this.models.find((m) => m.name === name);
    if (!found) throw new Error(`dbt model "${name}" is not in ${this.source}`);
    return found;
  }
}

/** One dbt model. */
export class DbtModel {
  readonly name: string;
  readonly description: string;
  readonly path: string;
  readonly tags: readonly string[];
  readonly sql_table: string;
  readonly columns: readonly DbtColumn[];

  constructor(node: Json) {
    this.name = String(node.name);
    this.description = String(node.description ?? '');
    this.path = String(node.path ?? '');
    this.tags = ((node.config as Json | undefined)?.tags as string[] | undefined) ?? (node.tags as string[] | undefined) ?? [];
    this.sql_table = typeof node.relation_name === 'string' && node.relation_name !== '' ? node.relation_name : [node.database, node.schema, node.alias ?? node.name].filter((p) => p).join('.');
    this.columns = Object.values((node.columns as Record<string, Json> | undefined) ?? {}).map((c) => new DbtColumn(c));
  }

  column(name: string): DbtColumn {
    const found = this.columns.find((c) => c.name === name);
    if (!found) throw new Error(`dbt model "${this.name}" has no column "${name}"`);
    return found;
  }

  get primary_key(): DbtColumn | undefined {
    return this.columns.find((c) => c.primary_key);
  }

  /** `name: ...` and `sql_table: ...` of a cube list item (continued lines indented by 4). */
  as_cube(): string {
    const lines = [`name: ${quote(this.name)}`, `sql_table: ${quote(this.sql_table)}`];
    if (this.description) lines.push(`description: ${quote(this.description)}`);
    return lines.join('\n    ');
  }

  /** Every column as a dimension (except `skip`), as one flow sequence. */
  as_dimensions(...args: unknown[]): string {
    const skip = (keywords(args).skip as string[] | undefined) ?? (Array.isArray(args[0]) ? (args[0] as string[]) : []);
    return `[${this.columns.filter((c) => !skip.includes(c.name)).map((c) => c.as_dimension()).join(', ')}]`;
  }
}

/** One column of a dbt model. */
export class DbtColumn {
  readonly name: string;
  readonly description: string;
  readonly type: string;
  readonly primary_key: boolean;

  constructor(column: Json) {
    this.name = String(column.name);
    this.description = String(column.description ?? '');
    const meta = (column.meta as Json | undefined) ?? {};
    const tags = (column.tags as string[] | undefined) ?? [];
    this.primary_key = meta.primary_key === true || tags.includes('primary_key');
    this.type = typeof meta.type === 'string' ? meta.type : dimensionType(String(column.data_type ?? ''));
  }

  get sql(): string {
    return this.name;
  }

  /** The column as a flow mapping `{name, sql, type[, primary_key][, description]}`. */
  as_dimension(): string {
    const parts = [`name: ${quote(this.name)}`, `sql: ${quote(this.sql)}`, `type: ${this.type}`];
    if (this.primary_key) parts.push('primary_key: true');
    if (this.description) parts.push(`description: ${quote(this.description)}`);
    return `{${parts.join(', ')}}`;
  }
}

function dimensionType(dataType: string): string {
  const t = dataType.toLowerCase();
  if (/^(bool|boolean)/.test(t)) return 'boolean';
  if (/date|time/.test(t)) return 'time';
  if (/^(int|integer|bigint|smallint|tinyint|hugeint|number|numeric|decimal|double|float|real|money)/.test(t)) return 'number';
  return 'string';
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
function quote(text: string): string {
  return JSON.stringify(text);
}

function keywords(args: unknown[]): Keywords {
  const last = args[args.length - 1] as Keywords | undefined;
  return last && typeof last === 'object' && last.__keywords ? last : {};
}
