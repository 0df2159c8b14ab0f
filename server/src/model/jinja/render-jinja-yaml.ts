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
import { findErrorPosition, type TemplatePosition } from './template-error-position.ts';

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
        // nunjucks reports a syntax error of an included/imported template through a deferred
        // callback, even when rendering synchronously: the render returned null and the error was
        // thrown later outside any handler. Compiling it here throws it now, inside the render.
        new nunjucks.Template(file.content, this.environment, file.path, true);
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
      throw this.locate(error, file.path);
    }
    try {
      return template.render(globals);
    } catch (error) {
      throw this.locate(error, file.path);
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

  /**
   * The error at the template nunjucks names last (an included file, when the error is there): at
   * the position nunjucks gives, else where template-error-position.ts finds the named tag.
   */
  private locate(error: unknown, file: string): JinjaRenderError {
    const raw = error instanceof Error ? error.message : String(error);
    // "(a.yml.jinja) Template render error: (shared/b.yml.jinja) [Line 3, Column 25] unexpected token"
    const chain = /^\s*(?:Template render error:\s*)?\(([^()\n]+)\)(?:\s*\[Line (\d+), Column (\d+)\])?/i;
    let rest = raw;
    let innermost: RegExpExecArray | undefined;
    for (let link = chain.exec(rest); link; link = chain.exec(rest)) {
      innermost = link;
      rest = rest.slice(link[0].length);
    }
    const where = innermost && this.files.has(innermost[1]!) ? innermost[1]! : file;
    rest = rest.replace(/^\s*Template render error:\s*/i, '');
    const runtime = /^\s*\w*Error:/.test(rest);
    let message = rest
      .replace(/^\s*(Error:\s*)?/, '')
      .replace(/\s+/g, ' ')
      .trim();
    const position = innermost?.[2] ? givenPosition(innermost, runtime) : findErrorPosition(message, this.files.get(where)?.content ?? '');
    if (/Unable to call/.test(message) && this.pythonFiles.length > 0) message += ` (functions defined in Python files such as ${this.pythonFiles.join(', ')} are not supported)`;
    return new JinjaRenderError(`Jinja template error: ${message}`, { file: where, line: position?.line ?? 1, ...(position ? { column: position.column } : {}) });
  }
}

/** nunjucks numbers a parse error's position from 1, a run-time error's (a JavaScript error it wraps, "Error: ...") from 0. */
function givenPosition(link: RegExpExecArray, runtime: boolean): TemplatePosition {
  const shift = runtime ? 1 : 0;
  return { line: Number(link[2]) + shift, column: Number(link[3]) + shift };
}
