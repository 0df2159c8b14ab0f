/**
 * Sequential, bounds-checked reader over one frontend message body. Every read that would pass
 * the end, a string without its NUL, invalid UTF-8 or bytes left over at the end raise a
 * WireError naming the message (Postgres's pq_getmsg* functions: "insufficient data left in
 * message", "invalid message format", "invalid byte sequence for encoding"), never a RangeError.
 */
import { isUtf8 } from 'node:buffer';
import { protocolViolation, WireError } from './wire-error.ts';

export class BodyReader {
  private offset = 0;

  /** `message` names the message in errors, e.g. 'Bind'. */
  constructor(
    private readonly body: Buffer,
    private readonly message = 'frontend',
  ) {}

  private need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.body.length) {
      throw protocolViolation(`insufficient data left in ${this.message} message: ${what} needs ${n} bytes, ${this.remaining} left`);
    }
  }

  int16(what = 'an Int16'): number {
    this.need(2, what);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(what = 'an Int32'): number {
    this.need(4, what);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A count (Int16) that must not be negative and whose items (`itemBytes` each, at least) must fit. */
  count(what: string, itemBytes: number): number {
    const n = this.int16(what);
    if (n < 0) throw protocolViolation(`invalid ${what} ${n} in ${this.message} message`);
    if (n * itemBytes > this.remaining) throw protocolViolation(`insufficient data left in ${this.message} message: ${what} ${n} needs at least ${n * itemBytes} bytes, ${this.remaining} left`);
    return n;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(what = 'a string'): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw protocolViolation(`invalid string in ${this.message} message: ${what} has no terminating NUL`);
    const bytes = this.body.subarray(this.offset, end);
    if (!isUtf8(bytes)) throw new WireError('22021', `invalid byte sequence for encoding "UTF8" in ${what} of the ${this.message} message`);
    this.offset = end + 1;
    return bytes.toString('utf8');
  }

  bytes(n: number, what = 'a value'): Buffer {
    this.need(n, what);
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  byte(what = 'a byte'): number {
    this.need(1, what);
    return this.body[this.offset++]!;
  }

  rest(): Buffer {
    const b = this.body.subarray(this.offset);
    this.offset = this.body.length;
    return b;
  }

  /** The message must end here (Postgres's pq_getmsgend). */
  end(): void {
    if (this.remaining !== 0) throw protocolViolation(`invalid ${this.message} message format: ${this.remaining} unexpected bytes at the end`);
  }

  get remaining(): number {
    return this.body.length - this.offset;
  }
}
