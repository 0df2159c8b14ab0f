/**
 * Where the time of the last Run went: the engine's stages as the server measured them (dev mode
 * adds `annotation.timings` to `/load` answers; a stage that did not run, e.g. planning on a
 * compile-cache hit, is absent), each request as the browser saw it (wait for the server,
 * download, every "Continue wait" retry, rendering), and which rollup answered
 * (`usedPreAggregations` of `/load`) with the data's last refresh time.
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
      <ServerStages timings={outcome.result?.annotation.timings} />
      <h4>In the browser</h4>
      <table data-testid="browser-timings">
        <thead>
          <tr>
            <th>Request</th>
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

/** The engine's stages, in the order they run. */
const STAGES = ['rewrite', 'normalize', 'plan', 'authorize', 'choose-source', 'lower', 'execute', 'shape'];

function ServerStages({ timings }: { timings?: Readonly<Record<string, number>> }) {
  if (!timings) return <p className="note">The server reports its stage timings in dev mode only.</p>;
  const stages = [...STAGES.filter((s) => s in timings), ...Object.keys(timings).filter((s) => !STAGES.includes(s))];
  const total = stages.reduce((sum, s) => sum + (timings[s] ?? 0), 0);
  return (
    <>
      <h4>On the server (engine stages)</h4>
      <table data-testid="server-timings">
        <thead>
          <tr>
            <th>Stage</th>
            <th className="num">Time</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {stages.map((s) => (
            <tr key={s}>
              <td>{s}</td>
              <td className="num">{ms(timings[s]!)}</td>
              <td>
                <div className="bar" style={{ width: `${total > 0 ? Math.max(1, (200 * timings[s]!) / total) : 1}px` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
