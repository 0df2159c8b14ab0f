/**
 * The security suites' fixture data: the hand-built gold star schema (`engine/gold-fixture.ts`) in
 * a DuckDB file, the callers of the repository's shipped access policies, the HS256 secret the
 * stack is started with (support/stack.ts: `security: { secret: SECRET }`), and helpers to sign
 * tokens and to read the gold tables directly — the independent side of every comparison.
 */
import path from 'node:path';
import { SignJWT } from 'jose';
import { writeGoldDatabaseFile } from '../../engine/gold-fixture.ts';
import { queryDuckDb } from '../../support/stack.ts';

export const MODEL_DIR = path.resolve(import.meta.dirname, '../../../../model');
export const SECRET = 'security-suite-secret-0123456789abcdef';

/** Security contexts of the shipped policy: a store manager, a marketing analyst, an outsider, the internal team, no group. */
export const CONTEXTS = {
  managerL002: { sub: 'gerente-recife', groups: ['gerente_loja'], lojas: ['L002'] },
  managerL001: { sub: 'gerente-paulista', groups: ['gerente_loja'], lojas: ['L001'] },
  marketing: { sub: 'ana-mkt', groups: ['analista_marketing'] },
  outsider: { sub: 'fornecedor', groups: ['fornecedor'] },
  internal: { sub: 'bi-interno', groups: ['internal'] },
  groupless: { sub: 'bi-interno' },
} as const;

/** Gold tables and their row counts: checked before and after every hostile input. */
export const GOLD_TABLES = ['fato_vendas', 'fato_devolucoes', 'dim_loja', 'dim_cliente', 'dim_produto', 'dim_canal', 'dim_campanha', 'dim_tempo'];

export async function goldDatabaseFile(): Promise<string> {
  return (await writeGoldDatabaseFile('security-gold-')).file;
}

/** Runs hand-written SQL on the gold file through DuckDB's instance cache (the server's driver may hold it open). */
export const queryGold = queryDuckDb;

export async function goldRowCounts(file: string): Promise<Record<string, number>> {
  const rows = await queryGold(file, GOLD_TABLES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM gold.${t}`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [String(r.t), Number(r.n)]));
}

export async function sign(claims: Record<string, unknown>, edit?: (jwt: SignJWT) => SignJWT, secret = SECRET): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m');
  if (edit) jwt = edit(jwt);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** Sorted rows as comparable strings: row sets are compared, not orders. */
export function rowSet(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((r) => JSON.stringify(r.map((v) => (v === null || v === undefined ? null : typeof v === 'number' ? v : String(v))))).sort();
}
