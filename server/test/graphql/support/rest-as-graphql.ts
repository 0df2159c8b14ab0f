/**
 * Reshapes REST `/load` rows (flat `cube.member[.granularity]` keys, local ISO times in the query
 * timezone) into the rows Cube's GraphQL API returns (`{ cubeField: { member, timeMember: { value,
 * granularity } } }`, UTC instants), so the two APIs can be compared. Written from Cube's
 * documented shapes; it shares no code with the GraphQL implementation.
 */

/** A REST query as the tests write it. */
export interface RestQuery {
  readonly measures?: readonly string[];
  readonly dimensions?: readonly string[];
  readonly segments?: readonly string[];
  readonly timeDimensions?: readonly { dimension: string; granularity?: string; dateRange?: string | readonly string[]; compareDateRange?: readonly (readonly string[])[] }[];
  readonly filters?: readonly unknown[];
  readonly order?: readonly (readonly [string, 'asc' | 'desc'])[];
  readonly limit?: number;
  readonly offset?: number;
  readonly timezone?: string;
  readonly ungrouped?: boolean;
}

/** UTC offsets of the zones the tests use (São Paulo has had no daylight saving time since 2019). */
const UTC_OFFSETS: Readonly<Record<string, string>> = { UTC: 'Z', 'America/Sao_Paulo': '-03:00' };

function toUtc(local: unknown, timezone: string): string | null {
  if (local === null || local === undefined) return null;
  const offset = UTC_OFFSETS[timezone];
  if (!offset) throw new Error(`no offset known for ${timezone}`);
  return new Date(`${String(local)}${offset}`).toISOString();
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * `timeMembers`: every time dimension (`cube.member`), read from /meta. `aliases` maps a member to
 * the response key a GraphQL alias gives it.
 */
export function restRowsAsGraphql(
  rows: readonly Record<string, unknown>[],
  query: RestQuery,
  timeMembers: ReadonlySet<string>,
  aliases: Readonly<Record<string, string>> = {},
): Record<string, unknown>[] {
  const timezone = query.timezone ?? 'UTC';
  const dimensions = new Set(query.dimensions ?? []);
  const shaped = rows.map((row) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [key, value] of Object.entries(row)) {
      const [cube, member, granularity] = key.split('.') as [string, string, string | undefined];
      const target = (out[lowerFirst(cube)] ??= {});
      const path = `${cube}.${member}`;
      if (!timeMembers.has(path)) target[aliases[path] ?? member] = value;
      else if (granularity) ((target[member] ??= {}) as Record<string, unknown>)[granularity] = toUtc(value, timezone);
      // A time dimension's plain key is its `value` only when it was asked as a dimension.
      else if (dimensions.has(path)) ((target[member] ??= {}) as Record<string, unknown>).value = toUtc(value, timezone);
    }
    return out;
  });
  return normalizeRows(shaped);
}

/** Numbers (REST sends numeric strings, GraphQL Floats) compared numerically; booleans as strings. */
export function normalizeRows(rows: readonly unknown[]): Record<string, unknown>[] {
  return rows.map((row) => normalizeValue(row) as Record<string, unknown>);
}

function normalizeValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value))) return Number(Number(value).toFixed(6));
  if (Array.isArray(value)) return value.map(normalizeValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, normalizeValue(v)]));
  return value;
}

/** Normalized rows in a canonical order, for queries whose row order has ties. */
export function sortRows(rows: readonly unknown[]): Record<string, unknown>[] {
  return normalizeRows(rows).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Time dimensions of every cube and view, from REST `/meta` (Cube's meta format). */
export async function fetchTimeMembers(url: string): Promise<Set<string>> {
  const meta = (await (await fetch(`${url}/cubejs-api/v1/meta`)).json()) as { cubes: { dimensions: { name: string; type: string }[] }[] };
  return new Set(meta.cubes.flatMap((c) => c.dimensions.filter((d) => d.type === 'time').map((d) => d.name)));
}
