import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeParam } from './decode-param.ts';
import { buildBind, buildClose, buildDescribe, buildExecute, buildParse, buildQuery } from './frontend-builders.ts';
import { readBind, readExecute, readParse, readQuery, readSaslInitial, readStartupPacket, readTarget } from './frontend-messages.ts';
import { OID } from './pg-types.ts';
import { WireError } from './wire-error.ts';

const body = (frame: Buffer): Buffer => frame.subarray(5);

const READERS: Record<string, (b: Buffer) => unknown> = {
  Parse: readParse,
  Bind: readBind,
  Describe: (b) => readTarget(b, 'Describe'),
  Close: (b) => readTarget(b, 'Close'),
  Execute: readExecute,
  Query: readQuery,
  SASLInitialResponse: readSaslInitial,
  startup: readStartupPacket,
};

/** Runs a reader; it must either return or throw a WireError, never a RangeError or TypeError. */
function outcome(read: (b: Buffer) => unknown, b: Buffer): 'ok' | WireError {
  try {
    read(b);
    return 'ok';
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return e;
  }
}

describe('frontend message readers', () => {
  const valid: Record<string, Buffer> = {
    Parse: body(buildParse('s', 'select $1', [23, 25])),
    Bind: body(buildBind('p', 's', [Buffer.from('1'), null, Buffer.from([0, 0, 0, 2])], [0, 0, 1], [1])),
    Describe: body(buildDescribe('S', 'stmt')),
    Close: body(buildClose('P', 'portal')),
    Execute: body(buildExecute('portal', 10)),
    Query: body(buildQuery('select 1')),
  };

  it('reads valid messages and refuses every truncation of them with 08P01 naming the message', () => {
    for (const [name, full] of Object.entries(valid)) {
      expect(outcome(READERS[name]!, full)).toBe('ok');
      for (let cut = 0; cut < full.length; cut++) {
        const e = outcome(READERS[name]!, full.subarray(0, cut));
        expect(e, `${name} cut at ${cut}`).toBeInstanceOf(WireError);
        expect((e as WireError).sqlState).toBe('08P01');
        expect((e as WireError).message).toContain(name);
      }
      const longer = outcome(READERS[name]!, Buffer.concat([full, Buffer.from([1])]));
      expect((longer as WireError).message, name).toMatch(/unexpected bytes at the end/);
    }
  });

  it('never throws anything but a WireError on random bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(READERS)), fc.uint8Array({ maxLength: 80 }), (name, bytes) => {
        outcome(READERS[name]!, Buffer.from(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('checks Bind counts, lengths and format codes', () => {
    const wrongFormats = body(buildBind('', 's', [Buffer.from('1'), Buffer.from('2'), Buffer.from('3')], [0, 1]));
    expect((outcome(readBind, wrongFormats) as WireError).message).toBe('bind message has 2 parameter formats but 3 parameters');
    const badFormat = body(buildBind('', 's', [Buffer.from('1')], [7]));
    expect(outcome(readBind, badFormat)).toMatchObject({ sqlState: '22023' });
    const negativeLength = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 0])]);
    expect((outcome(readBind, negativeLength) as WireError).message).toMatch(/invalid length -2 of parameter 1/);
    const countPastEnd = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0x7f, 0xff])]);
    expect((outcome(readBind, countPastEnd) as WireError).message).toMatch(/parameter format count 32767 needs at least 65534 bytes/);
  });

  it('refuses a Describe target other than S or P, and invalid UTF-8 in strings', () => {
    expect((outcome((b) => readTarget(b, 'Describe'), Buffer.from('X\0')) as WireError).message).toBe('invalid Describe message subtype "X" (S or P)');
    expect(outcome(readQuery, Buffer.from([0xc3, 0x28, 0]))).toMatchObject({ sqlState: '22021' });
  });

  it('requires the startup packet to end with its terminator', () => {
    const version = Buffer.from([0, 3, 0, 0]);
    expect(readStartupPacket(Buffer.concat([version, Buffer.from('user\0u\0\0')]))).toEqual({ kind: 'startup', version: 196608, parameters: { user: 'u' } });
    expect((outcome(readStartupPacket, Buffer.concat([version, Buffer.from('user\0u\0\0x')])) as WireError).message).toMatch(/expected terminator as last byte/);
    expect((outcome(readStartupPacket, Buffer.concat([version, Buffer.from('user\0u')])) as WireError).sqlState).toBe('08P01');
  });
});

describe('decodeParam', () => {
  const OIDS = [OID.bool, OID.int2, OID.int4, OID.int8, OID.oid, OID.float4, OID.float8, OID.numeric, OID.date, OID.timestamp, OID.timestamptz, OID.text, OID.varchar, 0];

  it('never throws anything but a WireError on random values of any type and format', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OIDS), fc.constantFrom(0, 1), fc.uint8Array({ maxLength: 24 }), (oid, format, bytes) => {
        outcome((b) => decodeParam(b, oid, format, 1), Buffer.from(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses binary values of the wrong size with 22P03 naming the parameter', () => {
    expect(outcome((b) => decodeParam(b, OID.int4, 1, 3), Buffer.from([0, 1]))).toMatchObject({ sqlState: '22P03', message: 'incorrect binary data format in bind parameter 3: 2 bytes where the type takes 4' });
    expect(outcome((b) => decodeParam(b, OID.numeric, 1, 1), Buffer.from([0, 5, 0, 0, 0, 0, 0, 0]))).toMatchObject({ sqlState: '22P03' });
    expect(outcome((b) => decodeParam(b, OID.numeric, 1, 1), Buffer.from([0, 1, 0, 0, 0x12, 0x34, 0, 0, 0, 1]))).toMatchObject({ message: 'invalid sign in external "numeric" value in bind parameter 1' });
  });

  it('refuses text that is not a value of the type, as Postgres does (22P02, 22003)', () => {
    expect(outcome((b) => decodeParam(b, OID.int4, 0, 1), Buffer.from('12abc'))).toMatchObject({ sqlState: '22P02', message: 'invalid input syntax for type integer: "12abc"' });
    expect(outcome((b) => decodeParam(b, OID.int2, 0, 1), Buffer.from('40000'))).toMatchObject({ sqlState: '22003' });
    expect(outcome((b) => decodeParam(b, OID.bool, 0, 1), Buffer.from('maybe'))).toMatchObject({ sqlState: '22P02' });
    expect(decodeParam(Buffer.from(' 42 '), OID.int4, 0)).toBe(42);
    expect(decodeParam(Buffer.from('Infinity'), OID.float8, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(decodeParam(Buffer.from('YES'), OID.bool, 0)).toBe(true);
  });

  it('reads the infinite dates and timestamps date_send writes, and refuses dates JavaScript cannot hold', () => {
    expect(decodeParam(Buffer.from([0x7f, 0xff, 0xff, 0xff]), OID.date, 1)).toBe('infinity');
    expect(outcome((b) => decodeParam(b, OID.date, 1, 1), Buffer.from([0x7f, 0xff, 0xff, 0xfe]))).toMatchObject({ sqlState: '22008' });
  });
});
