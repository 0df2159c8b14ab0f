/**
 * `npm run bench -- <name> [options]` runs `bench/<name>-bench.ts` (or `<name>.sh`) with the
 * options that follow; `npm run bench` alone lists the benchmarks with the first line of each
 * one's header. Each benchmark runs in its own process, as when started by hand, so its memory
 * figures are its own and nothing of this launcher stays in them.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

interface Bench {
  readonly name: string;
  readonly file: string;
}

function listBenches(): Bench[] {
  // A shell script named like a TypeScript benchmark (spark-bench.sh) starts what that one needs
  // (a Spark server) and runs it, so it stands for that name.
  const byName = new Map<string, string>();
  for (const file of readdirSync(here).sort((a, b) => Number(a.endsWith('.sh')) - Number(b.endsWith('.sh')))) {
    const match = /^(.+?)(-bench)?\.(ts|sh)$/.exec(file);
    if (!match || file === 'index.ts' || (match[3] === 'ts' && !match[2])) continue;
    byName.set(match[1]!, file);
  }
  return [...byName].map(([name, file]) => ({ name, file })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The first sentence-bearing line of a script's header comment. */
function summary(file: string): string {
  const lines = readFileSync(join(here, file), 'utf8').split('\n').slice(0, 12);
  const line = lines.find((l) => /^\s*(\*|#)\s+\S/.test(l) && !l.startsWith('#!'));
  return line ? line.replace(/^\s*(\*|#)\s+/, '').trim() : '';
}

function usage(benches: readonly Bench[]): string {
  const width = Math.max(...benches.map((b) => b.name.length));
  return [
    'usage: npm run bench -- <name> [options]   (options are each benchmark\'s own; see bench/README.md)',
    '',
    ...benches.map((b) => `  ${b.name.padEnd(width)}  ${summary(b.file)}`),
  ].join('\n');
}

const [name, ...options] = process.argv.slice(2);
const benches = listBenches();
if (name === undefined || name === '--help' || name === '-h') {
  console.log(usage(benches));
  process.exit(0);
}
const bench = benches.find((b) => b.name === name);
if (!bench) {
  console.error(`no benchmark named "${name}"\n\n${usage(benches)}`);
  process.exit(2);
}
const command = bench.file.endsWith('.sh') ? ['bash', [join(here, bench.file), ...options]] as const
  : [process.execPath, ['--import', 'tsx', join(here, bench.file), ...options]] as const;
const run = spawnSync(command[0], command[1], { stdio: 'inherit' });
process.exit(run.status ?? 1);
