import { afterEach, describe, expect, it } from 'vitest';
import { compileModel } from '../../../model/compile-model.ts';
import type { SemanticModel } from '../../../model/model-types.ts';
import type { RequestContext } from '../../../engine/engine-types.ts';
import { ModelCatalogs, type VisibilityOf } from './model-catalogs.ts';

const ORDERS = `cubes:
  - name: orders
    sql_table: orders
    measures:
      - { name: count, type: count }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: city, sql: city, type: string }
      - { name: email, sql: email, type: string }
`;
const ctx = (role: string): RequestContext => ({ securityContext: { role }, requestId: role, api: 'sql' });
/** A stand-in for the engine's access policies: role `restricted` may not see orders.email. */
const visibilityOf: VisibilityOf = async (c) =>
  c.securityContext.role === 'restricted' ? { key: 'no-email', isVisible: (path) => path !== 'orders.email' } : { key: '*', isVisible: () => true };

/** Whether the catalog knows a column: Describe of a SELECT of it succeeds or fails as Postgres says. */
async function hasColumn(catalogs: ModelCatalogs, role: string, column: string): Promise<boolean> {
  const lease = await catalogs.acquire(ctx(role));
  try {
    return await lease.catalog.catalog.describe(`SELECT ${column} FROM orders`, []).then(
      () => true,
      (e: { fields?: { C?: string } }) => (e.fields?.C === '42703' ? false : Promise.reject(e)),
    );
  } finally {
    lease.release();
  }
}

let open: ModelCatalogs | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('ModelCatalogs', () => {
  it('gives each set of visible members its own catalog, shared by callers with the same rights', async () => {
    const model = compileModel([{ path: 'orders.yml', content: ORDERS }]);
    const catalogs = (open = await ModelCatalogs.create(() => model, visibilityOf, (e) => expect.fail(String(e))));
    expect(await hasColumn(catalogs, 'admin', 'email')).toBe(true);
    expect(await hasColumn(catalogs, 'restricted', 'email')).toBe(false);
    expect(await hasColumn(catalogs, 'restricted', 'city')).toBe(true);
    const [a, b, full] = await Promise.all([catalogs.acquire(ctx('restricted')), catalogs.acquire(ctx('restricted')), catalogs.acquire(ctx('admin'))]);
    expect(a.catalog.catalog).toBe(b.catalog.catalog);
    expect(a.catalog.catalog).not.toBe(full.catalog.catalog);
    // Queries translate against the whole model, so a hidden member reaches the engine and is refused there by name.
    expect(a.catalog.findTable(undefined, 'orders')?.byName.has('email')).toBe(true);
    for (const lease of [a, b, full]) lease.release();
  }, 60_000);

  it('serves the new model to new connections after a reload and closes the old catalog when its last user leaves', async () => {
    let model: SemanticModel = compileModel([{ path: 'orders.yml', content: ORDERS }]);
    const catalogs = (open = await ModelCatalogs.create(() => model, visibilityOf, (e) => expect.fail(String(e))));
    const before = await catalogs.acquire(ctx('restricted'));
    model = compileModel([{ path: 'orders.yml', content: ORDERS.replace('name: city', 'name: town') }]);
    const after = await catalogs.acquire(ctx('restricted'));
    expect(after.catalog.version).not.toBe(before.catalog.version);
    expect(after.catalog.findTable(undefined, 'orders')?.byName.has('town')).toBe(true);
    // The open connection keeps its catalog until it ends.
    await expect(before.catalog.catalog.describe('SELECT city FROM orders', [])).resolves.toBeDefined();
    before.release();
    // Closing runs in the background: wait (up to 20 s on a loaded machine) until the old catalog refuses work.
    const closed = async (): Promise<boolean> => before.catalog.catalog.describe('SELECT city FROM orders', []).then(() => false, () => true);
    for (let waited = 0; !(await closed()) && waited < 20_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await closed()).toBe(true);
    after.release();
  }, 60_000);
});
