/**
 * Splits the byte stream of one connection into Postgres protocol messages, checking each
 * message's type and declared length from its header before buffering its body, so a client can
 * never make the server hold more than one message of the largest size its phase allows.
 * Before startup completes, messages have no type byte (StartupMessage, SSLRequest, CancelRequest);
 * afterwards every message is `type(1) length(4, includes itself) body`.
 * https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
 *
 * Limits (Postgres's own, from postgres.c and auth.c, except the configurable large limit):
 * - startup packet: 8..10 000 bytes (MAX_STARTUP_PACKET_LENGTH);
 * - password/SASL messages before login: up to 65 535 bytes (PG_MAX_AUTH_TOKEN_LENGTH);
 * - after login, Close/Describe/Execute/Flush/Sync/Terminate/CopyDone/CopyFail: up to 10 000
 *   bytes (PQ_SMALL_MESSAGE_LIMIT); Query/Parse/Bind/FunctionCall/CopyData: up to
 *   `maxMessageBytes` (Postgres allows 1 GB; see DEFAULT_MAX_MESSAGE_BYTES);
 * - any other type byte is garbage: Postgres ends the connection ("invalid frontend message type").
 */
import { describeType, protocolViolation, WireError } from './wire-error.ts';

/** One frontend message: `type` is '' for the untyped startup-phase messages. */
export interface FrontendFrame {
  readonly type: string;
  readonly body: Buffer;
}

/** Where the connection is: which messages are valid and how large they may be. */
export type FramerPhase = 'startup' | 'auth' | 'query';

export const MAX_STARTUP_BYTES = 10_000;
export const MAX_AUTH_MESSAGE_BYTES = 65_535;
export const SMALL_MESSAGE_BYTES = 10_000;
/**
 * 16 MiB: Power BI's largest DirectQuery statements (slicers with thousands of values) and
 * Tableau's custom SQL stay well under 1 MB, and Bind values are single filter values; 16 MiB
 * leaves a wide margin while a logged-in client can pin at most that much per connection
 * (Postgres's 1 GB would let a handful of connections exhaust the server).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const LARGE_TYPES = new Set(['Q', 'P', 'B', 'F', 'd']);
const SMALL_TYPES = new Set(['C', 'D', 'E', 'H', 'S', 'X', 'c', 'f']);

export class MessageFramer {
  /** Set by the connection as it moves from startup to authentication to queries. */
  phase: FramerPhase = 'startup';
  private chunks: Buffer[] = [];
  private buffered = 0;
  private peak = 0;

  /** `maxMessageBytes`: the largest Query/Parse/Bind accepted, length word included. */
  constructor(readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {
    if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 4) throw new Error(`maxMessageBytes must be an integer of at least 4, got ${maxMessageBytes}`);
  }

  /** Bytes held now. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The most bytes ever held at once (never above the phase's largest message). */
  get peakBufferedBytes(): number {
    return this.peak;
  }

  /** How many more bytes `push` accepts: the framer never holds more than one largest message of its phase. */
  get room(): number {
    return Math.max(0, this.capacity() - this.buffered);
  }

  private capacity(): number {
    if (this.phase === 'startup') return MAX_STARTUP_BYTES;
    if (this.phase === 'auth') return 1 + MAX_AUTH_MESSAGE_BYTES;
    return 1 + Math.max(this.maxMessageBytes, SMALL_MESSAGE_BYTES);
  }

  /** Adds received bytes; the caller pushes at most `room` bytes and keeps the rest for later. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (chunk.length > this.room) throw new Error(`MessageFramer.push: ${chunk.length} bytes offered, room for ${this.room}`);
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > this.peak) this.peak = this.buffered;
  }

  /** Next complete message, or undefined when more bytes are needed. Throws a WireError on a bad header. */
  next(): FrontendFrame | undefined {
    const headerBytes = this.phase === 'startup' ? 4 : 5;
    if (this.buffered < headerBytes) return undefined;
    const header = this.peek(headerBytes);
    const type = this.phase === 'startup' ? '' : String.fromCharCode(header[0]!);
    const length = header.readInt32BE(headerBytes - 4);
    this.check(header[0]!, length);
    const total = headerBytes - 4 + length;
    if (this.buffered < total) return undefined;
    const frame = this.take(total);
    return { type, body: frame.subarray(headerBytes) };
  }

  /** Validates a header before any of its body is buffered. */
  private check(typeByte: number, length: number): void {
    if (this.phase === 'startup') {
      if (length < 8 || length > MAX_STARTUP_BYTES) throw protocolViolation(`invalid length of startup packet: ${length} (8 to ${MAX_STARTUP_BYTES} bytes)`);
      return;
    }
    const type = String.fromCharCode(typeByte);
    if (this.phase === 'auth') {
      if (type !== 'p') throw protocolViolation(`expected password response, got message type ${describeType(typeByte)}`);
      if (length < 4 || length > MAX_AUTH_MESSAGE_BYTES) throw protocolViolation(`invalid message length ${length} for a password message (4 to ${MAX_AUTH_MESSAGE_BYTES} bytes)`);
      return;
    }
    const large = LARGE_TYPES.has(type);
    if (!large && !SMALL_TYPES.has(type)) throw protocolViolation(`invalid frontend message type ${describeType(typeByte)}`);
    if (length < 4) throw protocolViolation(`invalid message length ${length} for message type ${describeType(typeByte)}`);
    if (!large && length > SMALL_MESSAGE_BYTES) throw protocolViolation(`invalid message length ${length} for message type ${describeType(typeByte)} (at most ${SMALL_MESSAGE_BYTES} bytes)`);
    if (large && length > this.maxMessageBytes) {
      throw new WireError('54000', `message of type ${describeType(typeByte)} declares ${length} bytes, over the server's maximum message size of ${this.maxMessageBytes} bytes`);
    }
  }

  /** The first `n` buffered bytes, contiguous, left in place. */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) {
      let count = 0;
      for (let bytes = 0; bytes < n; count++) bytes += this.chunks[count]!.length;
      this.chunks.splice(0, count, Buffer.concat(this.chunks.slice(0, count)));
    }
    return this.chunks[0]!.subarray(0, n);
  }

  /** Removes and returns the first `n` buffered bytes, contiguous. */
  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let left = n;
      while (left > 0) {
        const c = this.chunks[0]!;
        if (c.length <= left) {
          parts.push(c);
          this.chunks.shift();
          left -= c.length;
        } else {
          parts.push(c.subarray(0, left));
          this.chunks[0] = c.subarray(left);
          left = 0;
        }
      }
      out = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    return out;
  }
}
