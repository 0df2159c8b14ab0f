/** The current query for the REST API, the GraphQL API and the SQL API, each with a copy button. */
import { useState } from 'react';
import { toGraphql, toRestJson, toSqlApi } from '../query/export-query.ts';
import type { IndexedMember } from '../query/member-index.ts';
import type { CubeQuery } from '../query/query-types.ts';

export function CopyPanel({ query, members }: { query: CubeQuery; members: Map<string, IndexedMember> }) {
  const [copied, setCopied] = useState<string>();
  const blocks = [
    { id: 'rest', title: 'REST JSON (/cubejs-api/v1/load)', text: toRestJson(query) },
    { id: 'graphql', title: 'GraphQL (/cubejs-api/graphql)', text: toGraphql(query, (m) => members.get(m)?.member.type) },
    { id: 'sql', title: 'SQL API (Postgres wire)', text: toSqlApi(query) },
  ];
  const copy = async (id: string, text: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(id);
    } catch {
      setCopied(`${id}: select the text and copy it (clipboard not allowed here)`);
    }
  };
  return (
    <div className="copy">
      {blocks.map((b) => (
        <div key={b.id}>
          <div className="row">
            <strong>{b.title}</strong>
            <button onClick={() => void copy(b.id, b.text)} data-testid={`copy-${b.id}`}>
              Copy
            </button>
            {copied?.startsWith(b.id) && <span className="note">{copied === b.id ? 'copied' : copied}</span>}
          </div>
          <pre data-testid={`export-${b.id}`}>{b.text}</pre>
        </div>
      ))}
    </div>
  );
}
