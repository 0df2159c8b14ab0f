/**
 * Dev-mode hot reload: watches the model folder and recompiles when a model file changes (YAML,
 * Jinja, JavaScript, or the JSON/Python files next to them). An invalid
 * edit never replaces the running model: the last good model stays current and the error (a
 * `ModelValidationError` listing every problem) goes to `onError`. Bursts of file events (editors
 * write several times per save) are coalesced by a short debounce.
 *
 * File-system events are only a hint. Editors that save by writing a temporary file and renaming
 * it over the original (`sed -i`, vim, JetBrains "safe write") make Node's recursive `fs.watch`
 * (Node 20 on Linux) report the temporary name, then lose the replaced file's watch, so its later
 * edits give no event at all. So any event, whatever the name, re-reads the folder and compiles
 * when the files' content differs from the last compile; the watch is opened again after a change;
 * and a periodic re-scan of file sizes, times and inodes catches what no event reported.
 * `pollIntervalMs` uses that re-scan alone, for file systems without events.
 */
import { watch, type FSWatcher } from 'node:fs';
import { ModelValidationError } from '../errors/user-error.ts';
import { modelVersion, readModelFiles, tryCompileModelAsync, type CompileOptions } from './compile-model.ts';
import { fingerprintModelFolder } from './list-model-folder.ts';
import type { SemanticModel } from './model-types.ts';

/** How often the folder is re-scanned when file-system events are used (a few ms per scan for a usual model). */
const RESCAN_INTERVAL_MS = 2000;

/** Callbacks and timing of a watcher. */
export interface ModelWatcherOptions {
  /** A new valid model (different version) was compiled; `usesCompileContext` as the compile found it. */
  onChange(model: SemanticModel, details: { readonly usesCompileContext: boolean }): void;
  /** The edited model is invalid (the last good one stays current), or the folder could not be read. */
  onError?(error: unknown): void;
  debounceMs?: number;
  /** Poll instead of file-system events (network or container mounts). */
  pollIntervalMs?: number;
  /** With file-system events, how often the folder is re-scanned for changes no event reported (0: never). */
  rescanIntervalMs?: number;
  /** How JavaScript and Jinja models are evaluated (COMPILE_CONTEXT, require, timeouts). */
  compile?: CompileOptions;
}

/** A running watcher; `current` is the last good model (undefined if none compiled yet). */
export interface ModelWatcher {
  readonly current: SemanticModel | undefined;
  /** Why the latest compile failed (a `ModelValidationError` lists the problems); undefined after a good one. */
  readonly lastError: unknown;
  /** Recompiles now, changed or not; resolves with the current model. */
  reload(): Promise<SemanticModel | undefined>;
  close(): void;
}

/**
 * How sure a check must be before it compiles: `rescan` trusts the folder's fingerprint (stat only),
 * `event` reads the files and compares their content, `force` compiles whatever they hold.
 */
type CheckDepth = 0 | 1 | 2;
const RESCAN: CheckDepth = 0;
const EVENT: CheckDepth = 1;
const FORCE: CheckDepth = 2;

/** Compiles `dir` once, then keeps recompiling it on change. */
export async function watchModel(dir: string, options: ModelWatcherOptions): Promise<ModelWatcher> {
  let current: SemanticModel | undefined;
  let lastError: unknown;
  let running: Promise<SemanticModel | undefined> | undefined;
  let pending: CheckDepth | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // What the last compile read: a check compiles only when the folder differs from it.
  let seen: { fingerprint: string; content: string } | undefined;
  let watcher: FSWatcher | undefined;

  const compileIfChanged = async (depth: CheckDepth): Promise<SemanticModel | undefined> => {
    try {
      // fingerprint before reading: a save in between makes the next re-scan look again
      const fingerprint = await fingerprintModelFolder(dir);
      if (depth === RESCAN && fingerprint === seen?.fingerprint) return current;
      const files = await readModelFiles(dir);
      const content = modelVersion(files);
      const changed = content !== seen?.content;
      seen = { fingerprint, content };
      if (depth !== FORCE && !changed) return current;
      if (depth !== FORCE) rewatch();
      const outcome = await tryCompileModelAsync(files, options.compile);
      lastError = outcome.model ? undefined : new ModelValidationError(outcome.errors);
      if (!outcome.model) options.onError?.(lastError);
      else if (outcome.model.version !== current?.version) {
        current = outcome.model;
        if (!closed) options.onChange(outcome.model, { usesCompileContext: outcome.usesCompileContext ?? false });
      }
    } catch (error) {
      // the periodic re-scan of a folder that stays unreadable (removed, unmounted) reports it once
      const repeated = depth === RESCAN && seen === undefined && String(error) === String(lastError);
      seen = undefined;
      lastError = error;
      if (!repeated) options.onError?.(error);
    }
    return current;
  };

  // One check at a time; a request during a check schedules exactly one more, as deep as the deepest asked.
  const check = (depth: CheckDepth): Promise<SemanticModel | undefined> => {
    if (running) {
      pending = Math.max(pending ?? depth, depth) as CheckDepth;
      return running;
    }
    running = compileIfChanged(depth).then(async (model) => {
      while (pending !== undefined && !closed) {
        const next = pending;
        pending = undefined;
        model = await compileIfChanged(next);
      }
      running = undefined;
      return model;
    });
    return running;
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void check(EVENT), options.debounceMs ?? 50);
  };

  // A replaced file keeps no watch in Node's recursive watcher: open the watch again after each change.
  function rewatch(): void {
    if (closed || options.pollIntervalMs !== undefined) return;
    watcher?.close();
    watcher = watch(dir, { recursive: true }, () => schedule());
    watcher.on('error', (error) => options.onError?.(error));
  }

  await check(FORCE);
  rewatch();
  const rescanMs = options.pollIntervalMs ?? options.rescanIntervalMs ?? RESCAN_INTERVAL_MS;
  const rescanner = rescanMs > 0 ? setInterval(() => void check(RESCAN), rescanMs).unref() : undefined;

  return {
    get current() {
      return current;
    },
    get lastError() {
      return lastError;
    },
    reload: () => check(FORCE),
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(rescanner);
      watcher?.close();
    },
  };
}
