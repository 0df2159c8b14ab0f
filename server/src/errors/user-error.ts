import { ERROR_CODES, type ErrorCode } from './error-codes.ts';
import type { SourceLocation } from './source-location.ts';

/**
 * An error the caller can fix: bad query, bad model, bad input file, bad token.
 * Anything that is not a UserError is a bug and is reported as internal (logged with its stack).
 */
export class UserError extends Error {
  readonly code: ErrorCode;
  readonly location?: SourceLocation;
  readonly hint?: string;
  /** A more precise SQLSTATE than the code's (a data source's own, e.g. 22012 for a division by zero). */
  private readonly ownSqlState?: string;

  constructor(code: ErrorCode, message: string, options: { location?: SourceLocation; hint?: string; cause?: unknown; sqlState?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
    this.ownSqlState = options.sqlState;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** The SQLSTATE given at construction, else the code's registered one (what the SQL API reports). */
  get sqlState(): string {
    return this.ownSqlState ?? ERROR_CODES[this.code].sqlState;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Model validation collects every problem before failing; this carries them all. */
export class ModelValidationError extends UserError {
  readonly problems: readonly { message: string; location?: SourceLocation; member?: string }[];

  constructor(problems: readonly { message: string; location?: SourceLocation; member?: string }[]) {
    super('MODEL_INVALID', formatProblems(problems), { location: problems[0]?.location });
    this.name = 'ModelValidationError';
    this.problems = problems;
  }
}

function formatProblems(problems: readonly { message: string; location?: SourceLocation; member?: string }[]): string {
  const lines = problems.map((p) => {
    const where = p.location ? `${p.location.file}:${p.location.line}` : 'model';
    return `${where}: ${p.member ? `${p.member}: ` : ''}${p.message}`;
  });
  return `Model has ${problems.length} error(s):\n${lines.join('\n')}`;
}
