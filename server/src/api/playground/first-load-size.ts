/**
 * How much a browser downloads to show a page of a Vite build: the page's entry chunk plus every
 * chunk it imports statically (transitively), from Vite's `.vite/manifest.json`. Dynamically
 * imported chunks (GraphiQL, loaded on demand) are not part of the first load. Sizes are gzip at
 * the default level, which is what a server compressing on the fly sends.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bytes of the first load: JavaScript (raw and gzipped) and CSS (gzipped). */
export interface FirstLoadSize {
  readonly jsFiles: readonly string[];
  readonly jsBytes: number;
  readonly jsGzipBytes: number;
  readonly cssGzipBytes: number;
}

interface ManifestChunk {
  readonly file: string;
  readonly imports?: readonly string[];
  readonly css?: readonly string[];
  readonly isEntry?: boolean;
}

/** The first load of the entry `entryKey` (the manifest key, e.g. `index.html`) of the build in `outDir`. */
export function firstLoadSize(outDir: string, entryKey: string): FirstLoadSize {
  const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  if (!manifest[entryKey]) throw new Error(`no entry ${entryKey} in the Vite manifest`);
  const chunks = new Set<string>();
  const css = new Set<string>();
  const visit = (key: string): void => {
    if (chunks.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) return;
    chunks.add(key);
    for (const file of chunk.css ?? []) css.add(file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entryKey);
  const jsFiles = [...chunks].map((key) => manifest[key]!.file).filter((file) => file.endsWith('.js'));
  let jsBytes = 0;
  let jsGzipBytes = 0;
  for (const file of jsFiles) {
    const bytes = readFileSync(path.join(outDir, file));
    jsBytes += bytes.length;
    jsGzipBytes += gzipSync(bytes).length;
  }
  let cssGzipBytes = 0;
  for (const file of css) cssGzipBytes += gzipSync(readFileSync(path.join(outDir, file))).length;
  return { jsFiles, jsBytes, jsGzipBytes, cssGzipBytes };
}
