/**
 * Encodes a columnar result into DataRow messages written back to back into large chunks
 * (one allocation per 256 KB instead of one per cell); each row is a view into its chunk so
 * Execute can still hand out rows one portal-limit at a time.
 */
import { encodeText, encodeValue } from './encode-value.ts';

const CHUNK_BYTES = 256 * 1024;

export function encodeRows(data: readonly (readonly unknown[])[], oids: readonly number[], formats: readonly number[], rowCount: number): Buffer[] {
  const columns = oids.length;
  const rows: Buffer[] = new Array(rowCount);
  const texts: (string | Buffer | null)[] = new Array(columns);
  const lengths: number[] = new Array(columns);
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let offset = 0;
  for (let r = 0; r < rowCount; r++) {
    let size = 7;
    for (let c = 0; c < columns; c++) {
      const v = data[c]![r];
      if (v === null || v === undefined) {
        texts[c] = null;
        size += 4;
        continue;
      }
      if (formats[c] === 1) {
        const b = encodeValue(v, oids[c]!, 1)!;
        texts[c] = b;
        lengths[c] = b.length;
      } else {
        const s = typeof v === 'string' && (oids[c] === 25 || oids[c] === 1043) ? v : encodeText(v, oids[c]!);
        texts[c] = s;
        lengths[c] = Buffer.byteLength(s);
      }
      size += 4 + lengths[c]!;
    }
    if (offset + size > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, size));
      offset = 0;
    }
    const start = offset;
    chunk[offset] = 0x44; // 'D'
    chunk.writeInt32BE(size - 1, offset + 1);
    chunk.writeInt16BE(columns, offset + 5);
    offset += 7;
    for (let c = 0; c < columns; c++) {
      const t = texts[c];
      if (t === null || t === undefined) {
        chunk.writeInt32BE(-1, offset);
        offset += 4;
        continue;
      }
      chunk.writeInt32BE(lengths[c]!, offset);
      offset += 4;
      if (typeof t === 'string') offset += chunk.write(t, offset, 'utf8');
      else offset += t.copy(chunk, offset);
    }
    rows[r] = chunk.subarray(start, offset);
  }
  return rows;
}
