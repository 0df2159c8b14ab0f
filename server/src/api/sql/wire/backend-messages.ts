/**
 * Builders for backend messages, each returning the complete framed bytes.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  /** 0 text, 1 binary. */
  readonly format: number;
  readonly tableOid?: number;
  readonly columnNumber?: number;
}

function frame(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n);
  return b;
}

const EMPTY = Buffer.alloc(0);

export const sslAccepted = (): Buffer => Buffer.from('S');
export const sslRefused = (): Buffer => Buffer.from('N');

export const authenticationOk = (): Buffer => frame('R', int32(0));
export const authenticationCleartext = (): Buffer => frame('R', int32(3));
export const authenticationMd5 = (salt: Buffer): Buffer => frame('R', Buffer.concat([int32(5), salt]));
export const authenticationSasl = (mechanisms: readonly string[]): Buffer =>
  frame('R', Buffer.concat([int32(10), ...mechanisms.map(cstr), Buffer.from([0])]));
export const authenticationSaslContinue = (data: string): Buffer => frame('R', Buffer.concat([int32(11), Buffer.from(data)]));
export const authenticationSaslFinal = (data: string): Buffer => frame('R', Buffer.concat([int32(12), Buffer.from(data)]));

export const parameterStatus = (name: string, value: string): Buffer => frame('S', Buffer.concat([cstr(name), cstr(value)]));
export const backendKeyData = (processId: number, secretKey: number): Buffer =>
  frame('K', Buffer.concat([int32(processId), int32(secretKey)]));

/** Transaction status: 'I' idle, 'T' in a transaction, 'E' in a failed transaction. */
export const readyForQuery = (status: 'I' | 'T' | 'E'): Buffer => frame('Z', Buffer.from(status));

export const parseComplete = (): Buffer => frame('1', EMPTY);
export const bindComplete = (): Buffer => frame('2', EMPTY);
export const closeComplete = (): Buffer => frame('3', EMPTY);
export const noData = (): Buffer => frame('n', EMPTY);
export const portalSuspended = (): Buffer => frame('s', EMPTY);
export const emptyQueryResponse = (): Buffer => frame('I', EMPTY);
export const commandComplete = (tag: string): Buffer => frame('C', cstr(tag));

export function parameterDescription(oids: readonly number[]): Buffer {
  const body = Buffer.allocUnsafe(2 + 4 * oids.length);
  body.writeInt16BE(oids.length, 0);
  oids.forEach((oid, i) => body.writeUInt32BE(oid >>> 0, 2 + 4 * i));
  return frame('t', body);
}

export function rowDescription(fields: readonly FieldDescription[]): Buffer {
  const parts: Buffer[] = [Buffer.from([fields.length >> 8, fields.length & 0xff])];
  for (const f of fields) {
    const meta = Buffer.allocUnsafe(18);
    meta.writeUInt32BE((f.tableOid ?? 0) >>> 0, 0);
    meta.writeInt16BE(f.columnNumber ?? 0, 4);
    meta.writeUInt32BE(f.typeOid >>> 0, 6);
    meta.writeInt16BE(f.typeSize, 10);
    meta.writeInt32BE(f.typeModifier, 12);
    meta.writeInt16BE(f.format, 16);
    parts.push(cstr(f.name), meta);
  }
  return frame('T', Buffer.concat(parts));
}

/** DataRow from already encoded values (null = SQL NULL). */
export function dataRow(values: readonly (Buffer | null)[]): Buffer {
  let size = 2;
  for (const v of values) size += 4 + (v ? v.length : 0);
  const out = Buffer.allocUnsafe(5 + size);
  out[0] = 0x44; // 'D'
  out.writeInt32BE(4 + size, 1);
  out.writeInt16BE(values.length, 5);
  let o = 7;
  for (const v of values) {
    if (v === null) {
      out.writeInt32BE(-1, o);
      o += 4;
    } else {
      out.writeInt32BE(v.length, o);
      v.copy(out, o + 4);
      o += 4 + v.length;
    }
  }
  return out;
}

/** Fields of an ErrorResponse / NoticeResponse. */
export interface ErrorFields {
  readonly severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: number;
}

function noticeBody(f: ErrorFields): Buffer {
  const parts = [`S${f.severity}`, `V${f.severity}`, `C${f.code}`, `M${f.message}`];
  if (f.detail) parts.push(`D${f.detail}`);
  if (f.hint) parts.push(`H${f.hint}`);
  if (f.position) parts.push(`P${f.position}`);
  return Buffer.concat([...parts.map(cstr), Buffer.from([0])]);
}

export const errorResponse = (f: ErrorFields): Buffer => frame('E', noticeBody(f));
export const noticeResponse = (f: ErrorFields): Buffer => frame('N', noticeBody(f));
