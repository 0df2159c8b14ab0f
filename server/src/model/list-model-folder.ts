/**
 * The files of a model folder as the compiler sees them, and a cheap fingerprint of them for hot
 * reload: one `stat` per file instead of reading every file, so a periodic re-scan costs little.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isSkippedPath } from './classify-model-files.ts';

/** One file under the model folder: `relative` to it with `/` separators, `absolute` to read it. */
export interface ModelFolderEntry {
  readonly relative: string;
  readonly absolute: string;
  readonly entry: Dirent;
}

/** Every file under `dir` that belongs to the model (README/markdown, hidden files, `node_modules` left out). */
export async function listModelFolder(dir: string): Promise<ModelFolderEntry[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const absolute = path.join(e.parentPath, e.name);
      return { entry: e, absolute, relative: path.relative(dir, absolute).split(path.sep).join('/') };
    })
    .filter(({ relative }) => !isSkippedPath(relative));
}

/**
 * Names, sizes, modification times and inodes of the model files: differs after any save, including
 * a replacement by rename (new inode) that file-system events may not report. A file that vanishes
 * while being listed (an editor's temporary file) is left out.
 */
export async function fingerprintModelFolder(dir: string): Promise<string> {
  const entries = await listModelFolder(dir);
  const parts = await Promise.all(
    entries.map(async ({ relative, absolute }) => {
      const info = await stat(absolute).catch(() => undefined);
      return info ? `${relative}\0${info.size}\0${info.mtimeMs}\0${info.ino}` : '';
    }),
  );
  return parts.sort().join('\n');
}
