/**
 * Jinja in YAML model files without Python: `*.yml.jinja` files, and `*.yml` files containing
 * `{%`, `{{` or `{#`, are rendered with nunjucks (Jinja's syntax in JavaScript, with its Jinja
 * compatibility layer: `True`/`None`, `dict.items()`, slices) and the result is parsed as YAML.
 * Templates see `COMPILE_CONTEXT`, the `dbt` helper and `dbt_model(name)` (dbt-manifest.ts) when the
 * folder holds a dbt `manifest.json`, and the filters Cube's templates use beyond nunjucks' own
 * (`tojson`, `map(attribute=...)`, `unique`, `items`). `{% include %}` / `{% import %}` read other
 * files of the model folder (paths from its root). Python helpers (`globals.py`) are not run: the
 * compiler reports `.py` files as unsupported, and a call to an undefined function says so.
 * Render errors name the template's file, line and column; problems in the YAML it produced are
 * moved back to template lines by template-lines.ts.
 */
import nunjucks from 'nunjucks';
import type { SourceLocation } from '../model-types.ts';
import { DbtProject } from './dbt-manifest.ts';

/** A file of the model folder a template may include. */
export interface TemplateFile {
  readonly path: string;
  readonly content: string;
}

/** A render failure, located in the template. */
export class JinjaRenderError extends Error {
  constructor(
    message: string,
    readonly location: SourceLocation,
  ) {
    super(message);
  }
}

let compatInstalled = false;

/** Renders templates of one model folder (one environment per compile: includes, dbt manifest). */
export class JinjaRenderer {
  private readonly environment: nunjucks.Environment;
  private readonly files = new Map<string, TemplateFile>();
  private dbt: DbtProject | undefined;

  constructor(
    files: readonly TemplateFile[],
    private readonly compileContext: Readonly<Record<string, unknown>>,
    private readonly pythonFiles: readonly string[] = [],
  ) {
    if (!compatInstalled) {
      nunjucks.installJinjaCompat();
      compatInstalled = true;
    }
    for (const file of files) this.files.set(file.path, file);
    const loader = {
      getSource: (name: string) => {
        const file = this.files.get(name.replace(/^\.?\//, ''));
        if (!file) throw new Error(`template "${name}" not found in the model folder`);
        return { src: file.content, path: file.path, noCache: true };
      },
    };
    this.environment = new nunjucks.Environment(loader, { autoescape: false, throwOnUndefined: false });
    this.addFilters();
  }

  /** True when a `.yml`/`.yaml` file must be rendered before parsing. */
  static isTemplate(path: string, content: string): boolean {
    return /\.jinja$/i.test(path) || /\{%|\{\{|\{#/.test(content);
  }

  /** The YAML text of `file`; throws `JinjaRenderError` with the template's position. */
  render(file: TemplateFile): string {
    const globals = {
      COMPILE_CONTEXT: this.compileContext,
      dbt: this.dbtProject(false),
      dbt_model: (name: string) => this.dbtProject(true)!.model(name),
      dict: (...args: unknown[]) => {
        const { __keywords: _ignored, ...rest } = (args[args.length - 1] ?? {}) as Record<string, unknown>;
        return rest;
      },
      namespace: (...args: unknown[]) => ({ ...((args[args.length - 1] ?? {}) as Record<string, unknown>) }),
    };
    let template: nunjucks.Template;
    try {
      template = new nunjucks.Template(file.content, this.environment, file.path, true);
    } catch (error) {
      throw this.locate(error, file.path, 0);
    }
    try {
      return template.render(globals);
    } catch (error) {
      // nunjucks numbers render-time positions from 0, parse-time ones from 1
      throw this.locate(error, file.path, 1);
    }
  }

  private dbtProject(required: boolean): DbtProject | undefined {
    if (this.dbt) return this.dbt;
    const manifest = [...this.files.values()].filter((f) => /(^|\/)manifest\.json$/.test(f.path)).sort((a, b) => a.path.length - b.path.length)[0];
    if (!manifest) {
      if (required) throw new Error('dbt_model(): no dbt manifest.json in the model folder');
      return undefined;
    }
    this.dbt = DbtProject.fromManifest(manifest.content, manifest.path);
    return this.dbt;
  }

  private addFilters(): void {
    const env = this.environment;
    env.addFilter('tojson', (value: unknown) => JSON.stringify(value));
    env.addFilter('to_json', (value: unknown) => JSON.stringify(value));
    env.addFilter('unique', (values: unknown[]) => [...new Set(values)]);
    env.addFilter('items', (value: Record<string, unknown>) => Object.entries(value ?? {}));
    env.addFilter('map', (values: unknown[], ...args: unknown[]) => {
      const kw = (args[args.length - 1] ?? {}) as Record<string, unknown>;
      if (typeof kw.attribute === 'string') return (values ?? []).map((v) => (v as Record<string, unknown>)?.[kw.attribute as string]);
      const filter = env.getFilter(String(args[0]));
      return (values ?? []).map((v) => filter(v, ...args.slice(1)));
    });
  }

  private locate(error: unknown, file: string, shift: number): JinjaRenderError {
    const raw = error instanceof Error ? error.message : String(error);
    const position = /\[Line (\d+), Column (\d+)\]/.exec(raw);
    let message = raw
      .replace(/^\([^)]*\)\s*(\[Line \d+, Column \d+\])?\s*/, '')
      .replace(/^\s*Template render error:\s*/i, '')
      .replace(/^\s*(Error:\s*)?/, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (/Unable to call/.test(message) && this.pythonFiles.length > 0) message += ` (functions defined in Python files such as ${this.pythonFiles.join(', ')} are not supported)`;
    return new JinjaRenderError(`Jinja template error: ${message}`, { file, line: position ? Number(position[1]) + shift : 1, ...(position ? { column: Number(position[2]) + shift } : {}) });
  }
}
