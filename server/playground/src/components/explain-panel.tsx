/**
 * `/explain` for the last Run: which pre-aggregation serves the query (or none), every candidate
 * with its reasons, and a suggested rollup in YAML when none serves. A server without the
 * endpoint (404) is said so, not treated as an error.
 */
import type { RunOutcome } from './query-workbench.tsx';

export function ExplainPanel({ outcome }: { outcome: RunOutcome }) {
  if (outcome.explainError) return <p className="error">{outcome.explainError}</p>;
  const e = outcome.explain;
  if (!e) return <p className="note">…</p>;
  if (e === 'unavailable') return <p className="note" data-testid="explain-unavailable">This server has no /explain endpoint.</p>;
  return (
    <div data-testid="explain">
      <p data-testid="explain-served-by">
        {e.servedBy ? (
          <>
            Served by <code>{e.servedBy.preAggregation}</code> ({e.servedBy.type}
            {e.servedBy.tableName ? `, table ${e.servedBy.tableName}` : ''}
            {e.servedBy.partitions?.length ? `, ${e.servedBy.partitions.length} partition(s)` : ''})
          </>
        ) : (
          'No pre-aggregation serves this query: it runs on the source tables.'
        )}
      </p>
      {e.candidates.length > 0 && (
        <table data-testid="explain-candidates">
          <thead>
            <tr>
              <th>Pre-aggregation</th>
              <th>Serves?</th>
              <th>Why not</th>
            </tr>
          </thead>
          <tbody>
            {e.candidates.map((c) => (
              <tr key={c.preAggregation}>
                <td>
                  <code>{c.preAggregation}</code>
                </td>
                <td>{c.served ? 'yes' : 'no'}</td>
                <td>
                  <ul>
                    {c.reasons.map((r, i) => (
                      <li key={i}>
                        <code>{r.code}</code> {r.message}
                        {r.member ? <em> ({r.member})</em> : null}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {e.suggestion && (
        <div data-testid="explain-suggestion">
          <p>
            Suggested rollup for cube <code>{e.suggestion.cube}</code>:
          </p>
          <pre>{e.suggestion.yaml}</pre>
        </div>
      )}
    </div>
  );
}
