import { isUserError } from '../errors/user-error.ts';

/**
 * Exit codes of the pipeline CLI (README, "The pipeline CLI"). Expected conditions get their own
 * code so scripts (Airflow, CI) can tell "fix your input" from "try again later" from "a bug".
 */
export const EXIT_CODES = {
  /** Done. */
  ok: 0,
  /** Bad input or options, a failed data-quality check, refused credentials: fix and run again. */
  userError: 1,
  /** A bug (an unexpected error, printed with its stack): please report it. */
  internalError: 2,
  /** The lakehouse is held by another process and the command cannot go through a running server. */
  lakehouseBusy: 3,
  /** A service did not answer: Kinesis (kinesalite or AWS), the RDS database, the running server. */
  unreachable: 4,
} as const;

/** The exit code for an error the CLI caught (commander's own usage errors keep their code). */
export function exitCodeFor(error: unknown): number {
  if (!isUserError(error)) return EXIT_CODES.internalError;
  if (error.code === 'LAKEHOUSE_BUSY') return EXIT_CODES.lakehouseBusy;
  if (error.code === 'SOURCE_UNREACHABLE') return EXIT_CODES.unreachable;
  return EXIT_CODES.userError;
}
