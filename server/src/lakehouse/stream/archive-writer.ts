import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** One line to archive and the time Kinesis received its record. */
export interface ArchiveLine {
  readonly line: string;
  readonly arrivalMs: number;
}

/**
 * Writes lines as Firehose delivers them to S3: prefix `YYYY/MM/DD/HH/` of the ARRIVAL time (UTC),
 * object `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>.gz`, gzip of newline-delimited records
 * (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html). One file per hour touched
 * by the batch; each file appears atomically (written aside, then renamed). Like Firehose this is
 * at-least-once: a batch replayed after a crash is archived again under a new name.
 */
export async function writeArchive(options: {
  readonly root: string;
  readonly prefix: string;
  readonly streamName: string;
  readonly lines: readonly ArchiveLine[];
}): Promise<string[]> {
  const byHour = new Map<string, ArchiveLine[]>();
  for (const line of options.lines) {
    const key = hourPrefix(line.arrivalMs);
    let group = byHour.get(key);
    if (!group) byHour.set(key, (group = []));
    group.push(line);
  }
  const written: string[] = [];
  for (const [hour, lines] of byHour) {
    const name = `${options.streamName}-1-${fileStamp(lines[0]!.arrivalMs)}-${randomUUID()}.gz`;
    const path = join(options.root, options.prefix, hour, name);
    await mkdir(dirname(path), { recursive: true });
    // Fastest level: the archive is read rarely, and level 1 halves the CPU the ingest path spends here.
    const body = await gzipAsync(Buffer.from(lines.map((l) => `${l.line}\n`).join('')), { level: constants.Z_BEST_SPEED });
    const temporary = join(dirname(path), `.${name}.tmp`);
    await writeFile(temporary, body);
    await rename(temporary, path);
    written.push(path);
  }
  return written;
}

/** `YYYY/MM/DD/HH` in UTC. */
export function hourPrefix(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

function fileStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}
