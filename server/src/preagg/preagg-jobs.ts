/**
 * Cube's pre-aggregation jobs protocol (`POST /cubejs-api/v1/pre-aggregations/jobs`):
 * `{action: "post", selector}` starts builds of the selected rollups and answers one token per
 * rollup; `{action: "get", tokens, resType?}` answers each job's status: "scheduled",
 * "processing", "done", or "failure: <message>" ("missing" for an unknown token).
 * https://cube.dev/docs/product/apis-integrations/rest-api/reference#base_pathv1pre-aggregationsjobs
 */
import { randomUUID } from 'node:crypto';
import type { SemanticModel } from '../model/model-types.ts';
import { UserError } from '../errors/user-error.ts';
import { listRollups, partitionKeysFor, rollupId, type RollupRefresher } from './refresh-rollups.ts';
import type { PreAggregationStore } from './preagg-store.ts';
import { rollupStoreKey } from './rollup-signature.ts';

export interface JobsSelector {
  readonly cubes?: readonly string[];
  readonly preAggregations?: readonly string[];
  readonly timezones?: readonly string[];
  readonly contexts?: readonly unknown[];
  /**
   * Our extension: rebuild only these partitions (keys as GET /pre-aggregations lists them, or a
   * local ISO time inside each) of the one rollup `preAggregations` names.
   */
  readonly partitions?: readonly string[];
}

export interface JobStatus {
  readonly token: string;
  readonly table: string; // "cube.rollup"
  readonly status: string;
  readonly selector: JobsSelector;
}

const KEPT_JOBS = 1_000;

export class PreAggregationJobs {
  private readonly jobs = new Map<string, { table: string; status: string; selector: JobsSelector }>();

  constructor(
    private readonly refresher: RollupRefresher,
    private readonly model: () => SemanticModel,
    private readonly store?: PreAggregationStore,
  ) {}

  /** Starts a forced build of each selected rollup (all rollups when the selector names none). */
  post(selector: JobsSelector): string[] {
    const model = this.model();
    const selected = selectRollups(model, selector);
    const partitions = selector.partitions ? this.selectedPartitions(selected, selector.partitions) : undefined;
    return selected.map(({ cube, rollup }) => {
      const token = randomUUID();
      const table = rollupId(cube.name, rollup.name);
      this.remember(token, { table, status: 'scheduled', selector });
      const job = this.jobs.get(token)!;
      job.status = 'processing';
      void this.refresher.refreshOne(model, cube, rollup, true, partitions).then(
        (status) => (job.status = status.state === 'failed' ? `failure: ${status.lastError ?? 'unknown error'}` : 'done'),
        (error: unknown) => (job.status = `failure: ${(error as Error).message}`),
      );
      return token;
    });
  }

  /** The partition keys to rebuild: one rollup, partitions it holds or its last refresh listed. */
  private selectedPartitions(selected: ReturnType<typeof selectRollups>, values: readonly string[]): string[] {
    if (selected.length !== 1 || values.length === 0) {
      throw new UserError('QUERY_INVALID', 'selector.partitions needs exactly one rollup in selector.preAggregations and at least one partition');
    }
    const { cube, rollup } = selected[0]!;
    const keys = partitionKeysFor(rollup, values);
    if (this.store) {
      const storeKey = rollupStoreKey(cube, rollup);
      const known = new Set([...this.store.partitions(storeKey).map((p) => p.partition), ...this.store.missingPartitions(storeKey)]);
      const unknown = keys.filter((k) => !known.has(k));
      if (unknown.length > 0) {
        throw new UserError('NOT_FOUND', `${rollupId(cube.name, rollup.name)} has no partition ${unknown.join(', ')}; known: ${[...known].sort().join(', ') || 'none (refresh it first)'}`);
      }
    }
    return keys;
  }

  get(tokens: readonly string[]): JobStatus[] {
    return tokens.map((token) => {
      const job = this.jobs.get(token);
      return job ? { token, ...job } : { token, table: '', status: 'missing', selector: {} };
    });
  }

  private remember(token: string, job: { table: string; status: string; selector: JobsSelector }): void {
    this.jobs.set(token, job);
    if (this.jobs.size > KEPT_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
  }
}

function selectRollups(model: SemanticModel, selector: JobsSelector) {
  const all = listRollups(model);
  const known = new Set(all.map(({ cube, rollup }) => rollupId(cube.name, rollup.name)));
  for (const name of selector.preAggregations ?? []) {
    if (!known.has(name)) throw new UserError('NOT_FOUND', `Unknown pre-aggregation "${name}"; known: ${[...known].join(', ') || 'none'}`);
  }
  for (const name of selector.cubes ?? []) {
    if (!model.cubes[name]) throw new UserError('UNKNOWN_MEMBER', `Unknown cube "${name}" in the jobs selector`);
  }
  for (const tz of selector.timezones ?? []) {
    if (tz !== 'UTC') throw new UserError('UNSUPPORTED', `Rollups are built in UTC; the jobs selector asks for time zone "${tz}"`);
  }
  return all.filter(({ cube, rollup }) => {
    const byCube = !selector.cubes?.length || selector.cubes.includes(cube.name);
    const byName = !selector.preAggregations?.length || selector.preAggregations.includes(rollupId(cube.name, rollup.name));
    return byCube && byName;
  });
}
