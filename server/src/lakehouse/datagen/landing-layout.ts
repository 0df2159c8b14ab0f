/** One landing source: where its files live and how they are written. */
export interface LandingSource {
  /** Bronze table the source feeds (also the generator's `out_<table>` name minus prefix). */
  readonly table: string;
  /** Folder under the landing root, `<system>/<entity>`. */
  readonly folder: string;
  /** File name prefix: `<prefix>_YYYYMMDD.<ext>`. */
  readonly prefix: string;
  readonly format: 'csv' | 'json' | 'parquet';
  /** Columns in file order (the contract of notebooks/sql/README.md). */
  readonly columns: readonly (readonly [string, string])[];
  /** Columns that must be present for a record to be usable (else it goes to quarantine). */
  readonly required: readonly string[];
}

const TS = 'TIMESTAMP';
const MONEY = 'DECIMAL(18,2)';

/** The landing folder as the S3 landing bucket lays it out (notebooks/sql/README.md, "Sources"). */
export const LANDING_SOURCES: readonly LandingSource[] = [
  {
    table: 'erp_orders', folder: 'erp/orders', prefix: 'orders', format: 'csv', required: ['order_id'],
    columns: [['order_id', 'VARCHAR'], ['customer_id', 'VARCHAR'], ['channel', 'VARCHAR'], ['store_id', 'VARCHAR'], ['order_ts', TS],
      ['status', 'VARCHAR'], ['order_discount', MONEY], ['campaign_id', 'VARCHAR'], ['utm_source', 'VARCHAR'], ['utm_medium', 'VARCHAR'],
      ['utm_campaign', 'VARCHAR'], ['updated_at', TS]],
  },
  {
    table: 'erp_order_lines', folder: 'erp/order_lines', prefix: 'order_lines', format: 'csv', required: ['order_id', 'line_no'],
    columns: [['order_id', 'VARCHAR'], ['line_no', 'INTEGER'], ['product_id', 'VARCHAR'], ['quantity', 'INTEGER'], ['unit_price', MONEY],
      ['line_discount', MONEY], ['updated_at', TS]],
  },
  {
    table: 'pos_store_sales', folder: 'pos/store_sales', prefix: 'store_sales', format: 'parquet', required: ['receipt_id', 'line_no'],
    columns: [['receipt_id', 'VARCHAR'], ['line_no', 'INTEGER'], ['store_id', 'VARCHAR'], ['sold_at', TS], ['product_id', 'VARCHAR'],
      ['quantity', 'INTEGER'], ['unit_price', MONEY], ['discount', MONEY], ['customer_id', 'VARCHAR'], ['payment_method', 'VARCHAR']],
  },
  {
    table: 'crm_customers', folder: 'crm/customers', prefix: 'customers', format: 'json', required: ['customer_id'],
    columns: [['customer_id', 'VARCHAR'], ['name', 'VARCHAR'], ['email', 'VARCHAR'], ['city', 'VARCHAR'], ['state', 'VARCHAR'],
      ['segment', 'VARCHAR'], ['birth_date', 'DATE'], ['signup_date', 'DATE'], ['updated_at', TS]],
  },
  {
    table: 'products', folder: 'catalog/products', prefix: 'products', format: 'csv', required: ['product_id'],
    columns: [['product_id', 'VARCHAR'], ['name', 'VARCHAR'], ['category', 'VARCHAR'], ['subcategory', 'VARCHAR'], ['brand', 'VARCHAR'],
      ['list_price', MONEY], ['updated_at', TS]],
  },
  {
    table: 'stores', folder: 'catalog/stores', prefix: 'stores', format: 'csv', required: ['store_id'],
    columns: [['store_id', 'VARCHAR'], ['name', 'VARCHAR'], ['store_type', 'VARCHAR'], ['city', 'VARCHAR'], ['state', 'VARCHAR'],
      ['region', 'VARCHAR'], ['opened_at', 'DATE'], ['updated_at', TS]],
  },
  {
    table: 'campaigns', folder: 'marketing/campaigns', prefix: 'campaigns', format: 'csv', required: ['campaign_id'],
    columns: [['campaign_id', 'VARCHAR'], ['name', 'VARCHAR'], ['utm_source', 'VARCHAR'], ['utm_medium', 'VARCHAR'],
      ['utm_campaign', 'VARCHAR'], ['start_date', 'DATE'], ['end_date', 'DATE'], ['updated_at', TS]],
  },
];

export function fileExtension(format: LandingSource['format']): string {
  return format === 'parquet' ? 'parquet' : format;
}
