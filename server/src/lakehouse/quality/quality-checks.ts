import type { QualityLayer, TableChecks } from './quality-types.ts';

// Declared checks per layer. Bronze is raw and dirty by design (duplicates, negative quantities),
// so it is only checked for lineage; silver for clean keys; gold for the star schema's contract
// (notebooks/sql/README.md): keys, referential integrity fact → every dimension, accepted values.

const LINEAGE = ['_ingested_at', '_source', '_batch_id'];

const BRONZE: TableChecks[] = [
  ['erp_orders', 'order_id'], ['erp_order_lines', 'order_id'], ['pos_store_sales', 'receipt_id'],
  ['crm_customers', 'customer_id'], ['products', 'product_id'], ['stores', 'store_id'],
  ['campaigns', 'campaign_id'], ['order_status', 'order_id'], ['returns', 'return_id'],
].map(([table, key]) => ({ table: `bronze.${table}`, key: key!, notNull: LINEAGE }));

const SILVER: TableChecks[] = [
  { table: 'silver.customer_versions', key: 'customer_id', notNull: ['customer_id', 'version_date', 'updated_at'], unique: [['customer_id', 'version_date']] },
  { table: 'silver.products', key: 'product_id', notNull: ['product_id'], unique: [['product_id']] },
  { table: 'silver.stores', key: 'store_id', notNull: ['store_id'], unique: [['store_id']] },
  { table: 'silver.campaigns', key: 'campaign_id', notNull: ['campaign_id'], unique: [['campaign_id']] },
  { table: 'silver.orders', key: 'order_id', notNull: ['order_id'], unique: [['order_id']] },
  {
    table: 'silver.order_lines', key: "order_id || ':' || CAST(line_no AS VARCHAR)",
    notNull: ['order_id', 'line_no', 'is_valid'], unique: [['order_id', 'line_no']],
    rules: [{ name: 'invalid lines carry a reason', condition: 'is_valid OR invalid_reason IS NOT NULL' }],
  },
  {
    table: 'silver.store_sales', key: "receipt_id || ':' || CAST(line_no AS VARCHAR)",
    notNull: ['receipt_id', 'line_no', 'is_valid'], unique: [['receipt_id', 'line_no']],
    rules: [{ name: 'invalid lines carry a reason', condition: 'is_valid OR invalid_reason IS NOT NULL' }],
  },
  { table: 'silver.order_status', key: 'order_id', notNull: ['order_id', 'status'], unique: [['order_id']] },
  { table: 'silver.returns', key: 'return_id', notNull: ['return_id'], unique: [['return_id']], acceptedValues: [{ column: 'source_system', values: ['erp', 'pos'] }] },
  {
    table: 'silver.sales_orders', key: "origin || ':' || order_id", notNull: ['origin', 'order_id', 'is_valid'],
    unique: [['origin', 'order_id']], acceptedValues: [{ column: 'origin', values: ['erp', 'pos'] }],
  },
];

/** Every dimension carries the "not identified" member 0 that facts point at. */
function hasUnknownMember(table: string, sk: string): { name: string; sql: string } {
  return { name: `has member ${sk} = 0`, sql: `SELECT '${table} has no row ${sk} = 0' AS sample WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${sk} = 0)` };
}

const DIMENSION_REFERENCES = [
  { column: 'cliente_sk', table: 'gold.dim_cliente', refColumn: 'cliente_sk' },
  { column: 'produto_sk', table: 'gold.dim_produto', refColumn: 'produto_sk' },
  { column: 'loja_sk', table: 'gold.dim_loja', refColumn: 'loja_sk' },
  { column: 'canal_sk', table: 'gold.dim_canal', refColumn: 'canal_sk' },
];

const GOLD: TableChecks[] = [
  { table: 'gold.dim_tempo', key: 'data_sk', notNull: ['data_sk', 'data', 'ano', 'mes', 'dia', 'dia_semana'], unique: [['data_sk'], ['data']] },
  {
    table: 'gold.dim_canal', key: 'canal_id', notNull: ['canal_sk', 'canal_id'], unique: [['canal_sk'], ['canal_id']],
    acceptedValues: [{ column: 'tipo', values: ['online', 'fisico', 'nao_identificado'] }], queries: [hasUnknownMember('gold.dim_canal', 'canal_sk')],
  },
  {
    table: 'gold.dim_loja', key: 'loja_id', notNull: ['loja_sk', 'loja_id'], unique: [['loja_sk'], ['loja_id']],
    acceptedValues: [{ column: 'tipo', values: ['fisica', 'online', 'nao_identificado'] }], queries: [hasUnknownMember('gold.dim_loja', 'loja_sk')],
  },
  { table: 'gold.dim_produto', key: 'produto_id', notNull: ['produto_sk', 'produto_id'], unique: [['produto_sk'], ['produto_id']], queries: [hasUnknownMember('gold.dim_produto', 'produto_sk')] },
  { table: 'gold.dim_campanha', key: 'campanha_id', notNull: ['campanha_sk', 'campanha_id'], unique: [['campanha_sk'], ['campanha_id']], queries: [hasUnknownMember('gold.dim_campanha', 'campanha_sk')] },
  {
    table: 'gold.dim_cliente', key: "cliente_id || ' v' || CAST(versao AS VARCHAR)",
    notNull: ['cliente_sk', 'cliente_id', 'valido_de', 'is_atual', 'versao'], unique: [['cliente_sk'], ['cliente_id', 'versao']],
    rules: [
      { name: 'is_atual exactly when valido_ate is null', condition: 'is_atual = (valido_ate IS NULL)' },
      { name: 'valido_de before valido_ate', condition: 'valido_ate IS NULL OR valido_de < valido_ate' },
    ],
    queries: [
      hasUnknownMember('gold.dim_cliente', 'cliente_sk'),
      {
        name: 'one current version per customer',
        sql: `SELECT cliente_id || ': ' || CAST(count_if(is_atual) AS VARCHAR) || ' current versions' AS sample
              FROM gold.dim_cliente GROUP BY cliente_id HAVING count_if(is_atual) <> 1`,
      },
    ],
  },
  {
    table: 'gold.fato_vendas', key: 'venda_id',
    notNull: ['venda_id', 'pedido_id', 'origem', 'data_sk', 'data_venda', 'cliente_sk', 'produto_sk', 'loja_sk', 'canal_sk', 'campanha_sk',
      'quantidade', 'preco_unitario', 'valor_bruto', 'desconto_total', 'valor_liquido', 'is_cancelado', 'is_primeiro_pedido', 'tipo_cliente'],
    unique: [['venda_id']],
    references: [
      { column: 'data_sk', table: 'gold.dim_tempo', refColumn: 'data_sk' }, ...DIMENSION_REFERENCES,
      { column: 'campanha_sk', table: 'gold.dim_campanha', refColumn: 'campanha_sk' },
    ],
    acceptedValues: [
      { column: 'origem', values: ['erp', 'pos'] },
      { column: 'tipo_cliente', values: ['novo', 'recorrente', 'nao_identificado', 'sem_historico'] },
    ],
    // Every other check passes on an empty table: a build from partial sources must not look healthy.
    queries: [{ name: 'has rows', sql: "SELECT 'gold.fato_vendas has no rows' AS sample WHERE NOT EXISTS (SELECT 1 FROM gold.fato_vendas)" }],
    rules: [
      { name: 'quantidade > 0', condition: 'quantidade > 0' },
      { name: 'valor_bruto = preco_unitario × quantidade', condition: 'valor_bruto = preco_unitario * quantidade' },
      { name: 'desconto_total = desconto_linha + desconto_pedido_rateado', condition: 'desconto_total = desconto_linha + desconto_pedido_rateado' },
      { name: 'valor_liquido = valor_bruto − desconto_total', condition: 'valor_liquido = valor_bruto - desconto_total' },
    ],
  },
  {
    table: 'gold.fato_devolucoes', key: 'devolucao_id',
    notNull: ['devolucao_id', 'venda_id', 'data_devolucao_sk', 'data_devolucao', 'quantidade', 'valor_devolvido'], unique: [['devolucao_id']],
    references: [
      { column: 'venda_id', table: 'gold.fato_vendas', refColumn: 'venda_id' },
      { column: 'data_devolucao_sk', table: 'gold.dim_tempo', refColumn: 'data_sk' }, ...DIMENSION_REFERENCES,
    ],
  },
];

/** The declared checks of each layer, in the order they run and report. */
export const QUALITY_CHECKS: Readonly<Record<QualityLayer, readonly TableChecks[]>> = { bronze: BRONZE, silver: SILVER, gold: GOLD };
