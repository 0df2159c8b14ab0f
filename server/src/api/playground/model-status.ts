/**
 * What the playground shows about the model beyond /meta: the errors of the latest hot reload
 * (with file, line and member, while the last good model keeps answering), the current model's
 * warnings, and its declared joins (the join graph; Cube's /meta has no joins).
 */
import { ModelValidationError } from '../../errors/user-error.ts';
import type { ModelProblem, SemanticModel } from '../../model/model-types.ts';

/** One problem, flattened for the browser. */
export interface ModelProblemView {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly member?: string;
}

/** The body of `GET /playground/api/model-status`. */
export interface ModelStatusView {
  readonly version: string;
  readonly errors: readonly ModelProblemView[];
  readonly warnings: readonly ModelProblemView[];
  readonly joins: readonly { readonly from: string; readonly to: string; readonly relationship: string }[];
}

function view(problem: ModelProblem): ModelProblemView {
  return {
    message: problem.message,
    ...(problem.location ? { file: problem.location.file, line: problem.location.line, ...(problem.location.column ? { column: problem.location.column } : {}) } : {}),
    ...(problem.member ? { member: problem.member } : {}),
  };
}

/** The status of `model` (the one answering) given the latest reload's error, if any. */
export function modelStatus(model: SemanticModel, lastError: unknown): ModelStatusView {
  const errors: ModelProblemView[] =
    lastError === undefined
      ? []
      : lastError instanceof ModelValidationError
        ? lastError.problems.map(view)
        : [{ message: lastError instanceof Error ? lastError.message : String(lastError) }];
  const joins = Object.values(model.cubes).flatMap((cube) => cube.joins.map((join) => ({ from: cube.name, to: join.name, relationship: join.relationship })));
  return { version: model.version, errors, warnings: (model.warnings ?? []).map(view), joins };
}
