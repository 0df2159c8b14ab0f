import fs from 'node:fs';
import type { LandingFile } from './landing-files.ts';

/**
 * The line numbers of a plain file's rejected records, found from their text: DuckDB's parallel
 * CSV scan gives a plain file's records (landing-files.ts, `plain`) exactly as its lines but does
 * not number them, and numbering every line of the file again (`numberedLinesSql`, one thread)
 * cost more than the whole rejection check. A plain file is valid UTF-8 with no CR, blank line or
 * byte-order mark, so a record's text is its line's text. One pass over the lines (after the header
 * when there is one) decodes only the lines whose byte length is a rejected record's, looks them up
 * by text, and stops once every record is placed. Identical texts get their lines in file order
 * (identical lines get identical verdicts, so which copy is which does not matter). Returns the
 * numbers in the order of `texts`.
 */
export function rejectedLineNumbers(file: LandingFile, texts: readonly string[], header: boolean): number[] {
  const bytes = fs.readFileSync(file.absolutePath);
  const waiting = new Map<string, { readonly indexes: number[]; next: number }>();
  texts.forEach((text, index) => {
    const entry = waiting.get(text);
    if (entry) entry.indexes.push(index);
    else waiting.set(text, { indexes: [index], next: 0 });
  });
  const lengths = new Set([...waiting.keys()].map((text) => Buffer.byteLength(text, 'utf8')));
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
    if (lengths.has(end - start)) {
      const entry = waiting.get(bytes.toString('utf8', start, end));
      if (entry && entry.next < entry.indexes.length) {
        numbers[entry.indexes[entry.next++]!] = line;
        pending--;
      }
    }
    start = end + 1;
    line++;
  }
  // A record not on any line: the bytes are not what DuckDB read (the file changed meanwhile).
  if (pending > 0) throw new Error(`${pending} rejected record(s) not found in ${file.relativePath}`);
  return numbers;
}
