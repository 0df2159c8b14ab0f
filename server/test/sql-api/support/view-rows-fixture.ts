/**
 * A view whose rows are not what its count measure counts, as in the repository's `vendas`: sale
 * lines and refund lines side by side, a `count` that counts sale lines only, an additive `liquido`
 * over every line (refunds negative), a channel dimension joined many-to-one, one channel with
 * refund lines only, and a role whose access policy excludes a member. The rows `SELECT * FROM
 * vendas` lists are the lines joined to their channel; the suites' expected answers are
 * hand-written SQL over `main.linhas` and `main.canal` (`stack.hand`), never the translator's.
 */
import pg from 'pg';
import { startStack, type Stack } from '../../support/stack.ts';

export const VIEW_ROWS_SQL = `
CREATE TABLE main.canal (canal_id INTEGER, nome VARCHAR);
INSERT INTO main.canal VALUES (1, 'site'), (2, 'app'), (3, 'loja'), (4, 'marketplace');
CREATE TABLE main.linhas (id VARCHAR, tipo_linha VARCHAR, pedido_id VARCHAR, canal_id INTEGER, cliente_nome VARCHAR, valor DECIMAL(12,2));
INSERT INTO main.linhas VALUES
  ('v1', 'venda', 'p1', 1, 'Ana', 100), ('v2', 'venda', 'p1', 1, 'Ana', 50), ('d1', 'devolucao', 'p1', 1, 'Ana', -20),
  ('v3', 'venda', 'p2', 2, 'Bia', 30), ('v4', 'venda', 'p4', 2, NULL, 20), ('d2', 'devolucao', 'p4', 2, NULL, -5),
  ('v5', 'venda', 'p3', 3, 'Caio', 400), ('d3', 'devolucao', 'p3', 3, 'Caio', -400), ('v6', 'venda', 'p5', 3, 'Caio', 12.5),
  ('d4', 'devolucao', 'p6', 4, 'Eva', -7);
`;

/** The view's rows as `SELECT * FROM vendas` lists them, for hand-written expected answers. */
export const VIEW_ROWS = '(SELECT l.*, c.nome AS canal_nome FROM main.linhas l LEFT JOIN main.canal c USING (canal_id))';

export const VIEW_ROWS_MODEL = `
cubes:
  - name: linhas
    sql_table: main.linhas
    joins:
      - name: canal
        relationship: many_to_one
        sql: "{CUBE}.canal_id = {canal}.canal_id"
    dimensions:
      - { name: id, sql: id, type: string, primary_key: true, public: true }
      - { name: tipo_linha, sql: tipo_linha, type: string }
      - { name: pedido_id, sql: pedido_id, type: string }
      - { name: cliente_nome, sql: cliente_nome, type: string }
      - { name: canal_id, sql: canal_id, type: number, public: false }
    measures:
      - name: count
        type: count
        filters:
          - sql: "{CUBE}.tipo_linha = 'venda'"
      - { name: liquido, sql: valor, type: sum }
  - name: canal
    sql_table: main.canal
    dimensions:
      - { name: canal_id, sql: canal_id, type: number, primary_key: true }
      - { name: nome, sql: nome, type: string }
views:
  - name: vendas
    cubes:
      - join_path: linhas
        includes: [count, liquido, id, tipo_linha, pedido_id, cliente_nome]
      - join_path: linhas.canal
        prefix: true
        alias: canal
        includes: [nome]
    access_policy:
      - group: internal
      - group: gerente
        member_level:
          excludes: [cliente_nome]
`;

export interface ViewRowsWorld {
  readonly stack: Stack;
  /** Hand-written SQL over the source tables: the independent answer. */
  hand(sql: string): Promise<Record<string, unknown>[]>;
  /** A `pg` client of the SQL API that keeps every value as the server's text: `bi` (internal) or `gerente`. */
  connect(user?: 'bi' | 'gerente'): Promise<pg.Client>;
  close(): Promise<void>;
}

const USERS = {
  bi: { password: 'bi-password', securityContext: { groups: ['internal'] } },
  gerente: { password: 'gerente-password', securityContext: { groups: ['gerente'] } },
};

export async function startViewRowsWorld(): Promise<ViewRowsWorld> {
  const stack = await startStack({
    data: { sql: VIEW_ROWS_SQL },
    model: { files: { 'vendas.yml': VIEW_ROWS_MODEL } },
    serve: { sql: { users: USERS, onInternalError: () => {} } },
  });
  const clients: pg.Client[] = [];
  return {
    stack,
    hand: (sql) => stack.hand(sql),
    async connect(user = 'bi') {
      const client = new pg.Client({ host: '127.0.0.1', port: stack.sqlPort, user, password: USERS[user].password, database: 'db', types: { getTypeParser: () => (v: string) => v } });
      await client.connect();
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await stack.close();
    },
  };
}

/** Hand-written rows as arrays of text (NULL as null), in column order: the form `run` answers in. */
export function asText(rows: readonly Record<string, unknown>[]): (string | null)[][] {
  return rows.map((r) => Object.values(r).map((v) => (v === null || v === undefined ? null : String(v))));
}
