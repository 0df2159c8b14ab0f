import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { isUserError } from '../errors/user-error.ts';
import { exitCodeFor } from './exit-codes.ts';
import { buildCommand } from './build-command.ts';
import { checkCommand } from './check-command.ts';
import { generateCommand } from './generate-command.ts';
import { ingestCommand } from './ingest-command.ts';
import { transformCommand } from './transform-command.ts';
import { streamCommand } from './stream-command.ts';
import { preaggCommand } from './preagg-command.ts';
import { validateCommand } from './validate-command.ts';

/**
 * The pipeline CLI (`npm run cli -- <command>`). One command per file; to add one, write
 * `<name>-command.ts` exporting a function that returns a commander Command and list it here.
 * Exit codes: exit-codes.ts (0 done, 1 fix your input, 2 a bug, 3 lakehouse held, 4 a service unreachable).
 */
const COMMANDS: readonly (() => Command)[] = [generateCommand, ingestCommand, transformCommand, checkCommand, buildCommand, streamCommand, preaggCommand, validateCommand];

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command('lakehouse').description('local lakehouse pipeline and semantic-layer tools').exitOverride();
  for (const make of COMMANDS) program.addCommand(make().exitOverride());
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

/** Prints the error the way its kind deserves and answers the exit code (exit-codes.ts). */
function reportError(error: unknown): number {
  if (error && typeof error === 'object' && 'exitCode' in error && (error as { code?: string }).code?.startsWith('commander.')) {
    return Number((error as { exitCode: number }).exitCode);
  }
  if (isUserError(error)) {
    console.error(`error [${error.code}]: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`);
  } else {
    console.error('internal error (a bug, please report it):', error);
  }
  return exitCodeFor(error);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await runCli(process.argv);
}
