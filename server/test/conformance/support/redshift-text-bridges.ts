/**
 * The two Redshift forms Postgres cannot parse, each with its Postgres twin, applied to the text of
 * a statement before it reaches the stand-in server (support/redshift-stand-in.ts) or Postgres's
 * grammar (golden-sql.test.ts). Everything else the Redshift dialect emits is sent unchanged.
 * - `DATEADD(<part>, n, ts)` names its date part as a bare keyword, which a Postgres function
 *   cannot take: the part is quoted for the stand-in's `dateadd(text, bigint, timestamp)`.
 * - `APPROXIMATE COUNT(DISTINCT x)` (HyperLogLog) becomes the exact `count(DISTINCT x)`.
 */
export const TEXT_BRIDGES: readonly { readonly name: string; readonly pattern: RegExp; readonly replacement: string }[] = [
  { name: 'DATEADD date part keyword', pattern: /\bDATEADD\((year|month|day|hour|minute|second), /g, replacement: "DATEADD('$1', " },
  { name: 'APPROXIMATE COUNT(DISTINCT)', pattern: /\bAPPROXIMATE COUNT\(DISTINCT /g, replacement: 'count(DISTINCT ' },
];

/** Counts of statements each text bridge changed, for a suite's report. */
export const bridgeUse = new Map<string, number>();

/** The statement with every bridge applied. */
export function bridgeSql(sql: string): string {
  let out = sql;
  for (const bridge of TEXT_BRIDGES) {
    const next = out.replace(bridge.pattern, bridge.replacement);
    if (next !== out) bridgeUse.set(bridge.name, (bridgeUse.get(bridge.name) ?? 0) + 1);
    out = next;
  }
  return out;
}
