/**
 * The model side of Cube-style configuration: `CUBEJS_SCHEMA_PATH` names the model folder (Cube's
 * default is `model`, relative to the working directory), `CUBEJS_DEV_MODE=true` turns on hot
 * reload and `CUBEJS_MODEL_REQUIRE_BUILTINS` lists the Node built-ins JavaScript models may
 * `require` (none by default). The composition root calls `openModel` once and reads `current()`
 * (or `modelFor(securityContext)`) per request.
 *
 * Models per app id (Cube's `contextToAppId` + `COMPILE_CONTEXT`): when the model reads
 * `COMPILE_CONTEXT` (JavaScript or Jinja), `modelFor` compiles the folder once per app id (named by
 * `contextToAppId` when configured) with `COMPILE_CONTEXT = { securityContext, appId }` of the first
 * request of that app, and caches it (at most `maxApps`, least recently used evicted; a hot reload
 * empties the cache). Without `contextToAppId` each distinct security context is its own app, so
 * one tenant's model is never served to another. A model that does not read `COMPILE_CONTEXT` is
 * the same for every app, so every request gets `current()` (one compile, one version for the
 * result cache and pre-aggregation matching), whether or not `contextToAppId` is configured.
 * Reference: https://cube.dev/docs/reference/configuration/environment-variables
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ModelValidationError } from '../errors/user-error.ts';
import { readModelFiles, tryCompileModelAsync, type CompileOptions } from './compile-model.ts';
import type { SemanticModel } from './model-types.ts';
import { watchModel } from './model-watcher.ts';
import { BoundedStore } from '../reuse/bounded-store.ts';
import { stableStringify } from '../util/stable-hash.ts';

/** Where the model lives, whether to watch it, and how JavaScript models run. */
export interface ModelSettings {
  readonly directory: string;
  readonly watch: boolean;
  readonly compile?: CompileOptions;
}

/** A request's security context, as the model sees it. */
type SecurityContext = Readonly<Record<string, unknown>>;

/** Cube's `contextToAppId`: the app (tenant) a request belongs to. */
export type AppIdOf = (context: { securityContext: SecurityContext }) => string;

/** Reads `CUBEJS_SCHEMA_PATH` (default `model`), `CUBEJS_DEV_MODE` (default false), `CUBEJS_MODEL_REQUIRE_BUILTINS`. */
export function modelSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ModelSettings {
  const directory = path.resolve(cwd, env.CUBEJS_SCHEMA_PATH?.trim() || 'model');
  const builtins = (env.CUBEJS_MODEL_REQUIRE_BUILTINS ?? '').split(',').map((b) => b.trim().replace(/^node:/, '')).filter((b) => b !== '');
  return {
    directory,
    watch: env.CUBEJS_DEV_MODE?.trim().toLowerCase() === 'true',
    ...(builtins.length > 0 ? { compile: { requireBuiltins: builtins } } : {}),
  };
}

/** A loaded model that may be replaced by hot reload. */
export interface OpenModel {
  /** The model compiled with an empty security context (catalogs, pre-aggregations, single-app requests). */
  current(): SemanticModel;
  /** The model a request with this security context is answered from (see the file comment). */
  modelFor(securityContext: SecurityContext): Promise<SemanticModel>;
  /** True when models are compiled per app id. */
  perApp(): boolean;
  /** Why the latest hot reload failed (the last good model stays current); undefined when it compiled or nothing is watched. */
  lastError(): unknown;
  close(): void;
}

/** Options of per-app models. */
export interface AppModelOptions {
  readonly contextToAppId?: AppIdOf;
  /** Apps whose model is kept (default 100). */
  readonly maxApps?: number;
}

/**
 * Loads the model (throwing `ModelValidationError` when invalid: the server must not start on a
 * broken model, unless it reads COMPILE_CONTEXT and is broken only without an app: then `onError`
 * hears it and `current()` is empty) and, when `watch`, keeps it current; `onReload`/`onError`
 * report hot reloads.
 */
export async function openModel(
  settings: ModelSettings,
  hooks: { onReload?(model: SemanticModel): void; onError?(error: unknown): void } = {},
  apps: AppModelOptions = {},
): Promise<OpenModel> {
  const compile = settings.compile ?? {};
  const outcome = await tryCompileModelAsync(await readModelFiles(settings.directory), compile);
  // A model that reads COMPILE_CONTEXT may be valid only for real apps (Cube's recipe
  // `public: {{ COMPILE_CONTEXT.securityContext.isFinance }}` renders nothing for an empty context):
  // its shared model is then empty and each app's compile reports its own problems.
  if (!outcome.model && !outcome.usesCompileContext) throw new ModelValidationError(outcome.errors);
  if (!outcome.model) hooks.onError?.(new ModelValidationError(outcome.errors));
  let model = outcome.model ?? emptyModel();
  let usesCompileContext = outcome.usesCompileContext ?? false;
  // Compiled models per app, least recently used dropped first (reuse/'s bounded store).
  const cache = new BoundedStore<Promise<SemanticModel>>({ maxEntries: apps.maxApps ?? 100 });
  const perApp = (): boolean => usesCompileContext;

  const modelFor = (securityContext: SecurityContext): Promise<SemanticModel> => {
    if (!perApp()) return Promise.resolve(model);
    const appId = apps.contextToAppId ? String(apps.contextToAppId({ securityContext })) : `context:${stableStringify(securityContext)}`;
    const known = cache.get(appId);
    if (known) return known;
    const entry = compileForApp(settings.directory, compile, appId, securityContext);
    cache.set(appId, entry);
    entry.catch(() => cache.delete(appId));
    return entry;
  };

  if (!settings.watch) return { current: () => model, modelFor, perApp, lastError: () => undefined, close: () => {} };
  const watcher = await watchModel(settings.directory, {
    compile,
    onChange: (next, details) => {
      if (next.version === model.version) return;
      model = next;
      usesCompileContext = details.usesCompileContext;
      cache.clear();
      hooks.onReload?.(next);
    },
    onError: (error) => {
      // the shared model stays; models per app are compiled again from the edited files
      cache.clear();
      hooks.onError?.(error);
    },
  });
  return { current: () => model, modelFor, perApp, lastError: () => watcher.lastError, close: () => watcher.close() };
}

/** The folder compiled with `COMPILE_CONTEXT = { securityContext, appId }`; its version names the app. */
async function compileForApp(directory: string, compile: CompileOptions, appId: string, securityContext: SecurityContext): Promise<SemanticModel> {
  const outcome = await tryCompileModelAsync(await readModelFiles(directory), { ...compile, compileContext: { securityContext, appId } });
  if (!outcome.model) throw new ModelValidationError(outcome.errors);
  const suffix = createHash('sha256').update(appId).digest('hex').slice(0, 8);
  return Object.freeze({ ...outcome.model, version: `${outcome.model.version}-${suffix}` });
}

/** The shared model of a folder valid only per app. */
function emptyModel(): SemanticModel {
  return Object.freeze({ cubes: Object.freeze({}), views: Object.freeze({}), version: 'per-app-only' }) as SemanticModel;
}
