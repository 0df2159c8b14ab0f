import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBind, buildDescribe, buildExecute, buildParse, buildQuery, buildSync } from './frontend-builders.ts';
import { MAX_AUTH_MESSAGE_BYTES, MAX_STARTUP_BYTES, MessageFramer, SMALL_MESSAGE_BYTES, type FrontendFrame } from './message-framer.ts';
import { WireError } from './wire-error.ts';

function header(type: string, length: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = type.charCodeAt(0);
  b.writeInt32BE(length, 1);
  return b;
}

function queryFramer(max = 1024): MessageFramer {
  const f = new MessageFramer(max);
  f.phase = 'query';
  return f;
}

function errorOf(f: MessageFramer): WireError {
  try {
    f.next();
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return e as WireError;
  }
  throw new Error('expected a WireError');
}

/** Pushes `data` in the given chunk sizes, always within `room`, taking frames as they complete. */
function feed(f: MessageFramer, data: Buffer, sizes: readonly number[]): FrontendFrame[] {
  const frames: FrontendFrame[] = [];
  let offset = 0;
  let i = 0;
  while (offset < data.length) {
    const size = Math.max(1, Math.min(sizes[i++ % sizes.length]!, f.room, data.length - offset));
    f.push(data.subarray(offset, offset + size));
    offset += size;
    for (let frame = f.next(); frame; frame = f.next()) frames.push(frame);
  }
  return frames;
}

describe('MessageFramer', () => {
  it('splits pipelined messages identically whatever the chunk boundaries', () => {
    const messages = [buildParse('s1', 'select $1::int', [23]), buildBind('', 's1', [Buffer.from('7')]), buildDescribe('P', ''), buildExecute(''), buildSync(), buildQuery('select 1')];
    const stream = Buffer.concat(messages);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const frames = feed(queryFramer(), stream, sizes);
        expect(frames.map((fr) => fr.type)).toEqual(['P', 'B', 'D', 'E', 'S', 'Q']);
        expect(frames.map((fr) => fr.body.toString('hex'))).toEqual(messages.map((m) => m.subarray(5).toString('hex')));
      }),
    );
  });

  it('refuses a huge declared length from the 5-byte header, before any body is buffered', () => {
    const f = queryFramer(1024);
    f.push(header('Q', 0x0fffffff));
    const e = errorOf(f);
    expect(e.sqlState).toBe('54000');
    expect(e.message).toMatch(/'Q' declares 268435455 bytes.*maximum message size of 1024/);
    expect(f.peakBufferedBytes).toBe(5);
  });

  it('refuses lengths below 4, negative lengths and small messages over 10 000 bytes with 08P01', () => {
    for (const [type, length] of [['B', 3], ['P', -1], ['S', SMALL_MESSAGE_BYTES + 1], ['D', 0x7fffffff], ['E', 10_001]] as const) {
      const f = queryFramer(1 << 20);
      f.push(header(type, length));
      const e = errorOf(f);
      expect(e.sqlState, `${type} ${length}`).toBe('08P01');
      expect(e.message).toMatch(new RegExp(`invalid message length ${length} for message type '${type}'`));
    }
  });

  it('refuses a type byte Postgres does not know with 08P01 naming the byte', () => {
    for (const type of [0x00, 0x41, 0x70, 0xff]) {
      const f = queryFramer();
      f.push(Buffer.from([type, 0, 0, 0, 4]));
      const e = errorOf(f);
      expect(e.sqlState).toBe('08P01');
      expect(e.message).toMatch(/invalid frontend message type/);
    }
  });

  it('keeps a startup packet within 8..10 000 bytes and a password message within 65 535', () => {
    for (const length of [0, 7, MAX_STARTUP_BYTES + 1, 0x0fffffff, -5]) {
      const f = new MessageFramer();
      const b = Buffer.alloc(4);
      b.writeInt32BE(length);
      f.push(b);
      expect(errorOf(f).message).toMatch(/invalid length of startup packet/);
    }
    const auth = new MessageFramer();
    auth.phase = 'auth';
    auth.push(header('p', MAX_AUTH_MESSAGE_BYTES + 1));
    expect(errorOf(auth).message).toMatch(/password message/);
    const other = new MessageFramer();
    other.phase = 'auth';
    other.push(header('Q', 10));
    expect(errorOf(other).message).toBe("expected password response, got message type 'Q'");
  });

  it('never holds more than one largest message of its phase, however the bytes arrive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 4, max: 2000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 10 }),
        (bodySizes, chunkSizes) => {
          const max = 1500;
          const f = queryFramer(max);
          const messages = bodySizes.map((n) => Buffer.concat([header('Q', Math.min(n, max)), Buffer.alloc(Math.min(n, max) - 4, 0x61)]));
          const frames = feed(f, Buffer.concat(messages), chunkSizes);
          expect(frames).toHaveLength(messages.length);
          expect(f.peakBufferedBytes).toBeLessThanOrEqual(1 + Math.max(max, SMALL_MESSAGE_BYTES));
          expect(f.bufferedBytes).toBe(0);
        },
      ),
    );
  });

  it('has no room left once it holds a complete largest message, so the caller must stop reading', () => {
    const f = queryFramer(SMALL_MESSAGE_BYTES);
    const big = Buffer.concat([header('Q', SMALL_MESSAGE_BYTES), Buffer.alloc(SMALL_MESSAGE_BYTES - 4)]);
    f.push(big);
    expect(f.room).toBe(0);
    expect(() => f.push(Buffer.from([1]))).toThrow(/room for 0/);
    expect(f.next()?.body.length).toBe(SMALL_MESSAGE_BYTES - 4);
    expect(f.room).toBe(SMALL_MESSAGE_BYTES + 1);
  });
});
