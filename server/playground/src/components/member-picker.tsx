/**
 * Measures, dimensions and segments of every cube and view, ticked on and off. Ticking changes
 * only its own list (measures, dimensions or segments): filters, order and the rest stay.
 */
import { useState } from 'react';
import type { Meta, MetaMember } from '../api/rest-client.ts';
import { isShown } from '../query/member-index.ts';
import type { CubeQuery } from '../query/query-types.ts';

type ListKey = 'measures' | 'dimensions' | 'segments';

export function toggleMember(query: CubeQuery, list: ListKey, name: string): CubeQuery {
  const current = query[list] ?? [];
  return { ...query, [list]: current.includes(name) ? current.filter((m) => m !== name) : [...current, name] };
}

export function MemberPicker({ meta, query, onChange }: { meta: Meta; query: CubeQuery; onChange(q: CubeQuery): void }) {
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const matches = (m: MetaMember): boolean => isShown(m) && (!search || `${m.name} ${m.title}`.toLowerCase().includes(search.toLowerCase()));
  const group = (label: string, list: ListKey, members: readonly MetaMember[]) => {
    const shown = members.filter(matches);
    if (!shown.length) return null;
    return (
      <div className="member-group">
        <div className="group-label">{label}</div>
        {shown.map((m) => (
          <label key={m.name} title={m.description ?? m.name} className="member">
            <input type="checkbox" checked={(query[list] ?? []).includes(m.name)} onChange={() => onChange(toggleMember(query, list, m.name))} data-testid={`${list}:${m.name}`} />
            {m.shortTitle ?? m.title} <span className="type">{m.type}</span>
          </label>
        ))}
      </div>
    );
  };
  return (
    <aside className="picker">
      <input placeholder="Search members" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="member-search" />
      {meta.cubes.filter(isShown).map((cube) => {
        const expanded = open[cube.name] ?? Boolean(search);
        return (
          <div key={cube.name} className="cube">
            <button className="cube-title" onClick={() => setOpen({ ...open, [cube.name]: !expanded })} data-testid={`cube:${cube.name}`}>
              {expanded ? '▾' : '▸'} {cube.title} <span className="type">{cube.type}</span>
            </button>
            {expanded && (
              <>
                {group('Measures', 'measures', cube.measures)}
                {group('Dimensions', 'dimensions', cube.dimensions)}
                {group('Segments', 'segments', cube.segments)}
              </>
            )}
          </div>
        );
      })}
    </aside>
  );
}
