/**
 * The tables and catalog database of one model version, kept in step with model hot reload: a new
 * connection gets the catalog of the current model (built on first use after a change — PGlite
 * starts in a few seconds); open connections keep theirs, and a replaced catalog closes when its
 * last connection ends.
 */
import type { SemanticModel } from '../../../model/model-types.ts';
import { CatalogDatabase } from './catalog-database.ts';
import { buildModelTables, type ModelTable } from './model-tables.ts';

/** What a connection reads: the model's tables by name and their catalog database. */
export interface ModelCatalog {
  readonly version: string;
  readonly catalog: CatalogDatabase;
  findTable(schema: string | undefined, name: string): ModelTable | undefined;
}

interface Entry extends ModelCatalog {
  users: number;
  retired: boolean;
}

async function buildEntry(model: SemanticModel): Promise<Entry> {
  const tables = buildModelTables(model);
  const byName = new Map<string, ModelTable>();
  for (const t of tables.values()) byName.set(t.name.toLowerCase(), t);
  const catalog = await CatalogDatabase.create(tables.values());
  return {
    version: model.version,
    catalog,
    findTable: (schema, name) => (schema && schema.toLowerCase() !== 'public' ? undefined : byName.get(name.toLowerCase())),
    users: 0,
    retired: false,
  };
}

export class ModelCatalogs {
  private pending?: { version: string; entry: Promise<Entry> };

  private constructor(
    private readonly getModel: () => SemanticModel,
    private active: Entry,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async create(getModel: () => SemanticModel, onError: (error: unknown) => void): Promise<ModelCatalogs> {
    return new ModelCatalogs(getModel, await buildEntry(getModel()), onError);
  }

  /** The current model's catalog for a new connection; call `release` when the connection ends. */
  async acquire(): Promise<{ catalog: ModelCatalog; release: () => void }> {
    const entry = await this.current();
    entry.users++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.users--;
      if (entry.retired && entry.users === 0) void entry.catalog.close().catch(this.onError);
    };
    return { catalog: entry, release };
  }

  private async current(): Promise<Entry> {
    const model = this.getModel();
    if (model.version === this.active.version) return this.active;
    if (this.pending?.version !== model.version) this.pending = { version: model.version, entry: buildEntry(model) };
    const pending = this.pending;
    try {
      const next = await pending.entry;
      if (this.active !== next && this.active.version !== next.version) this.retire(next);
      return this.active;
    } catch (error) {
      // A model the catalog cannot represent: keep serving the previous tables.
      this.onError(error);
      if (this.pending === pending) this.pending = undefined;
      return this.active;
    }
  }

  private retire(next: Entry): void {
    const old = this.active;
    this.active = next;
    old.retired = true;
    if (old.users === 0) void old.catalog.close().catch(this.onError);
  }

  async close(): Promise<void> {
    this.active.retired = true;
    await this.active.catalog.close();
  }
}
