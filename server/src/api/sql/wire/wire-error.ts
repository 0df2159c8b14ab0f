/**
 * The error a frontend message earns when its bytes are wrong: a SQLSTATE chosen as Postgres
 * chooses it (08P01 protocol_violation for framing and layout, 22P03/22P02 for parameter
 * values, 54000 for a message over the configured size), never an internal error.
 * Whether the connection survives is decided where the error is caught, not here: framing
 * errors and anything before login close the connection; a malformed message after login is
 * answered with ErrorResponse, as in Postgres's postgres.c.
 */
export class WireError extends Error {
  constructor(
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** 08P01: the bytes do not follow the protocol. */
export function protocolViolation(message: string): WireError {
  return new WireError('08P01', message);
}

/** A message type byte as Postgres prints it in its errors: the letter when printable, else its code. */
export function describeType(type: number): string {
  return type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, '0')}`;
}
