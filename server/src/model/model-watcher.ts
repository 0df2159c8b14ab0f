/**
 * Dev-mode hot reload: watches the model folder and recompiles when a model file changes (YAML,
 * Jinja, JavaScript, or the JSON/Python files next to them). An invalid
 * edit never replaces the running model: the last good model stays current and the error (a
 * `ModelValidationError` listing every problem) goes to `onError`. Bursts of file events (editors
 * write several times per save) are coalesced by a short debounce. `fs.watch` is recursive on
 * Linux since Node 20; `pollIntervalMs` switches to polling for file systems without events.
 */
import { watch, type FSWatcher } from 'node:fs';
import { ModelValidationError } from '../errors/user-error.ts';
import { readModelFiles, tryCompileModelAsync, type CompileOptions } from './compile-model.ts';
import type { SemanticModel } from './model-types.ts';

/** Files whose change recompiles the model. */
const MODEL_FILE = /\.(ya?ml|jinja|j2|c?js|json|py)$/i;

/** Callbacks and timing of a watcher. */
export interface ModelWatcherOptions {
  /** A new valid model (different version) was compiled; `usesCompileContext` as the compile found it. */
  onChange(model: SemanticModel, details: { readonly usesCompileContext: boolean }): void;
  /** The edited model is invalid (the last good one stays current), or the folder could not be read. */
  onError?(error: unknown): void;
  debounceMs?: number;
  /** Poll instead of file-system events (network or container mounts). */
  pollIntervalMs?: number;
  /** How JavaScript and Jinja models are evaluated (COMPILE_CONTEXT, require, timeouts). */
  compile?: CompileOptions;
}

/** A running watcher; `current` is the last good model (undefined if none compiled yet). */
export interface ModelWatcher {
  readonly current: SemanticModel | undefined;
  /** Why the latest compile failed (a `ModelValidationError` lists the problems); undefined after a good one. */
  readonly lastError: unknown;
  /** Recompiles now (also what a file event triggers); resolves with the current model. */
  reload(): Promise<SemanticModel | undefined>;
  close(): void;
}

/** Compiles `dir` once, then keeps recompiling it on change. */
export async function watchModel(dir: string, options: ModelWatcherOptions): Promise<ModelWatcher> {
  let current: SemanticModel | undefined;
  let lastError: unknown;
  let running: Promise<SemanticModel | undefined> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const compileOnce = async (): Promise<SemanticModel | undefined> => {
    try {
      const outcome = await tryCompileModelAsync(await readModelFiles(dir), options.compile);
      lastError = outcome.model ? undefined : new ModelValidationError(outcome.errors);
      if (!outcome.model) options.onError?.(lastError);
      else if (outcome.model.version !== current?.version) {
        current = outcome.model;
        if (!closed) options.onChange(outcome.model, { usesCompileContext: outcome.usesCompileContext ?? false });
      }
    } catch (error) {
      lastError = error;
      options.onError?.(error);
    }
    return current;
  };

  // One compile at a time; an event during a compile schedules exactly one more.
  const reload = (): Promise<SemanticModel | undefined> => {
    if (running) {
      again = true;
      return running;
    }
    running = compileOnce().then(async (model) => {
      while (again && !closed) {
        again = false;
        model = await compileOnce();
      }
      running = undefined;
      return model;
    });
    return running;
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 50);
  };

  await reload();
  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  if (options.pollIntervalMs !== undefined) poller = setInterval(() => void reload(), options.pollIntervalMs);
  else {
    watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (!file || MODEL_FILE.test(String(file))) schedule();
    });
    watcher.on('error', (error) => options.onError?.(error));
  }

  return {
    get current() {
      return current;
    },
    get lastError() {
      return lastError;
    },
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poller);
      watcher?.close();
    },
  };
}
