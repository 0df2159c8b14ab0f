/**
 * The pre-aggregations page: every rollup with its state, last build, rows, build range,
 * partitions (range, build time, rows), partitions not built and last error, from
 * `GET /pre-aggregations`; a rollup or one partition is rebuilt through Cube's jobs protocol and
 * the page follows the job until it is done, then reloads the status.
 */
import { Fragment, useCallback, useEffect, useState } from 'react';
import { buildJobStatus, postBuildJob, preAggregationStatus, type RollupStatus } from '../api/rest-client.ts';

const JOB_POLL_MS = 500;

export function PreAggregationsPage() {
  const [rollups, setRollups] = useState<readonly RollupStatus[]>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [jobs, setJobs] = useState<Record<string, string>>({});

  const reload = useCallback(async () => {
    try {
      setRollups(await preAggregationStatus());
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => void reload(), [reload]);

  const rebuild = async (id: string, partition?: string): Promise<void> => {
    const key = partition === undefined ? id : `${id}/${partition}`;
    setJobs((j) => ({ ...j, [key]: 'starting' }));
    try {
      const tokens = await postBuildJob({ preAggregations: [id], ...(partition !== undefined ? { partitions: [partition] } : {}) });
      for (;;) {
        const statuses = await buildJobStatus(tokens);
        const pending = statuses.some((s) => s.status === 'processing' || s.status === 'scheduled');
        const failed = statuses.find((s) => s.status.startsWith('failure') || s.status === 'missing');
        setJobs((j) => ({ ...j, [key]: failed ? failed.status : pending ? 'building…' : 'done' }));
        if (!pending) break;
        await new Promise((r) => setTimeout(r, JOB_POLL_MS));
      }
    } catch (e) {
      setJobs((j) => ({ ...j, [key]: `failure: ${(e as Error).message}` }));
    }
    await reload();
  };

  if (error) return <p className="error" data-testid="preaggs-error">{error}</p>;
  if (!rollups) return <p className="note">Loading…</p>;
  return (
    <main>
      <div className="row">
        <h3>Pre-aggregations</h3>
        <button onClick={() => void reload()} data-testid="preaggs-reload">
          Reload
        </button>
      </div>
      <table data-testid="preaggs-table">
        <thead>
          <tr>
            <th>Rollup</th>
            <th>State</th>
            <th>Last build</th>
            <th className="num">Duration</th>
            <th className="num">Rows</th>
            <th className="num">Partitions</th>
            <th>Build range</th>
            <th>Last error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rollups.map((r) => (
            <Fragment key={r.id}>
              <tr data-rollup={r.id}>
                <td>
                  <button className="cube-title" onClick={() => setOpen({ ...open, [r.id]: !open[r.id] })} data-testid={`preagg:${r.id}`}>
                    {open[r.id] ? '▾' : '▸'} {r.id}
                  </button>
                </td>
                <td>{r.state}</td>
                <td>{r.lastRefreshAt ?? ''}</td>
                <td className="num">{r.lastDurationMs !== undefined ? `${r.lastDurationMs} ms` : ''}</td>
                <td className="num">{r.rowCount}</td>
                <td className="num">
                  {r.partitions}
                  {r.missingPartitions?.length ? ` (${r.missingPartitions.length} not built)` : ''}
                </td>
                <td>{r.buildRange ? `${r.buildRange[0] ?? '…'} – ${r.buildRange[1] ?? '…'}` : ''}</td>
                <td className="error">{r.lastError ?? ''}</td>
                <td>
                  <button onClick={() => void rebuild(r.id)} data-testid={`rebuild:${r.id}`}>
                    Rebuild
                  </button>{' '}
                  <span className="note">{jobs[r.id] ?? ''}</span>
                </td>
              </tr>
              {open[r.id] && (
                <tr>
                  <td colSpan={9}>
                    <table data-testid={`partitions:${r.id}`}>
                      <thead>
                        <tr>
                          <th>Partition</th>
                          <th>From</th>
                          <th>To</th>
                          <th>Built at</th>
                          <th className="num">Rows</th>
                          <th />
                        </tr>
                      </thead>
                      <tbody>
                        {(r.partitionDetails ?? []).map((p) => (
                          <tr key={p.partition} data-partition={p.partition}>
                            <td>{p.partition || '(whole rollup)'}</td>
                            <td>{p.from ?? ''}</td>
                            <td>{p.to ?? ''}</td>
                            <td>{p.builtAt}</td>
                            <td className="num">{p.rowCount}</td>
                            <td>
                              <button onClick={() => void rebuild(r.id, p.partition)} data-testid={`rebuild:${r.id}/${p.partition}`}>
                                Rebuild
                              </button>{' '}
                              <span className="note" data-testid={`job:${r.id}/${p.partition}`}>
                                {jobs[`${r.id}/${p.partition}`] ?? ''}
                              </span>
                            </td>
                          </tr>
                        ))}
                        {(r.missingPartitions ?? []).map((p) => (
                          <tr key={`missing-${p}`} className="hidden-member">
                            <td>{p}</td>
                            <td colSpan={3}>not built</td>
                            <td />
                            <td>
                              <button onClick={() => void rebuild(r.id, p)}>Build</button> <span className="note">{jobs[`${r.id}/${p}`] ?? ''}</span>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </main>
  );
}
