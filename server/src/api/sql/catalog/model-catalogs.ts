/**
 * The catalog databases connections read pg_catalog and information_schema from: one per model
 * version and per set of members the caller may see, so a restricted user's `\dt` or
 * `information_schema.columns` lists only what the access policies let them query (the key of
 * that set names the members, not the caller, so users with the same rights share one catalog).
 *
 * The tables queries are translated against stay complete: a hidden member queried anyway reaches
 * the engine, which refuses it with SQLSTATE 42501 naming it — as Postgres does for a column the
 * user has no privilege on, rather than pretending it does not exist.
 *
 * Kept in step with model hot reload: a new connection gets the catalog of the current model
 * (built on first use — PGlite starts in a few seconds); open connections keep theirs, and an
 * outdated or long-idle catalog closes when its last connection ends.
 */
import type { RequestContext } from '../../../engine/engine-types.ts';
import type { SemanticModel } from '../../../model/model-types.ts';
import type { MemberVisibilityMask } from '../../../security/member-visibility.ts';
import { CatalogDatabase } from './catalog-database.ts';
import { buildModelTables, visibleTables, type ModelTable } from './model-tables.ts';

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

/** Idle catalogs kept for callers with other rights; more are closed, least recently used first. */
const MAX_IDLE_CATALOGS = 8;
const EVERYTHING: MemberVisibilityMask = { key: '*', isVisible: () => true };

interface Entry extends ModelCatalog {
  readonly id: string;
  readonly visibilityKey: string;
  users: number;
  lastUsed: number;
}

const entryId = (version: string, visibilityKey: string): string => `${version}\u0000${visibilityKey}`;

async function buildEntry(model: SemanticModel, visible: MemberVisibilityMask): Promise<Entry> {
  const tables = buildModelTables(model);
  const byName = new Map<string, ModelTable>();
  for (const t of tables.values()) byName.set(t.name.toLowerCase(), t);
  const catalog = await CatalogDatabase.create(visibleTables(tables.values(), visible.isVisible));
  return {
    id: entryId(model.version, visible.key),
    version: model.version,
    visibilityKey: visible.key,
    catalog,
    findTable: (schema, name) => (schema && schema.toLowerCase() !== 'public' ? undefined : byName.get(name.toLowerCase())),
    users: 0,
    lastUsed: 0,
  };
}

export class ModelCatalogs {
  private readonly ready = new Map<string, Entry>();
  /** Builds in flight, and failed ones (kept so a model the catalog cannot represent is not rebuilt per connection). */
  private readonly building = new Map<string, Promise<Entry>>();
  private clock = 0;
  private closed = false;

  private constructor(
    private readonly getModel: () => SemanticModel,
    private readonly visibilityOf: VisibilityOf,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Builds the catalog of callers who see everything up front, so a bad model fails at start. */
  static async create(getModel: () => SemanticModel, visibilityOf: VisibilityOf, onError: (error: unknown) => void): Promise<ModelCatalogs> {
    const catalogs = new ModelCatalogs(getModel, visibilityOf, onError);
    await catalogs.entry(getModel(), EVERYTHING);
    return catalogs;
  }

  /** The catalog of the current model as this caller may see it; call `release` when the connection ends. */
  async acquire(ctx: RequestContext): Promise<CatalogLease> {
    const model = this.getModel();
    const visible = await this.visibilityOf(ctx, model);
    let entry: Entry;
    try {
      entry = await this.entry(model, visible);
    } catch (error) {
      // A model the catalog cannot represent: keep serving this caller's tables of an earlier version.
      const previous = this.latestReady(visible.key);
      if (!previous) throw error;
      this.onError(error);
      entry = previous;
    }
    entry.users++;
    entry.lastUsed = ++this.clock;
    this.prune();
    let released = false;
    return {
      catalog: entry,
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        this.prune();
      },
    };
  }

  private entry(model: SemanticModel, visible: MemberVisibilityMask): Promise<Entry> {
    const id = entryId(model.version, visible.key);
    const known = this.ready.get(id);
    if (known) return Promise.resolve(known);
    let pending = this.building.get(id);
    if (!pending) {
      pending = buildEntry(model, visible).then((entry) => {
        if (this.closed) {
          void entry.catalog.close().catch(this.onError);
          throw new Error('the SQL API is shutting down');
        }
        this.building.delete(id);
        this.ready.set(id, entry);
        return entry;
      });
      this.building.set(id, pending);
    }
    return pending;
  }

  private latestReady(visibilityKey: string): Entry | undefined {
    let latest: Entry | undefined;
    for (const e of this.ready.values()) if (e.visibilityKey === visibilityKey && (!latest || e.lastUsed > latest.lastUsed)) latest = e;
    return latest;
  }

  /**
   * Closes idle catalogs nobody will get again: those of an older model version once the current
   * version has one for the same rights, and the least recently used past MAX_IDLE_CATALOGS.
   */
  private prune(): void {
    const current = this.getModel().version;
    for (const id of this.building.keys()) if (!id.startsWith(`${current}\u0000`)) this.building.delete(id);
    const idle = [...this.ready.values()].filter((e) => e.users === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    let excess = idle.length - MAX_IDLE_CATALOGS;
    for (const e of idle) {
      const superseded = e.version !== current && this.ready.has(entryId(current, e.visibilityKey));
      if (superseded || excess > 0) {
        this.discard(e);
        excess--;
      }
    }
  }

  private discard(entry: Entry): void {
    this.ready.delete(entry.id);
    void entry.catalog.close().catch(this.onError);
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.ready.values()];
    this.ready.clear();
    await Promise.all(entries.map((e) => e.catalog.close()));
  }
}
