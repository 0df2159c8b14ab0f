/**
 * Where the time of the last Run went, per stage as the browser saw it (each request's wait for
 * the server and its download, every "Continue wait" retry, and rendering), and which rollup
 * answered (`usedPreAggregations` of `/load`) with the data's last refresh time.
 */
import type { RunOutcome } from './query-workbench.tsx';

const ms = (n: number): string => `${n.toFixed(1)} ms`;

export function TimingsPanel({ outcome }: { outcome: RunOutcome }) {
  const used = Object.entries(outcome.result?.usedPreAggregations ?? {});
  return (
    <div data-testid="timings">
      <p data-testid="served-by">
        {outcome.result ? (
          used.length ? (
            <>
              Answered from rollup{' '}
              {used.map(([name, info]) => (
                <code key={name}>
                  {name} ({info.targetTableName})
                </code>
              ))}
            </>
          ) : (
            'Answered from the source tables (no rollup).'
          )
        ) : (
          'No result.'
        )}
        {outcome.result?.lastRefreshTime && <> · data as of {outcome.result.lastRefreshTime}</>}
      </p>
      <table>
        <thead>
          <tr>
            <th>Stage</th>
            <th className="num">Waiting for the server</th>
            <th className="num">Download + parse</th>
            <th className="num">Total</th>
            <th>HTTP</th>
          </tr>
        </thead>
        <tbody>
          {outcome.timings.map((t, i) => (
            <tr key={i}>
              <td>{t.label}</td>
              <td className="num">{ms(t.waitMs)}</td>
              <td className="num">{ms(t.readMs)}</td>
              <td className="num">{ms(t.totalMs)}</td>
              <td>{t.status}</td>
            </tr>
          ))}
          {outcome.renderMs !== undefined && (
            <tr>
              <td>render</td>
              <td />
              <td />
              <td className="num">{ms(outcome.renderMs)}</td>
              <td />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
