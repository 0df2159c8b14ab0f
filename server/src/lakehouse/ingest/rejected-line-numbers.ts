import fs from 'node:fs';
import type { LandingFile } from './landing-files.ts';

/**
 * The line numbers of a plain file's rejected records, found from their text: DuckDB's parallel
 * CSV scan gives a plain file's records (landing-files.ts, `plain`) exactly as its lines but does
 * not number them, and numbering every line of the file again (`numberedLinesSql`, one thread)
 * cost more than the whole rejection check. A plain file has no CR, blank line or byte-order mark,
 * so a record's UTF-8 bytes are its line's bytes; each text is looked up with `Buffer.indexOf`
 * (native) and must start and end on a line boundary, after the header when there is one.
 * Identical texts get their occurrences in file order (identical lines get identical verdicts,
 * so which copy is which does not matter). Returns the numbers in the order of `texts`.
 */
export function rejectedLineNumbers(file: LandingFile, texts: readonly string[], header: boolean): number[] {
  const bytes = fs.readFileSync(file.absolutePath);
  const firstRecord = header ? bytes.indexOf(0x0a) + 1 : 0;
  const positions = new Map<string, number[]>();
  const byText = new Map<string, number[]>();
  texts.forEach((text, i) => byText.set(text, [...(byText.get(text) ?? []), i]));
  for (const [text, indexes] of byText) {
    const needle = Buffer.from(text, 'utf8');
    if (needle.length === 0) throw new Error(`empty rejected record in ${file.relativePath}: a plain file has no blank line`);
    const found: number[] = [];
    for (let at = bytes.indexOf(needle, firstRecord); at !== -1 && found.length < indexes.length; at = bytes.indexOf(needle, at + 1)) {
      const startsLine = at === firstRecord || bytes[at - 1] === 0x0a;
      const end = at + needle.length;
      if (startsLine && (end === bytes.length || bytes[end] === 0x0a)) found.push(at);
    }
    // Fewer copies than rejected records: the bytes are not what DuckDB read (the file changed).
    if (found.length < indexes.length) throw new Error(`rejected record not found in ${file.relativePath}: ${text.slice(0, 80)}`);
    positions.set(text, found);
  }
  const offsets = [...new Set([...positions.values()].flat())].sort((a, b) => a - b);
  const lineAt = new Map<number, number>();
  let line = 1;
  let cursor = 0;
  for (const offset of offsets) {
    for (let nl = bytes.indexOf(0x0a, cursor); nl !== -1 && nl < offset; nl = bytes.indexOf(0x0a, nl + 1)) line++, (cursor = nl + 1);
    cursor = Math.max(cursor, offset);
    lineAt.set(offset, line);
  }
  const numbers = new Array<number>(texts.length);
  for (const [text, indexes] of byText) indexes.forEach((index, k) => (numbers[index] = lineAt.get(positions.get(text)![k]!)!));
  return numbers;
}
