/**
 * Runs JavaScript model files as Cube does: each file in a `node:vm` context whose globals are
 * `cube(name, def)`, `view(name, def)`, `context(...)` (accepted, ignored), `asyncModule(fn)`,
 * `COMPILE_CONTEXT`, `require`, `console` and a few timers; names a file uses without declaring
 * (`CUBE`, cube names, bare member names) are reference proxies (see reference-proxy.ts).
 *
 * `require` reaches only files inside the model folder (`.js`, `.json`, `dir/index.js`); Node
 * built-ins only when listed in `requireBuiltins` (`CUBEJS_MODEL_REQUIRE_BUILTINS`). Model code
 * is trusted like `cube.config.ts`: the vm context separates globals, it is not a security boundary.
 * Each file runs once (a required file is not run again as a model file); a synchronous run (a
 * file, or an `asyncModule` callback up to its first `await`) is stopped after `syncTimeoutMs`;
 * `asyncModule` callbacks run after every file, each awaited at most `asyncTimeoutMs` (code that
 * loops forever after an `await` cannot be stopped: the compile fails at the timeout, the loop
 * keeps its thread busy). Every problem names the file and line (from the stack of the failing frame).
 */
import { createHash } from 'node:crypto';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type { SourceLocation } from '../model-types.ts';
import type { ProblemSink } from '../problems.ts';
import { analyzeJsSource, JsSyntaxError, type AnalyzedJsSource, type DefinitionCall } from './analyze-js-source.ts';
import { referenceProxy } from './reference-proxy.ts';
import { BoundedStore } from '../../reuse/bounded-store.ts';

/** A model-folder file the runtime may run or require. */
export interface JsSourceFile {
  readonly path: string;
  readonly content: string;
}

/** How JavaScript models run. */
export interface JsRuntimeOptions {
  /** `COMPILE_CONTEXT` (Cube: `{ securityContext, ... }` of the app being compiled). */
  readonly compileContext?: Readonly<Record<string, unknown>>;
  /** Node built-in modules model code may `require` (none by default). */
  readonly requireBuiltins?: readonly string[];
  /** Longest synchronous run of one file (default 5 s). */
  readonly syncTimeoutMs?: number;
  /** Longest wait for one `asyncModule` callback (default 10 s). */
  readonly asyncTimeoutMs?: number;
}

/** A `cube()` / `view()` call as evaluated. */
export interface JsDefinition {
  readonly kind: 'cube' | 'view';
  readonly name: string;
  readonly definition: unknown;
  readonly location: SourceLocation;
  /** The call in the source, when found: its object literal locates the definition's keys. */
  readonly call?: DefinitionCall;
}

interface Module {
  exports: unknown;
}

/** Names a model file may use that must not become reference proxies. */
const RESERVED = new Set(['exports', 'require', 'module', '__filename', '__dirname', '__importDefault', 'process', 'global', 'Buffer', 'undefined', 'arguments']);
/** Cube's context names: references rendered into the YAML template syntax. */
const CONTEXT_REFERENCES = ['CUBE', 'TABLE', 'SECURITY_CONTEXT', 'securityContext', 'FILTER_PARAMS', 'FILTER_GROUP', 'SQL_UTILS', 'USER_CONTEXT'];

/** One evaluation of a model folder's JavaScript. */
export class JsModelRuntime {
  readonly definitions: JsDefinition[] = [];
  /** Whether any file reads `COMPILE_CONTEXT` (the model then compiles per app id). */
  usesCompileContext = false;
  private readonly sources = new Map<string, JsSourceFile>();
  private readonly analyzed = new Map<string, AnalyzedJsSource>();
  private readonly modules = new Map<string, Module>();
  private readonly pendingAsync: { fn: () => unknown; location: SourceLocation }[] = [];
  private readonly context: vm.Context;
  private readonly contextGlobals: Set<string>;

  constructor(
    files: readonly JsSourceFile[],
    private readonly options: JsRuntimeOptions,
    private readonly sink: ProblemSink,
  ) {
    for (const file of files) this.sources.set(file.path, file);
    this.context = vm.createContext(this.globals());
    this.contextGlobals = new Set(Object.getOwnPropertyNames(vm.runInContext('globalThis', this.context)));
  }

  /** Runs every model `.js` file (not yet required by another), in path order. */
  runFiles(): void {
    const files = [...this.sources.keys()].filter((p) => /\.c?js$/i.test(p)).sort();
    for (const file of files) {
      if (this.modules.has(file)) continue;
      try {
        this.load(file);
      } catch (error) {
        this.report(error, file);
      }
    }
  }

  /** Awaits every `asyncModule` callback in registration order, each within the timeout. */
  async settle(): Promise<void> {
    const timeoutMs = this.options.asyncTimeoutMs ?? 10_000;
    while (this.pendingAsync.length > 0) {
      const { fn, location } = this.pendingAsync.shift()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(() => this.callInContext(fn)),
          new Promise((_resolve, reject) => {
            timer = setTimeout(() => reject(new AsyncTimeout(`asyncModule did not finish within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } catch (error) {
        if (error instanceof AsyncTimeout) this.sink.error(`${location.file}: ${error.message}`, location);
        else this.report(error, location.file, location);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Calls `fn` inside the context, so its synchronous part is stopped by the same timeout as a file's run. */
  private callInContext(fn: () => unknown): unknown {
    const globalObject = vm.runInContext('globalThis', this.context) as Record<string, unknown>;
    globalObject.__asyncModuleCallback = fn;
    return CALL_CALLBACK.runInContext(this.context, { timeout: this.options.syncTimeoutMs ?? 5000 });
  }

  /** In a synchronous compile, `asyncModule` callbacks cannot run: each is reported. */
  reportPendingAsync(): void {
    for (const { location } of this.pendingAsync.splice(0)) {
      this.sink.error(`${location.file}: asyncModule needs the asynchronous model loader (loadModel / tryCompileModelAsync)`, location);
    }
  }

  /** Runs `file` once and returns its exports. */
  private load(file: string): unknown {
    const cached = this.modules.get(file);
    if (cached) return cached.exports;
    const source = this.sources.get(file)!;
    const module: Module = { exports: {} };
    this.modules.set(file, module);
    if (/\.json$/i.test(file)) {
      module.exports = JSON.parse(source.content);
      return module.exports;
    }
    const analysis = this.analyze(file, source.content);
    if (analysis.freeNames.has('COMPILE_CONTEXT')) this.usesCompileContext = true;
    const globalObject = vm.runInContext('globalThis', this.context) as Record<string, unknown>;
    for (const name of analysis.freeNames) {
      if (!this.contextGlobals.has(name) && !RESERVED.has(name) && !(name in globalObject)) globalObject[name] = referenceProxy([name]);
    }
    const wrapper = `(function (exports, require, module, __filename, __dirname, __importDefault) {\n${analysis.code}\n}).apply(__modelArgs[0], __modelArgs)`;
    const script = new vm.Script(wrapper, { filename: file, lineOffset: -1 });
    globalObject.__modelArgs = [module.exports, (specifier: string) => this.require(specifier, file), module, file, path.posix.dirname(file), importDefault];
    script.runInContext(this.context, { timeout: this.options.syncTimeoutMs ?? 5000 });
    return module.exports;
  }

  private analyze(file: string, content: string): AnalyzedJsSource {
    let analysis = this.analyzed.get(file);
    if (!analysis) {
      analysis = analyzeCached(file, content);
      this.analyzed.set(file, analysis);
    }
    return analysis;
  }

  private require(specifier: string, from: string): unknown {
    if (specifier.startsWith('.') || specifier.startsWith('/')) {
      const base = specifier.startsWith('/') ? specifier.slice(1) : path.posix.join(path.posix.dirname(from), specifier);
      const resolved = path.posix.normalize(base);
      if (resolved.startsWith('..')) throw new Error(`require('${specifier}') in ${from}: model files can require files inside the model folder only`);
      for (const candidate of [resolved, `${resolved}.js`, `${resolved}.cjs`, `${resolved}.json`, `${resolved}/index.js`]) {
        if (this.sources.has(candidate)) return this.load(candidate);
      }
      throw new Error(`require('${specifier}') in ${from}: no such file in the model folder`);
    }
    const name = specifier.replace(/^node:/, '');
    if (builtinModules.includes(name)) {
      if ((this.options.requireBuiltins ?? []).includes(name)) return hostRequire(`node:${name}`);
      throw new Error(`require('${specifier}') in ${from}: Node built-ins are not available to model files unless listed in CUBEJS_MODEL_REQUIRE_BUILTINS`);
    }
    throw new Error(`require('${specifier}') in ${from}: model files can require files inside the model folder only (npm packages are not supported)`);
  }

  private globals(): Record<string, unknown> {
    const define = (kind: 'cube' | 'view') => (name: unknown, definition: unknown) => {
      const location = this.callerLocation() ?? { file: '?', line: 1 };
      if (typeof name !== 'string' || name === '') throw new Error(`${kind}() needs a name (a string) as its first argument`);
      const call = this.findCall(kind, location);
      this.definitions.push({ kind, name, definition, location, ...(call ? { call } : {}) });
    };
    const compileContext = deepFreeze(structuredClone(this.options.compileContext ?? { securityContext: {} }));
    const globals: Record<string, unknown> = {
      cube: define('cube'),
      view: define('view'),
      context: () => undefined,
      asyncModule: (fn: unknown) => {
        const location = this.callerLocation() ?? { file: '?', line: 1 };
        if (typeof fn !== 'function') throw new Error('asyncModule() needs a function');
        this.pendingAsync.push({ fn: fn as () => unknown, location });
      },
      COMPILE_CONTEXT: compileContext,
      console,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      queueMicrotask,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      fetch: globalThis.fetch,
    };
    for (const name of CONTEXT_REFERENCES) globals[name] = referenceProxy([name]);
    return globals;
  }

  /** The innermost stack frame inside a model file: where `cube()` / `asyncModule()` was called. */
  private callerLocation(): SourceLocation | undefined {
    const previous = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 50;
      Error.prepareStackTrace = (_error, frames) => frames;
      const holder: { stack?: NodeJS.CallSite[] } = {};
      Error.captureStackTrace(holder);
      for (const frame of holder.stack ?? []) {
        const file = frame.getFileName();
        if (file && this.sources.has(file)) return { file, line: frame.getLineNumber() ?? 1, column: frame.getColumnNumber() ?? 1 };
      }
      return undefined;
    } finally {
      Error.prepareStackTrace = previous;
      Error.stackTraceLimit = limit;
    }
  }

  private findCall(kind: 'cube' | 'view', location: SourceLocation): DefinitionCall | undefined {
    const calls = this.analyzed.get(location.file)?.calls.filter((c) => c.kind === kind && c.line === location.line) ?? [];
    if (calls.length <= 1) return calls[0];
    return calls.reduce((best, c) => (Math.abs(c.column - (location.column ?? 1)) < Math.abs(best.column - (location.column ?? 1)) ? c : best));
  }

  /** A thrown error as a problem at the innermost model-file frame of its stack. */
  private report(error: unknown, file: string, fallback?: SourceLocation): void {
    if (error instanceof JsSyntaxError) {
      this.sink.error(`${error.location.file}: ${error.message}`, error.location);
      return;
    }
    const e = error as { message?: unknown; stack?: unknown; code?: unknown };
    const message = typeof e?.message === 'string' ? e.message : String(error);
    const location = (typeof e?.stack === 'string' ? this.stackLocation(e.stack) : undefined) ?? fallback ?? { file, line: 1 };
    const what = e?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' ? `did not finish within ${this.options.syncTimeoutMs ?? 5000} ms` : `threw: ${message}`;
    this.sink.error(`${location.file}: model file ${what}`, location);
  }

  private stackLocation(stack: string): SourceLocation | undefined {
    for (const match of stack.matchAll(/(?:\(|at )([^\s()]+):(\d+):(\d+)\)?/g)) {
      const file = match[1]!;
      if (this.sources.has(file)) return { file, line: Number(match[2]), column: Number(match[3]) };
    }
    return undefined;
  }
}

// The analysis of a file is pure (text in, rewritten code, names and calls out), so a recompile
// (dev hot reload, another app id) reuses it for unchanged files. Keyed by path and content; the
// reuse layer's bounded store (least recently used files dropped first).
const analysisCache = new BoundedStore<AnalyzedJsSource>({ maxEntries: 2000 });

function analyzeCached(file: string, content: string): AnalyzedJsSource {
  const key = `${file}\0${createHash('sha1').update(content).digest('base64')}`;
  let analysis = analysisCache.get(key);
  if (!analysis) {
    analysis = analyzeJsSource(file, content);
    analysisCache.set(key, analysis);
  }
  return analysis;
}

/** Forgets analyzed files (benchmarks measure cold compiles with it). */
export function clearJsAnalysisCache(): void {
  analysisCache.clear();
}

class AsyncTimeout extends Error {}

const CALL_CALLBACK = new vm.Script('__asyncModuleCallback()', { filename: 'asyncModule' });

const hostRequire = createRequire(import.meta.url);

/** `import x from './y'` of a CommonJS module: its `default` export if it has one, else the module. */
function importDefault(module: unknown): unknown {
  return module !== null && typeof module === 'object' && Object.prototype.hasOwnProperty.call(module, 'default') ? (module as { default: unknown }).default : module;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
