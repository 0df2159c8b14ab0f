/**
 * Splits the byte stream of one connection into Postgres protocol messages.
 * Before startup completes, messages have no type byte (StartupMessage, SSLRequest, CancelRequest);
 * afterwards every message is `type(1) length(4, includes itself) body`.
 * https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
 */

/** One frontend message: `type` is '' for the untyped startup-phase messages. */
export interface FrontendFrame {
  readonly type: string;
  readonly body: Buffer;
}

/** Largest message we accept; a longer length is a broken or hostile client. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export class MessageFramer {
  private buffer: Buffer = Buffer.alloc(0);
  /** True until the startup packet has been read. */
  startupPhase = true;

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
  }

  /** Next complete message, or undefined when more bytes are needed. Throws on a bad length. */
  next(): FrontendFrame | undefined {
    const headerBytes = this.startupPhase ? 4 : 5;
    if (this.buffer.length < headerBytes) return undefined;
    const lengthOffset = this.startupPhase ? 0 : 1;
    const length = this.buffer.readInt32BE(lengthOffset);
    if (length < 4 || length > MAX_MESSAGE_BYTES) throw new Error(`invalid message length ${length}`);
    const total = lengthOffset + length;
    if (this.buffer.length < total) return undefined;
    const type = this.startupPhase ? '' : String.fromCharCode(this.buffer[0]!);
    const body = this.buffer.subarray(lengthOffset + 4, total);
    this.buffer = this.buffer.subarray(total);
    return { type, body };
  }
}

/** Sequential reader over one message body. */
export class BodyReader {
  private offset = 0;
  constructor(private readonly body: Buffer) {}

  int16(): number {
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw new Error('unterminated string in message');
    const s = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (this.offset + n > this.body.length) throw new Error('message shorter than declared');
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  byte(): string {
    return String.fromCharCode(this.body[this.offset++]!);
  }

  rest(): Buffer {
    const b = this.body.subarray(this.offset);
    this.offset = this.body.length;
    return b;
  }

  get remaining(): number {
    return this.body.length - this.offset;
  }
}
