/**
 * Collects every model problem (as Cube's ErrorReporter does) instead of stopping at the first,
 * so a modeler sees all mistakes of a save at once.
 */
import type { ModelProblem, SourceLocation } from './model-types.ts';

/** Where compiler stages report problems; `member` names the cube member or object at fault. */
export interface ProblemSink {
  error(message: string, location?: SourceLocation, member?: string): void;
  warn(message: string, location?: SourceLocation, member?: string): void;
}

/** The default sink: keeps errors and warnings in order of discovery. */
export class ProblemCollector implements ProblemSink {
  readonly errors: ModelProblem[] = [];
  readonly warnings: ModelProblem[] = [];

  error(message: string, location?: SourceLocation, member?: string): void {
    this.errors.push(problem(message, location, member));
  }

  warn(message: string, location?: SourceLocation, member?: string): void {
    this.warnings.push(problem(message, location, member));
  }
}

function problem(message: string, location: SourceLocation | undefined, member: string | undefined): ModelProblem {
  const out: { message: string; location?: SourceLocation; member?: string } = { message };
  if (location) out.location = location;
  if (member) out.member = member;
  return out;
}
