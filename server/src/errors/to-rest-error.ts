/**
 * Maps any thrown value to REST's answer, once, for every route: a `UserError` keeps its message
 * and gets the status of its code; anything else is a bug, reported as internal without details
 * (the caller logs the stack). Body shape follows Cube's `{ error, ... }`.
 */
import { isUserError, ModelValidationError } from './user-error.ts';

/** Status and JSON body of an error response. */
export interface RestError {
  readonly status: number;
  readonly body: {
    readonly error: string;
    readonly type?: string;
    readonly hint?: string;
    readonly location?: { readonly file: string; readonly line: number };
    readonly requestId?: string;
  };
  /** False for bugs: the caller logs them with the stack. */
  readonly isUserError: boolean;
}

export function toRestError(error: unknown, requestId?: string): RestError {
  if (isUserError(error)) {
    return {
      status: error instanceof ModelValidationError ? 500 : error.httpStatus,
      body: {
        error: error.message,
        type: error.code,
        ...(error.hint ? { hint: error.hint } : {}),
        ...(error.location ? { location: { file: error.location.file, line: error.location.line } } : {}),
        ...(requestId ? { requestId } : {}),
      },
      isUserError: true,
    };
  }
  return {
    status: 500,
    body: { error: 'Internal server error', type: 'INTERNAL', ...(requestId ? { requestId } : {}) },
    isUserError: false,
  };
}
