/**
 * Builders for frontend messages: used to drive the catalog database over its raw protocol
 * and by test clients that replay a driver's message sequence.
 */

function frame(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');

function int16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n);
  return b;
}

export function buildParse(name: string, sql: string, paramTypes: readonly number[] = []): Buffer {
  const types = Buffer.allocUnsafe(4 * paramTypes.length);
  paramTypes.forEach((t, i) => types.writeUInt32BE(t >>> 0, 4 * i));
  return frame('P', Buffer.concat([cstr(name), cstr(sql), int16(paramTypes.length), types]));
}

export function buildBind(
  portal: string,
  statement: string,
  params: readonly (Buffer | null)[] = [],
  paramFormats: readonly number[] = [],
  resultFormats: readonly number[] = [],
): Buffer {
  const parts: Buffer[] = [cstr(portal), cstr(statement), int16(paramFormats.length), ...paramFormats.map(int16), int16(params.length)];
  for (const p of params) parts.push(p === null ? int32(-1) : Buffer.concat([int32(p.length), p]));
  parts.push(int16(resultFormats.length), ...resultFormats.map(int16));
  return frame('B', Buffer.concat(parts));
}

export const buildDescribe = (target: 'S' | 'P', name: string): Buffer => frame('D', Buffer.concat([Buffer.from(target), cstr(name)]));
export const buildClose = (target: 'S' | 'P', name: string): Buffer => frame('C', Buffer.concat([Buffer.from(target), cstr(name)]));
export const buildExecute = (portal: string, maxRows = 0): Buffer => frame('E', Buffer.concat([cstr(portal), int32(maxRows)]));
export const buildSync = (): Buffer => frame('S', Buffer.alloc(0));
export const buildFlush = (): Buffer => frame('H', Buffer.alloc(0));
export const buildQuery = (sql: string): Buffer => frame('Q', cstr(sql));
export const buildTerminate = (): Buffer => frame('X', Buffer.alloc(0));

/** A backend message as read back: type letter and body. */
export interface BackendFrame {
  readonly type: string;
  readonly body: Buffer;
  /** The complete framed bytes, to forward as is. */
  readonly raw: Buffer;
}

/** Splits a buffer of complete backend messages. */
export function splitBackendMessages(data: Uint8Array): BackendFrame[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: BackendFrame[] = [];
  let o = 0;
  while (o + 5 <= buf.length) {
    const len = buf.readInt32BE(o + 1);
    const raw = buf.subarray(o, o + 1 + len);
    out.push({ type: String.fromCharCode(buf[o]!), body: raw.subarray(5), raw });
    o += 1 + len;
  }
  return out;
}

/** Reads the fields of an ErrorResponse/NoticeResponse body keyed by their one-letter codes. */
export function readErrorFields(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let o = 0;
  while (o < body.length && body[o] !== 0) {
    const code = String.fromCharCode(body[o]!);
    const end = body.indexOf(0, o + 1);
    fields[code] = body.toString('utf8', o + 1, end);
    o = end + 1;
  }
  return fields;
}

/** Reads RowDescription fields. */
export function readRowDescription(body: Buffer): { name: string; tableOid: number; columnNumber: number; typeOid: number; typeSize: number; typeModifier: number; format: number }[] {
  const n = body.readInt16BE(0);
  const fields = [];
  let o = 2;
  for (let i = 0; i < n; i++) {
    const end = body.indexOf(0, o);
    const name = body.toString('utf8', o, end);
    o = end + 1;
    fields.push({
      name,
      tableOid: body.readUInt32BE(o),
      columnNumber: body.readInt16BE(o + 4),
      typeOid: body.readUInt32BE(o + 6),
      typeSize: body.readInt16BE(o + 10),
      typeModifier: body.readInt32BE(o + 12),
      format: body.readInt16BE(o + 16),
    });
    o += 18;
  }
  return fields;
}

/** Reads the column values of a DataRow body (null = SQL NULL). */
export function readDataRow(body: Buffer): (Buffer | null)[] {
  const n = body.readInt16BE(0);
  const values: (Buffer | null)[] = [];
  let o = 2;
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(o);
    o += 4;
    if (len < 0) values.push(null);
    else {
      values.push(body.subarray(o, o + len));
      o += len;
    }
  }
  return values;
}
