/**
 * Which front-end reads each file of a model folder. Cube reads `.yml`/`.yaml` (rendered as Jinja
 * when they hold `{%`, `{{` or `{#`), `.yml.jinja`/`.yaml.jinja` and `.js`; `.json` files are data
 * (`require('./x.json')`, a dbt `manifest.json`) and other `.jinja` files are includable templates.
 * Python helpers (`globals.py`) are not run here, and any other file is not read: the compiler
 * names both, so a folder never silently compiles to an empty model.
 */

/** A model-folder file: path relative to the root with `/`, and its text. */
interface File {
  readonly path: string;
  readonly content: string;
}

/** The files of a folder by the front-end that reads them. */
export interface ModelSources {
  readonly yaml: File[];
  readonly jinja: File[];
  readonly js: File[];
  readonly data: File[];
  /** `.jinja` files that are not models themselves (macros to include/import). */
  readonly templates: File[];
  readonly python: File[];
  readonly ignored: File[];
}

const JINJA_MARKERS = /\{%|\{\{|\{#/;

/** Sorts files into front-ends (input order kept). */
export function classifyModelFiles(files: readonly File[]): ModelSources {
  const out: ModelSources = { yaml: [], jinja: [], js: [], data: [], templates: [], python: [], ignored: [] };
  for (const file of files) {
    const name = file.path.toLowerCase();
    if (/\.ya?ml\.(jinja|j2)$/.test(name)) out.jinja.push(file);
    else if (/\.ya?ml$/.test(name)) (JINJA_MARKERS.test(file.content) ? out.jinja : out.yaml).push(file);
    else if (/\.c?js$/.test(name)) out.js.push(file);
    else if (/\.json$/.test(name)) out.data.push(file);
    else if (/\.(jinja|j2)$/.test(name)) out.templates.push(file);
    else if (/\.py$/.test(name)) out.python.push(file);
    else if (!isSkippedPath(file.path)) out.ignored.push(file);
  }
  return out;
}

/** Files whose text the compiler reads. */
export function hasReadableExtension(name: string): boolean {
  return /\.(ya?ml|jinja|j2|c?js|json|py)$/i.test(name);
}

/** Files never considered part of the model: docs, hidden files, dependencies, editor leftovers. */
export function isSkippedPath(path: string): boolean {
  const parts = path.split('/');
  const base = parts[parts.length - 1]!;
  if (parts.some((p) => p.startsWith('.') || p === 'node_modules' || p === '__pycache__')) return true;
  return /^readme(\..*)?$/i.test(base) || /\.(md|markdown|txt|rst)$/i.test(base) || /~$/.test(base) || /\.(swp|bak|orig)$/i.test(base) || /^license/i.test(base);
}
