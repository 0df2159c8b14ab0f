/**
 * The catalogs connections read pg_catalog and information_schema from: one catalog database per
 * model version holding every table, seen by each caller through a scope that hides what their
 * access policies hide (`shared-catalog-database.ts`), so a restricted user's `\dt` or
 * `information_schema.columns` lists only what they may query. Scopes are keyed by the set of
 * visible members (not the caller), so users with the same rights share one; a new set costs no
 * new database, only a few milliseconds of DDL inside the catalog's transaction.
 *
 * The tables queries are translated against keep every member by name: a hidden member queried
 * anyway reaches the engine, which refuses it with SQLSTATE 42501 naming it — as Postgres does for
 * a column the user has no privilege on, rather than pretending it does not exist. Their column
 * lists (what `*` expands to) hold only what the caller sees, as information_schema lists them, so
 * Power BI's Import (`select *`) works for a role whose policy excludes members.
 *
 * Kept in step with model hot reload: a new connection gets the catalog of the current model
 * (built on first use, in a worker thread); open connections keep theirs, and an outdated catalog
 * closes when its last connection ends. Each catalog bounds its statements' time and memory and
 * replaces its thread when it has to stop one (`shared-catalog-database.ts`, `catalog-limits.ts`).
 */
import type { RequestContext } from '../../../engine/engine-types.ts';
import type { SemanticModel } from '../../../model/model-types.ts';
import type { MemberVisibilityMask } from '../../../security/member-visibility.ts';
import type { CatalogDatabase } from './catalog-database.ts';
import { readCatalogLimits, type CatalogLimits } from './catalog-limits.ts';
import { hideMembersSql } from './hide-members-sql.ts';
import { buildModelTables, visibleTables, type ModelTable } from './model-tables.ts';
import { SharedCatalogDatabase } from './shared-catalog-database.ts';
import { BoundedStore } from '../../../reuse/bounded-store.ts';

/** What a connection reads: the model's tables by name and the catalog database its caller sees. */
export interface ModelCatalog {
  readonly version: string;
  readonly catalog: CatalogDatabase;
  findTable(schema: string | undefined, name: string): ModelTable | undefined;
}

/** A catalog held by one connection until `release`. */
export interface CatalogLease {
  readonly catalog: ModelCatalog;
  release(): void;
}

/** The members a caller may see in a model (the engine's `visibleMembers`). */
export type VisibilityOf = (ctx: RequestContext, model: SemanticModel) => Promise<MemberVisibilityMask>;

/** Scopes remembered per model version (each is a key and a DDL string); past this, the oldest go. */
const MAX_SCOPES = 256;

interface Entry {
  readonly model: SemanticModel;
  readonly version: string;
  readonly database: SharedCatalogDatabase;
  readonly tables: readonly ModelTable[];
  readonly findTable: ModelCatalog['findTable'];
  /** Per set of visible members, least recently used dropped first (reuse/'s bounded store). */
  readonly scopes: BoundedStore<ModelCatalog>;
  users: number;
}

export class ModelCatalogs {
  private readonly ready = new Map<string, Entry>();
  /** Builds in flight, and failed ones (kept so a model the catalog cannot represent is not rebuilt per connection). */
  private readonly building = new Map<string, Promise<Entry>>();
  private latest?: Entry;
  private closed = false;

  private constructor(
    private readonly getModel: () => SemanticModel,
    private readonly visibilityOf: VisibilityOf,
    private readonly onError: (error: unknown) => void,
    private readonly limits: CatalogLimits,
  ) {}

  /**
   * Builds the catalog of the current model up front, so a bad model fails at start. `limits`
   * default to the environment's (`catalog-limits.ts`).
   */
  static async create(getModel: () => SemanticModel, visibilityOf: VisibilityOf, onError: (error: unknown) => void, limits: CatalogLimits = readCatalogLimits(process.env)): Promise<ModelCatalogs> {
    const catalogs = new ModelCatalogs(getModel, visibilityOf, onError, limits);
    await catalogs.entry(getModel());
    return catalogs;
  }

  /** The catalog of the current model as this caller may see it; call `release` when the connection ends. */
  async acquire(ctx: RequestContext): Promise<CatalogLease> {
    let entry: Entry;
    try {
      entry = await this.entry(this.getModel());
    } catch (error) {
      // A model the catalog cannot represent: keep serving the tables of the last version that could.
      if (!this.latest) throw error;
      this.onError(error);
      entry = this.latest;
    }
    const catalog = scopeOf(entry, await this.visibilityOf(ctx, entry.model));
    entry.users++;
    this.prune();
    let released = false;
    return {
      catalog,
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        this.prune();
      },
    };
  }

  private entry(model: SemanticModel): Promise<Entry> {
    const known = this.ready.get(model.version);
    if (known) return Promise.resolve(known);
    let pending = this.building.get(model.version);
    if (!pending) {
      pending = this.build(model);
      this.building.set(model.version, pending);
    }
    return pending;
  }

  private async build(model: SemanticModel): Promise<Entry> {
    const tables = [...buildModelTables(model).values()];
    const byName = new Map<string, ModelTable>();
    for (const t of tables) byName.set(t.name.toLowerCase(), t);
    const database = await SharedCatalogDatabase.create(tables, { limits: this.limits, onError: this.onError });
    if (this.closed) {
      void database.close().catch(this.onError);
      throw new Error('the SQL API is shutting down');
    }
    const entry: Entry = {
      model,
      version: model.version,
      database,
      tables,
      findTable: (schema, name) => (schema && schema.toLowerCase() !== 'public' ? undefined : byName.get(name.toLowerCase())),
      scopes: new BoundedStore<ModelCatalog>({ maxEntries: MAX_SCOPES }),
      users: 0,
    };
    this.building.delete(model.version);
    this.ready.set(model.version, entry);
    this.latest = entry;
    return entry;
  }

  /** Closes idle catalogs of older model versions once the current version has its own. */
  private prune(): void {
    const current = this.getModel().version;
    for (const version of this.building.keys()) if (version !== current) this.building.delete(version);
    if (!this.ready.has(current)) return;
    for (const entry of [...this.ready.values()]) {
      if (entry.version === current || entry.users > 0) continue;
      this.ready.delete(entry.version);
      void entry.database.close().catch(this.onError);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.ready.values()];
    this.ready.clear();
    this.latest = undefined;
    await Promise.all(entries.map((e) => e.database.close()));
  }
}

/** The caller's view of an entry, remembered per set of visible members. */
function scopeOf(entry: Entry, visible: MemberVisibilityMask): ModelCatalog {
  const known = entry.scopes.get(visible.key);
  if (known) return known;
  const hideSql = hideMembersSql(entry.tables, visible.isVisible);
  const findTable = hideSql ? visibleColumnsOf(entry.tables, visible) : entry.findTable;
  const catalog: ModelCatalog = { version: entry.version, catalog: entry.database.scoped({ key: visible.key, hideSql }), findTable };
  entry.scopes.set(visible.key, catalog);
  return catalog;
}

/**
 * `findTable` over the tables with the caller's columns only (`visibleTables`, as the catalog
 * shows them), `byName` still naming every member; a table they see nothing of stays whole.
 */
function visibleColumnsOf(tables: readonly ModelTable[], visible: MemberVisibilityMask): ModelCatalog['findTable'] {
  const byName = new Map<string, ModelTable>(tables.map((t) => [t.name.toLowerCase(), t]));
  for (const shown of visibleTables(tables, visible.isVisible)) {
    const whole = byName.get(shown.name.toLowerCase())!;
    byName.set(shown.name.toLowerCase(), { ...shown, byName: whole.byName });
  }
  return (schema, name) => (schema && schema.toLowerCase() !== 'public' ? undefined : byName.get(name.toLowerCase()));
}
