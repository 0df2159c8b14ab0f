import fs from 'node:fs';
import type { LandingFile } from './landing-files.ts';

/**
 * The line numbers of a plain file's rejected records, found from their text: DuckDB's parallel
 * CSV scan gives a plain file's records (landing-files.ts, `plain`) exactly as its lines but does
 * not number them, and numbering every line of the file again (`numberedLinesSql`, one thread)
 * cost more than the whole rejection check. A plain file has no CR, blank line or byte-order mark,
 * so a record's UTF-8 bytes are its line's bytes. One pass over the lines (after the header when
 * there is one) compares only the lines whose length is a rejected record's length, byte for byte,
 * and stops once every record is placed. Identical texts get their lines in file order (identical
 * lines get identical verdicts, so which copy is which does not matter). Returns the numbers in the
 * order of `texts`.
 */
export function rejectedLineNumbers(file: LandingFile, texts: readonly string[], header: boolean): number[] {
  const bytes = fs.readFileSync(file.absolutePath);
  const wanted = new Map<number, { needle: Buffer; indexes: number[] }[]>();
  texts.forEach((text, index) => {
    const needle = Buffer.from(text, 'utf8');
    const sameLength = wanted.get(needle.length) ?? [];
    const same = sameLength.find((w) => w.needle.equals(needle));
    if (same) same.indexes.push(index);
    else sameLength.push({ needle, indexes: [index] });
    wanted.set(needle.length, sameLength);
  });
  const numbers = new Array<number>(texts.length);
  let pending = texts.length;
  let line = 1;
  let start = 0;
  if (header) {
    start = bytes.indexOf(0x0a) + 1;
    line = 2;
    if (start === 0) start = bytes.length;
  }
  while (pending > 0 && start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    for (const candidate of wanted.get(end - start) ?? []) {
      if (candidate.indexes.length === 0 || bytes.compare(candidate.needle, 0, candidate.needle.length, start, end) !== 0) continue;
      numbers[candidate.indexes.shift()!] = line;
      pending--;
      break;
    }
    start = end + 1;
    line++;
  }
  // A record not on any line: the bytes are not what DuckDB read (the file changed meanwhile).
  if (pending > 0) throw new Error(`${pending} rejected record(s) not found in ${file.relativePath}`);
  return numbers;
}
