/**
 * Readers for the frontend messages the server understands. Each checks the layout the way
 * Postgres's exec_* functions do (counts, lengths, format codes, nothing left over) and raises a
 * WireError naming the message and what was wrong (08P01, or 22023 for a format code).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { BodyReader } from './body-reader.ts';
import { protocolViolation, WireError } from './wire-error.ts';

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
export const PROTOCOL_3_0 = 196608;

/** What the first (untyped) packet of a connection asked for. */
export type StartupPacket =
  | { readonly kind: 'ssl' }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: number }
  | { readonly kind: 'startup'; readonly version: number; readonly parameters: Readonly<Record<string, string>> };

export function readStartupPacket(body: Buffer): StartupPacket {
  const r = new BodyReader(body, 'startup');
  const code = r.int32('the protocol version');
  if (code === SSL_REQUEST_CODE) return { kind: 'ssl' };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'gssenc' };
  if (code === CANCEL_REQUEST_CODE) return { kind: 'cancel', processId: r.int32('the process id'), secretKey: r.int32('the secret key') };
  if (code >> 16 !== 3) return { kind: 'startup', version: code, parameters: {} };
  // name\0value\0 pairs, then one terminating NUL as the last byte (Postgres's ProcessStartupPacket).
  const parameters: Record<string, string> = {};
  for (;;) {
    const key = r.cstring('a parameter name');
    if (key === '') break;
    parameters[key] = r.cstring(`the value of parameter "${key}"`);
  }
  if (r.remaining !== 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
  return { kind: 'startup', version: code, parameters };
}

/** Parse ('P'): a statement to prepare, with the parameter types the client declared (0 = infer). */
export interface ParseMessage {
  readonly name: string;
  readonly sql: string;
  readonly paramTypes: readonly number[];
}

export function readParse(body: Buffer): ParseMessage {
  const r = new BodyReader(body, 'Parse');
  const name = r.cstring('the statement name');
  const sql = r.cstring('the query string');
  const n = r.count('parameter type count', 4);
  const paramTypes: number[] = [];
  for (let i = 0; i < n; i++) paramTypes.push(r.int32('a parameter type') >>> 0);
  r.end();
  return { name, sql, paramTypes };
}

/** Bind ('B'): parameter values (null = SQL NULL) with their formats, and result formats. */
export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  readonly paramFormats: readonly number[];
  readonly params: readonly (Buffer | null)[];
  readonly resultFormats: readonly number[];
}

export function readBind(body: Buffer): BindMessage {
  const r = new BodyReader(body, 'Bind');
  const portal = r.cstring('the portal name');
  const statement = r.cstring('the statement name');
  const paramFormats = readFormats(r, 'parameter format');
  const params: (Buffer | null)[] = [];
  for (let i = 0, n = r.count('parameter count', 4); i < n; i++) {
    const len = r.int32(`the length of parameter ${i + 1}`);
    if (len < -1) throw protocolViolation(`invalid length ${len} of parameter ${i + 1} in Bind message`);
    params.push(len === -1 ? null : Buffer.from(r.bytes(len, `parameter ${i + 1}`)));
  }
  if (paramFormats.length > 1 && paramFormats.length !== params.length) {
    throw protocolViolation(`bind message has ${paramFormats.length} parameter formats but ${params.length} parameters`);
  }
  const resultFormats = readFormats(r, 'result format');
  r.end();
  return { portal, statement, paramFormats, params, resultFormats };
}

/** A count of format codes, then the codes: 0 text or 1 binary. */
function readFormats(r: BodyReader, what: string): number[] {
  const formats: number[] = [];
  for (let i = 0, n = r.count(`${what} count`, 2); i < n; i++) {
    const f = r.int16(`a ${what} code`);
    if (f !== 0 && f !== 1) throw new WireError('22023', `unsupported ${what} code ${f} in Bind message (0 text or 1 binary)`);
    formats.push(f);
  }
  return formats;
}

/** Describe ('D') and Close ('C'): 'S' statement or 'P' portal, by name. */
export interface TargetMessage {
  readonly target: 'S' | 'P';
  readonly name: string;
}

export function readTarget(body: Buffer, message: 'Describe' | 'Close'): TargetMessage {
  const r = new BodyReader(body, message);
  const target = String.fromCharCode(r.byte('the target kind'));
  if (target !== 'S' && target !== 'P') throw protocolViolation(`invalid ${message} message subtype ${JSON.stringify(target)} (S or P)`);
  const name = r.cstring('the name');
  r.end();
  return { target, name };
}

/** Execute ('E'): portal and the maximum number of rows (0 or less = all, as in Postgres). */
export interface ExecuteMessage {
  readonly portal: string;
  readonly maxRows: number;
}

export function readExecute(body: Buffer): ExecuteMessage {
  const r = new BodyReader(body, 'Execute');
  const portal = r.cstring('the portal name');
  const maxRows = r.int32('the row limit');
  r.end();
  return { portal, maxRows: Math.max(0, maxRows) };
}

export function readQuery(body: Buffer): string {
  const r = new BodyReader(body, 'Query');
  const sql = r.cstring('the query string');
  r.end();
  return sql;
}

/** Sync, Flush and Terminate have no body. */
export function readEmpty(body: Buffer, message: string): void {
  new BodyReader(body, message).end();
}

/** SASLInitialResponse ('p' during SCRAM): mechanism and the client-first message. */
export function readSaslInitial(body: Buffer): { mechanism: string; data: string } {
  const r = new BodyReader(body, 'SASLInitialResponse');
  const mechanism = r.cstring('the mechanism');
  const len = r.int32('the response length');
  if (len < -1) throw protocolViolation(`invalid response length ${len} in SASLInitialResponse message`);
  const data = len === -1 ? '' : r.bytes(len, 'the response').toString('utf8');
  r.end();
  return { mechanism, data };
}
