/**
 * Model compile time: our model/ and generated models of 50/100/200/400 cubes (target: 200 cubes in
 * ≤ 250 ms, growing linearly), and the same 200 and 400 cubes written as Cube JavaScript models
 * (target: JS ≤ 2× the YAML time; JS files are run anew on every compile, there is no parse cache). Each size is compiled several times, interleaved round-robin so that
 * every size sees the same machine state; we report the median of a cold compile (parse cache
 * cleared), of a dev-mode recompile after one file changed (the watcher's case), ms per cube, the
 * ratio to the 50-cube time, and peak RSS / heap. A fixed CPU loop is timed in the same run so
 * figures from a loaded machine can be put in proportion.
 * Run: npx tsx bench/model-compile-bench.ts [--rounds 7]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearParseCache, compileModel, readModelFiles, type ModelFile } from '../server/src/model/compile-model.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;

/** A realistic generated cube: 12 dimensions, 10 measures (with filters and number measures), 2 joins, 2 segments, 1 rollup. */
function generatedCube(i: number, total: number): string {
  const joins = [1, 2]
    .map((k) => (i + k) % total)
    .filter((t) => t !== i)
    .map((t) => `      - { name: cube_${t}, relationship: many_to_one, sql: "{CUBE}.fk_${t} = {cube_${t}}.id" }`);
  const dims = Array.from({ length: 10 }, (_, d) => `      - { name: attr_${d}, sql: "{CUBE}.attr_${d}", type: string, title: Atributo ${d}, description: Atributo ${d} do cubo ${i} }`);
  const measures = Array.from({ length: 6 }, (_, m) => `      - name: total_${m}
        sql: value_${m}
        type: sum
        format: currency
        meta: { unidade: BRL }
        filters:
          - sql: "{CUBE}.status <> 'cancelled'"
        drill_members: [id, attr_0, created_at]`);
  return `  - name: cube_${i}
    sql_table: gold.table_${i}
    description: Generated cube ${i}
    joins:
${joins.join('\n')}
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: created_at, sql: created_at, type: time }
${dims.join('\n')}
    measures:
      - { name: count, type: count }
      - { name: distinct_users, sql: user_id, type: count_distinct }
${measures.join('\n')}
      - { name: ratio, type: number, sql: "{total_0} / NULLIF({count}, 0)", format: percent }
      - { name: label, type: number, sql: "{total_1} - {total_2}" }
    segments:
      - { name: recent, sql: "{CUBE}.created_at > '2024-01-01'" }
      - { name: big, sql: "{CUBE}.value_0 > 100" }
    pre_aggregations:
      - { name: daily, measures: [CUBE.count, CUBE.total_0], dimensions: [CUBE.attr_0], time_dimension: CUBE.created_at, granularity: day, partition_granularity: month }
`;
}

/** One file per 10 cubes, as a team would split a large model. */
function generatedModel(cubes: number): ModelFile[] {
  const files: ModelFile[] = [];
  for (let start = 0; start < cubes; start += 10) {
    const body = Array.from({ length: Math.min(10, cubes - start) }, (_, k) => generatedCube(start + k, cubes)).join('');
    files.push({ path: `cubes/gen_${start}.yml`, content: `cubes:\n${body}` });
  }
  return files;
}

/** The same cube as `generatedCube`, as a Cube JavaScript model (camelCase, maps of members, ${'$'}{} references). */
function generatedJsCube(i: number, total: number): string {
  const $ = '$';
  const joins = [1, 2]
    .map((k) => (i + k) % total)
    .filter((t) => t !== i)
    .map((t) => `    cube_${t}: { relationship: \`belongsTo\`, sql: \`${$}{CUBE}.fk_${t} = ${$}{cube_${t}}.id\` },`);
  const dims = Array.from({ length: 10 }, (_, d) => `    attr_${d}: { sql: \`${$}{CUBE}.attr_${d}\`, type: \`string\`, title: \`Atributo ${d}\`, description: \`Atributo ${d} do cubo ${i}\` },`);
  const measures = Array.from({ length: 6 }, (_, m) => `    total_${m}: {
      sql: \`value_${m}\`,
      type: \`sum\`,
      format: \`currency\`,
      meta: { unidade: 'BRL' },
      filters: [{ sql: \`${$}{CUBE}.status <> 'cancelled'\` }],
      drillMembers: [id, attr_0, created_at],
    },`);
  return `cube(\`cube_${i}\`, {
  sqlTable: \`gold.table_${i}\`,
  description: \`Generated cube ${i}\`,
  joins: {
${joins.join('\n')}
  },
  dimensions: {
    id: { sql: \`id\`, type: \`number\`, primaryKey: true },
    created_at: { sql: \`created_at\`, type: \`time\` },
${dims.join('\n')}
  },
  measures: {
    count: { type: \`count\` },
    distinct_users: { sql: \`user_id\`, type: \`countDistinct\` },
${measures.join('\n')}
    ratio: { type: \`number\`, sql: \`${$}{total_0} / NULLIF(${$}{count}, 0)\`, format: \`percent\` },
    label: { type: \`number\`, sql: \`${$}{total_1} - ${$}{total_2}\` },
  },
  segments: {
    recent: { sql: \`${$}{CUBE}.created_at > '2024-01-01'\` },
    big: { sql: \`${$}{CUBE}.value_0 > 100\` },
  },
  preAggregations: {
    daily: { measures: [CUBE.count, CUBE.total_0], dimensions: [CUBE.attr_0], timeDimension: CUBE.created_at, granularity: \`day\`, partitionGranularity: \`month\` },
  },
});
`;
}

/** One JavaScript file per 10 cubes. */
function generatedJsModel(cubes: number): ModelFile[] {
  const files: ModelFile[] = [];
  for (let start = 0; start < cubes; start += 10) {
    const body = Array.from({ length: Math.min(10, cubes - start) }, (_, k) => generatedJsCube(start + k, cubes)).join('\n');
    files.push({ path: `cubes/gen_${start}.js`, content: body });
  }
  return files;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const cases: { name: string; cubes: number; files: ModelFile[] }[] = [
    { name: 'our model/', cubes: 0, files: await readModelFiles(path.join(root, 'model')) },
    ...[50, 100, 200, 400].map((n) => ({ name: `generated ${n} cubes`, cubes: n, files: generatedModel(n) })),
    ...[200, 400].map((n) => ({ name: `generated ${n} JS cubes`, cubes: n, files: generatedJsModel(n) })),
  ];
  for (const c of cases) c.cubes = Object.keys(compileModel(c.files).cubes).length; // warm-up and sanity
  const cold = new Map(cases.map((c) => [c.name, [] as number[]]));
  const coldCpu = new Map(cases.map((c) => [c.name, [] as number[]]));
  const warm = new Map(cases.map((c) => [c.name, [] as number[]]));
  let lastCpu = 0;
  let peakRss = 0;
  let peakHeap = 0;
  const timed = (files: ModelFile[]): number => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    compileModel(files);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    lastCpu = (used.user + used.system) / 1000;
    const mem = process.memoryUsage();
    peakRss = Math.max(peakRss, mem.rss);
    peakHeap = Math.max(peakHeap, mem.heapUsed);
    return ms;
  };
  const calibration: number[] = [];
  for (let r = 0; r < rounds; r++) {
    calibration.push(cpuLoopMs());
    for (const c of cases) {
      clearParseCache();
      cold.get(c.name)!.push(timed(c.files));
      coldCpu.get(c.name)!.push(lastCpu);
      // one file edited (a comment appended), the rest unchanged: what the dev watcher recompiles
      const edited = c.files.map((f, i) => (i === 0 ? { ...f, content: `${f.content}${f.path.endsWith('.js') ? '//' : '#'} edit ${r}\n` } : f));
      warm.get(c.name)!.push(timed(edited));
    }
  }
  const base = median(coldCpu.get('generated 50 cubes')!);
  console.log(`model compile time, median of ${rounds} interleaved rounds (node ${process.version})`);
  console.log(`CPU calibration: a fixed 2e7-step loop took ${median(calibration).toFixed(0)} ms (about 25 ms on an idle modern core)`);
  console.log('wall = elapsed time; cpu = CPU time of this process (less sensitive to other load on the machine)');
  console.log('case                    cubes   text KB  cold wall ms  cold cpu ms  cpu ms/cube  × 50-cube (cpu)  recompile 1 file wall ms');
  for (const c of cases) {
    const wall = median(cold.get(c.name)!);
    const ms = median(coldCpu.get(c.name)!);
    const kb = c.files.reduce((s, f) => s + f.content.length, 0) / 1024;
    console.log(
      `${c.name.padEnd(22)}${String(c.cubes).padStart(6)} ${kb.toFixed(0).padStart(9)} ${wall.toFixed(1).padStart(13)} ${ms.toFixed(1).padStart(12)} ${(ms / c.cubes).toFixed(3).padStart(12)} ${c.cubes >= 50 ? (ms / base).toFixed(2).padStart(16) : '               -'} ${median(warm.get(c.name)!).toFixed(1).padStart(25)}`,
    );
  }
  const ms200 = median(cold.get('generated 200 cubes')!);
  const cpu200 = median(coldCpu.get('generated 200 cubes')!);
  console.log(`target: 200 cubes ≤ 250 ms → cold wall ${ms200.toFixed(1)} ms (${ms200 <= 250 ? 'met' : 'NOT met'}), cold cpu ${cpu200.toFixed(1)} ms (${cpu200 <= 250 ? 'met' : 'NOT met'}), recompile ${median(warm.get('generated 200 cubes')!).toFixed(1)} ms`);
  const js200 = median(coldCpu.get('generated 200 JS cubes')!);
  console.log(`target: 200 JS cubes ≤ 2 × 200 YAML cubes → cold cpu ${js200.toFixed(1)} ms vs ${cpu200.toFixed(1)} ms = ${(js200 / cpu200).toFixed(2)}× (${js200 <= 2 * cpu200 ? 'met' : 'NOT met'}); cold wall ${median(cold.get('generated 200 JS cubes')!).toFixed(1)} ms`);
  console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
}

/** A fixed amount of CPU work, to compare runs on machines under different load. */
function cpuLoopMs(): number {
  const start = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += i % 7;
  if (x < 0) console.log(x);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

await main();
