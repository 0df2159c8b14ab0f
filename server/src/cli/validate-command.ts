import path from 'node:path';
import { Command } from 'commander';
import { ModelValidationError } from '../errors/user-error.ts';
import { readModelFiles, tryCompileModelAsync } from '../model/compile-model.ts';
import { isStrictFromEnv } from '../model/compile-context.ts';
import type { ModelProblem } from '../model/model-types.ts';

interface ValidateCliOptions {
  model?: string;
  strict?: boolean;
}

/**
 * `validate [--model dir] [--strict]`: compiles the model folder as the server would and prints
 * every problem as `file:line member: message`. Warnings (e.g. a member's SQL naming a cube or
 * member that does not exist, which fails only the queries using it) leave the exit code 0
 * unless `--strict` (or `CUBEJS_SCHEMA_STRICT=true`) makes them errors, as CI wants; errors exit 1.
 */
export function validateCommand(): Command {
  return new Command('validate')
    .description('compile the data model and report its errors and warnings with file and line')
    .option('--model <dir>', 'model folder (env CUBEJS_SCHEMA_PATH, default model/)')
    .option('--strict', 'dangling references are errors (env CUBEJS_SCHEMA_STRICT=true)')
    .action(async (options: ValidateCliOptions) => {
      const dir = path.resolve(options.model ?? process.env.CUBEJS_SCHEMA_PATH ?? 'model');
      const strict = options.strict === true || isStrictFromEnv();
      const outcome = await tryCompileModelAsync(await readModelFiles(dir), { strict });
      for (const warning of outcome.warnings) console.error(`warning: ${describe(warning)}`);
      if (!outcome.model) throw new ModelValidationError(outcome.errors);
      const cubes = Object.keys(outcome.model.cubes).length;
      const views = Object.keys(outcome.model.views).length;
      console.log(`${dir}: ${cubes} cube(s), ${views} view(s), ${outcome.warnings.length} warning(s)${strict ? ' (strict)' : ''}`);
    });
}

function describe(problem: ModelProblem): string {
  const where = problem.location ? `${problem.location.file}:${problem.location.line}` : '(model)';
  return `${where}${problem.member ? ` ${problem.member}` : ''}: ${problem.message}`;
}
