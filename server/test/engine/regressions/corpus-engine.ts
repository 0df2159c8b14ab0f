/**
 * A stack on Cube's corpus data (support/stack.ts, `data: 'corpus'`) seen as a hand-made engine,
 * plus a runner for hand-written SQL on the same database: the independent side of each regression test.
 */
import { overStack, type HandMadeEngine } from '../../support/hand-made-engine.ts';
import { startStack } from '../../support/stack.ts';

export { ctx, rowsOf } from '../../support/hand-made-engine.ts';
export type CorpusEngine = HandMadeEngine;

export async function startCorpusEngine(): Promise<CorpusEngine> {
  return overStack(await startStack({ data: 'corpus' }));
}

/** Values compared as Cube's corpus says: numbers numerically (to 6 decimals), the rest as is. */
export function comparable(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.keys(row)
        .sort()
        .map((k) => {
          const v = row[k];
          const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
          return [k, n === undefined ? (v ?? null) : Number(n.toFixed(6))];
        }),
    ),
  );
}
