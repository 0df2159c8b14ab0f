/**
 * The query's other parts: one time dimension (granularity, date range), filters with every Cube
 * operator, order, limit and timezone. Each control rewrites only its own field of the query.
 */
import type { Meta } from '../api/rest-client.ts';
import { isShown, type IndexedMember } from '../query/member-index.ts';
import { operatorInfo, operatorsFor } from '../query/operators.ts';
import { isMemberFilter, orderPairs, type CubeQuery, type Filter, type MemberFilter, type TimeDimension } from '../query/query-types.ts';

const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

interface Props {
  meta: Meta;
  members: Map<string, IndexedMember>;
  query: CubeQuery;
  onChange(q: CubeQuery): void;
}

export function QueryControls(props: Props) {
  return (
    <div className="controls">
      <TimeDimensionControl {...props} />
      <FilterControls {...props} />
      <OrderControls {...props} />
      <div className="row">
        <label>
          Limit{' '}
          <input
            type="number"
            min={1}
            value={props.query.limit ?? ''}
            onChange={(e) => props.onChange({ ...props.query, limit: e.target.value === '' ? undefined : Number(e.target.value) })}
            data-testid="limit"
          />
        </label>
        <label>
          Timezone{' '}
          <input value={props.query.timezone ?? ''} placeholder="UTC" onChange={(e) => props.onChange({ ...props.query, timezone: e.target.value || undefined })} data-testid="timezone" />
        </label>
      </div>
    </div>
  );
}

function TimeDimensionControl({ meta, query, onChange }: Props) {
  const timeDims = meta.cubes.filter(isShown).flatMap((c) => c.dimensions.filter((d) => d.type === 'time' && isShown(d)));
  const td: TimeDimension | undefined = query.timeDimensions?.[0];
  const rest = query.timeDimensions?.slice(1) ?? [];
  const set = (next: TimeDimension | undefined): void => onChange({ ...query, timeDimensions: next ? [next, ...rest] : rest });
  const range = Array.isArray(td?.dateRange) ? (td!.dateRange as readonly [string, string]) : undefined;
  const granularities = [...GRANULARITIES, ...(timeDims.find((d) => d.name === td?.dimension)?.granularities ?? []).map((g) => g.name).filter((g) => !GRANULARITIES.includes(g))];
  return (
    <fieldset>
      <legend>Time</legend>
      <select value={td?.dimension ?? ''} onChange={(e) => set(e.target.value ? { dimension: e.target.value, granularity: td?.granularity ?? 'month', ...(td?.dateRange ? { dateRange: td.dateRange } : {}) } : undefined)} data-testid="time-dimension">
        <option value="">(no time dimension)</option>
        {timeDims.map((d) => (
          <option key={d.name} value={d.name}>
            {d.title}
          </option>
        ))}
      </select>
      {td && (
        <>
          <select value={td.granularity ?? ''} onChange={(e) => set({ ...td, granularity: e.target.value || undefined })} data-testid="granularity">
            <option value="">(no granularity)</option>
            {granularities.map((g) => (
              <option key={g}>{g}</option>
            ))}
          </select>
          <input type="date" value={range?.[0] ?? ''} onChange={(e) => set({ ...td, dateRange: e.target.value ? [e.target.value, range?.[1] ?? e.target.value] : undefined })} data-testid="date-from" />
          –
          <input type="date" value={range?.[1] ?? ''} onChange={(e) => set({ ...td, dateRange: e.target.value ? [range?.[0] ?? e.target.value, e.target.value] : undefined })} data-testid="date-to" />
          {typeof td.dateRange === 'string' && <span className="note">range: {td.dateRange}</span>}
        </>
      )}
    </fieldset>
  );
}

function FilterControls({ meta, members, query, onChange }: Props) {
  const filters = query.filters ?? [];
  const filterable = meta.cubes.filter(isShown).flatMap((c) => [...c.dimensions, ...c.measures].filter(isShown));
  const update = (i: number, next: Filter | undefined): void => onChange({ ...query, filters: filters.flatMap((f, j) => (j === i ? (next ? [next] : []) : [f])) });
  return (
    <fieldset>
      <legend>Filters</legend>
      {filters.map((filter, i) =>
        isMemberFilter(filter) ? (
          <FilterRow key={i} index={i} filter={filter} filterable={filterable} type={members.get(filter.member)?.member.type} onChange={(f) => update(i, f)} />
        ) : (
          <div key={i} className="row">
            <code>{JSON.stringify(filter)}</code> <span className="note">(edit and/or groups in the JSON)</span>
            <button onClick={() => update(i, undefined)}>✕</button>
          </div>
        ),
      )}
      <button
        onClick={() => onChange({ ...query, filters: [...filters, { member: query.dimensions?.[0] ?? filterable[0]?.name ?? '', operator: 'equals', values: [] }] })}
        data-testid="add-filter"
      >
        + Filter
      </button>
    </fieldset>
  );
}

function FilterRow({ index, filter, filterable, type, onChange }: { index: number; filter: MemberFilter; filterable: { name: string; title: string }[]; type?: string; onChange(f: MemberFilter | undefined): void }) {
  const info = operatorInfo(filter.operator);
  const values = filter.values ?? [];
  return (
    <div className="row filter">
      <select value={filter.member} onChange={(e) => onChange({ ...filter, member: e.target.value })} data-testid={`filter-member-${index}`}>
        {!filterable.some((m) => m.name === filter.member) && <option value={filter.member}>{filter.member}</option>}
        {filterable.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name}
          </option>
        ))}
      </select>
      <select
        value={filter.operator}
        onChange={(e) => {
          const op = operatorInfo(e.target.value);
          const { values: _dropped, ...rest } = filter;
          onChange(op?.values === 'none' ? { ...rest, operator: e.target.value } : { ...filter, operator: e.target.value, values });
        }}
        data-testid={`filter-operator-${index}`}
      >
        {operatorsFor(type).map((op) => (
          <option key={op.name} value={op.name}>
            {op.label}
          </option>
        ))}
      </select>
      {info?.values === 'two' ? (
        <>
          <input type="date" value={values[0] ?? ''} onChange={(e) => onChange({ ...filter, values: [e.target.value, values[1] ?? e.target.value] })} data-testid={`filter-from-${index}`} />
          <input type="date" value={values[1] ?? ''} onChange={(e) => onChange({ ...filter, values: [values[0] ?? e.target.value, e.target.value] })} data-testid={`filter-to-${index}`} />
        </>
      ) : info?.values === 'none' ? null : (
        <input
          placeholder={info?.values === 'many' ? 'values, comma-separated' : 'value'}
          key={values.join("\u0000")}
          defaultValue={values.join(", ")}
          onBlur={(e) => onChange({ ...filter, values: e.target.value.split(',').map((v) => v.trim()).filter((v) => v !== '') })}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          data-testid={`filter-values-${index}`}
        />
      )}
      <button onClick={() => onChange(undefined)} data-testid={`filter-remove-${index}`}>
        ✕
      </button>
    </div>
  );
}

function OrderControls({ query, onChange }: Props) {
  const pairs = orderPairs(query);
  const orderable = [...(query.measures ?? []), ...(query.dimensions ?? []), ...(query.timeDimensions ?? []).filter((t) => t.granularity).map((t) => t.dimension)];
  const set = (next: [string, 'asc' | 'desc'][]): void => onChange({ ...query, order: next.length ? next : undefined });
  return (
    <fieldset>
      <legend>Order</legend>
      {pairs.map(([member, direction], i) => (
        <div key={i} className="row">
          <select value={member} onChange={(e) => set(pairs.map((p, j) => (j === i ? [e.target.value, p[1]] : p)))} data-testid={`order-member-${i}`}>
            {!orderable.includes(member) && <option value={member}>{member}</option>}
            {orderable.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <select value={direction} onChange={(e) => set(pairs.map((p, j) => (j === i ? [p[0], e.target.value as 'asc' | 'desc'] : p)))} data-testid={`order-direction-${i}`}>
            <option value="asc">ascending</option>
            <option value="desc">descending</option>
          </select>
          <button onClick={() => set(pairs.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <button disabled={!orderable.length} onClick={() => set([...pairs, [orderable[0]!, 'desc']])} data-testid="add-order">
        + Order
      </button>
    </fieldset>
  );
}
