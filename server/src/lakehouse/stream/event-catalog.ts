import type { DuckDBConnection } from '@duckdb/node-api';

/** A campaign as the site sees it: the UTM tags on its links. */
export interface CatalogCampaign {
  readonly utm_source: string;
  readonly utm_medium: string;
  readonly utm_campaign: string;
}

/**
 * The ids the producer draws from. When the batch sample data exists its campaigns, products and
 * customers are used, so events join the same dimensions as sales; otherwise a built-in catalog
 * with ids in the same shape (P000001, C0000001, as server/src/lakehouse/datagen writes them) is used.
 */
export interface EventCatalog {
  readonly campaigns: readonly CatalogCampaign[];
  readonly products: readonly { readonly product_id: string; readonly price: number }[];
  readonly customerIds: readonly string[];
}

/** A small self-contained catalog for when no lakehouse sample data is present. */
export function defaultEventCatalog(): EventCatalog {
  const campaigns: CatalogCampaign[] = [
    { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'black_friday' },
    { utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: 'verao_moda' },
    { utm_source: 'instagram', utm_medium: 'paid_social', utm_campaign: 'lancamento_tenis' },
    { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'clientes_vip' },
    { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'marca_institucional' },
    { utm_source: 'tiktok', utm_medium: 'paid_social', utm_campaign: 'dia_das_maes' },
  ];
  const products = Array.from({ length: 200 }, (_, i) => ({
    product_id: `P${String(i + 1).padStart(6, '0')}`,
    price: Math.round((19.9 + ((i * 37) % 480) + (i % 7) * 0.1) * 100) / 100,
  }));
  const customerIds = Array.from({ length: 2_000 }, (_, i) => `C${String(i + 1).padStart(7, '0')}`);
  return { campaigns, products, customerIds };
}

/**
 * Reads campaigns, products and customers from the lakehouse bronze tables (the batch sample
 * data), falling back to the built-in catalog for any table that is missing or empty.
 */
export async function loadEventCatalog(connection: DuckDBConnection): Promise<EventCatalog> {
  const fallback = defaultEventCatalog();
  const campaigns = await tryRows(
    connection,
    `SELECT DISTINCT utm_source, utm_medium, utm_campaign FROM bronze.campaigns
     WHERE utm_source IS NOT NULL AND utm_medium IS NOT NULL AND utm_campaign IS NOT NULL`,
  );
  const products = await tryRows(
    connection,
    `SELECT product_id, CAST(max(list_price) AS DOUBLE) AS price FROM bronze.products
     WHERE product_id IS NOT NULL AND list_price IS NOT NULL GROUP BY product_id ORDER BY product_id LIMIT 5000`,
  );
  const customers = await tryRows(connection, `SELECT DISTINCT customer_id FROM bronze.crm_customers WHERE customer_id IS NOT NULL ORDER BY 1 LIMIT 20000`);
  return {
    campaigns: campaigns.length ? (campaigns as unknown as CatalogCampaign[]) : fallback.campaigns,
    products: products.length ? products.map((p) => ({ product_id: String(p.product_id), price: Number(p.price) })) : fallback.products,
    customerIds: customers.length ? customers.map((c) => String(c.customer_id)) : fallback.customerIds,
  };
}

async function tryRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } catch {
    // The batch tables are optional for streaming: a missing table means "use the built-in catalog".
    return [];
  }
}
