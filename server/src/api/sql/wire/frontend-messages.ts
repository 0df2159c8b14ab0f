/**
 * Readers for the frontend messages the server understands.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { BodyReader } from './message-framer.ts';

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
  const r = new BodyReader(body);
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return { kind: 'ssl' };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'gssenc' };
  if (code === CANCEL_REQUEST_CODE) return { kind: 'cancel', processId: r.int32(), secretKey: r.int32() };
  const parameters: Record<string, string> = {};
  while (r.remaining > 1) {
    const key = r.cstring();
    if (key === '') break;
    parameters[key] = r.cstring();
  }
  return { kind: 'startup', version: code, parameters };
}

/** Parse ('P'): a statement to prepare, with the parameter types the client declared (0 = infer). */
export interface ParseMessage {
  readonly name: string;
  readonly sql: string;
  readonly paramTypes: readonly number[];
}

export function readParse(body: Buffer): ParseMessage {
  const r = new BodyReader(body);
  const name = r.cstring();
  const sql = r.cstring();
  const n = r.int16();
  const paramTypes: number[] = [];
  for (let i = 0; i < n; i++) paramTypes.push(r.int32() >>> 0);
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
  const r = new BodyReader(body);
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats: number[] = [];
  for (let i = 0, n = r.int16(); i < n; i++) paramFormats.push(r.int16());
  const params: (Buffer | null)[] = [];
  for (let i = 0, n = r.int16(); i < n; i++) {
    const len = r.int32();
    params.push(len < 0 ? null : Buffer.from(r.bytes(len)));
  }
  const resultFormats: number[] = [];
  for (let i = 0, n = r.int16(); i < n; i++) resultFormats.push(r.int16());
  return { portal, statement, paramFormats, params, resultFormats };
}

/** Describe ('D') and Close ('C'): 'S' statement or 'P' portal, by name. */
export interface TargetMessage {
  readonly target: 'S' | 'P';
  readonly name: string;
}

export function readTarget(body: Buffer): TargetMessage {
  const r = new BodyReader(body);
  const target = r.byte();
  if (target !== 'S' && target !== 'P') throw new Error(`invalid Describe/Close target '${target}'`);
  return { target, name: r.cstring() };
}

/** Execute ('E'): portal and the maximum number of rows (0 = all). */
export interface ExecuteMessage {
  readonly portal: string;
  readonly maxRows: number;
}

export function readExecute(body: Buffer): ExecuteMessage {
  const r = new BodyReader(body);
  return { portal: r.cstring(), maxRows: r.int32() };
}

export function readQuery(body: Buffer): string {
  return new BodyReader(body).cstring();
}

/** SASLInitialResponse ('p' during SCRAM): mechanism and the client-first message. */
export function readSaslInitial(body: Buffer): { mechanism: string; data: string } {
  const r = new BodyReader(body);
  const mechanism = r.cstring();
  const len = r.int32();
  return { mechanism, data: len < 0 ? '' : r.bytes(len).toString('utf8') };
}
