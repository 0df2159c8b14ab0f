/** An error with an explicit SQLSTATE (session-level errors that are not UserErrors). */
export class SqlStateError extends Error {
  constructor(
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}
