/** The rows of `/load` as a table: values exactly as the API returned them (strings for decimals). */
import type { LoadResult } from '../api/rest-client.ts';
import type { CubeQuery } from '../query/query-types.ts';
import { resultColumns } from './result-columns.ts';

export function ResultsTable({ result }: { result?: LoadResult; query: CubeQuery }) {
  if (!result) return <p className="note">No result.</p>;
  const columns = resultColumns(result);
  return (
    <div className="table-wrap">
      <p className="note" data-testid="row-count">
        {result.data.length} row(s)
      </p>
      <table data-testid="results-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} data-member={c.key} title={c.key} className={c.kind === 'measure' ? 'num' : ''}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.data.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c.key} className={c.kind === 'measure' ? 'num' : ''}>
                  {row[c.key] === null || row[c.key] === undefined ? '∅' : String(row[c.key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
