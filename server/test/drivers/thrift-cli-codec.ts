/**
 * TCLIService messages in Thrift's binary protocol, read and written with the definitions
 * `@databricks/sql` itself ships (`node_modules/@databricks/sql/thrift`) and the `thrift` runtime it
 * loads: the fake server and the recorder speak exactly the dialect of the client under test, not a
 * second copy of the IDL. Loaded through the client's own module path so the versions always match.
 */
import { createRequire } from 'node:module';

const clientRequire = createRequire(createRequire(import.meta.url).resolve('@databricks/sql'));

/* eslint-disable @typescript-eslint/no-explicit-any -- generated Thrift code has no useful types here */
export const thrift = clientRequire('thrift') as any;
export const TCLIService = clientRequire('../thrift/TCLIService.js') as any;
export const T = clientRequire('../thrift/TCLIService_types.js') as any;
/** 64-bit integers as the generated code reads and writes them. */
export const Int64 = clientRequire('node-int64') as new (value: number) => { toNumber(): number };
/** Apache Arrow, the copy the client decodes result batches with. */
export const arrow = clientRequire('apache-arrow') as any;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Name, type and sequence id of one binary-protocol message (strict header: version word first). */
export interface MessageHeader {
  readonly name: string;
  readonly type: number;
  readonly seqid: number;
  /** Byte offset of the seqid field, so a recorded reply can be re-addressed to a new request. */
  readonly seqidOffset: number;
}

export function readMessageHeader(body: Buffer): MessageHeader {
  const word = body.readInt32BE(0);
  if ((word & 0xffff0000) !== (0x80010000 | 0)) throw new Error('not a strict Thrift binary message');
  const nameLength = body.readInt32BE(4);
  const name = body.toString('utf8', 8, 8 + nameLength);
  const seqidOffset = 8 + nameLength;
  return { name, type: word & 0xff, seqid: body.readInt32BE(seqidOffset), seqidOffset };
}

/** The same message with another sequence id (replies must carry the id of the request they answer). */
export function withSeqid(message: Buffer, seqid: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeInt32BE(seqid, readMessageHeader(copy).seqidOffset);
  return copy;
}

/** Serializes with the binary protocol into one buffer. */
export function encode(write: (protocol: unknown) => void): Buffer {
  let out = Buffer.alloc(0);
  const transport = new thrift.TBufferedTransport(undefined, (buffer: Buffer) => (out = Buffer.concat([out, buffer])));
  const protocol = new thrift.TBinaryProtocol(transport);
  write(protocol);
  transport.flush();
  return out;
}

/** A binary-protocol reader positioned at the start of `body`. */
export function reader(body: Buffer): unknown {
  const transport = new thrift.TBufferedTransport();
  transport.inBuf = body;
  transport.writeCursor = body.length;
  return new thrift.TBinaryProtocol(transport);
}

type Protocol = {
  readMessageBegin(): unknown; readMessageEnd(): void; readStructBegin(): unknown; readStructEnd(): void;
  readFieldBegin(): { ftype: number; fid: number }; readFieldEnd(): void; skip(type: number): void;
  writeMessageBegin(name: string, type: number, seqid: number): void; writeMessageEnd(): void;
  writeStructBegin(name: string): void; writeStructEnd(): void; writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void; writeFieldStop(): void;
};

/**
 * Every TCLIService method takes one struct `T<Name>Req` as field 1 of its arguments and answers
 * one `T<Name>Resp` as field 0 (`success`) of its result; the generated `_args`/`_result` wrappers
 * are not exported, so these read and write that envelope around the exported structs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readEnvelope(body: Buffer, fieldId: number, struct: string): any {
  const input = reader(body) as Protocol;
  input.readMessageBegin();
  input.readStructBegin();
  let value: unknown;
  for (;;) {
    const field = input.readFieldBegin();
    if (field.ftype === thrift.Thrift.Type.STOP) break;
    if (field.fid === fieldId && field.ftype === thrift.Thrift.Type.STRUCT) {
      const v = new T[struct]();
      v.read(input);
      value = v;
    } else input.skip(field.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
  return value;
}

function writeEnvelope(name: string, type: number, seqid: number, fieldId: number, value: { write(p: unknown): void }): Buffer {
  return encode((p) => {
    const protocol = p as Protocol;
    protocol.writeMessageBegin(name, type, seqid);
    protocol.writeStructBegin(`TCLIService_${name}_${fieldId === 0 ? 'result' : 'args'}`);
    protocol.writeFieldBegin(fieldId === 0 ? 'success' : 'req', thrift.Thrift.Type.STRUCT, fieldId);
    value.write(protocol);
    protocol.writeFieldEnd();
    protocol.writeFieldStop();
    protocol.writeStructEnd();
    protocol.writeMessageEnd();
  });
}

/** Decodes a call: its header and its `T<Name>Req`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readCall(body: Buffer): { header: MessageHeader; req: any } {
  const header = readMessageHeader(body);
  return { header, req: readEnvelope(body, 1, `T${header.name}Req`) };
}

/** Encodes a call as the client would send it. */
export function writeCall(name: string, seqid: number, req: unknown): Buffer {
  const struct = req instanceof T[`T${name}Req`] ? req : new T[`T${name}Req`](req);
  return writeEnvelope(name, thrift.Thrift.MessageType.CALL, seqid, 1, struct);
}

/** Decodes a reply's `T<Name>Resp` (undefined for an exception message). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readReply(body: Buffer): any {
  const header = readMessageHeader(body);
  if (header.type !== thrift.Thrift.MessageType.REPLY) return undefined;
  return readEnvelope(body, 0, `T${header.name}Resp`);
}

/** Encodes a reply carrying `success`, as a server would. */
export function writeReply(name: string, seqid: number, success: unknown): Buffer {
  const struct = success instanceof T[`T${name}Resp`] ? success : new T[`T${name}Resp`](success);
  return writeEnvelope(name, thrift.Thrift.MessageType.REPLY, seqid, 0, struct);
}
