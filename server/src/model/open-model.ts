/**
 * The model side of Cube-style configuration: `CUBEJS_SCHEMA_PATH` names the model folder (Cube's
 * default is `model`, relative to the working directory) and `CUBEJS_DEV_MODE=true` turns on hot
 * reload. The composition root calls `openModel` once and reads `current()` per request.
 * Reference: https://cube.dev/docs/reference/configuration/environment-variables
 */
import path from 'node:path';
import { loadModel } from './compile-model.ts';
import type { SemanticModel } from './model-types.ts';
import { watchModel } from './model-watcher.ts';

/** Where the model lives and whether to watch it, from Cube's environment variables. */
export interface ModelSettings {
  readonly directory: string;
  readonly watch: boolean;
}

/** Reads `CUBEJS_SCHEMA_PATH` (default `model`) and `CUBEJS_DEV_MODE` (default false). */
export function modelSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ModelSettings {
  const directory = path.resolve(cwd, env.CUBEJS_SCHEMA_PATH?.trim() || 'model');
  return { directory, watch: env.CUBEJS_DEV_MODE?.trim().toLowerCase() === 'true' };
}

/** A loaded model that may be replaced by hot reload. */
export interface OpenModel {
  current(): SemanticModel;
  close(): void;
}

/**
 * Loads the model (throwing `ModelValidationError` when invalid: the server must not start on a
 * broken model) and, when `watch`, keeps it current; `onReload`/`onError` report hot reloads.
 */
export async function openModel(
  settings: ModelSettings,
  hooks: { onReload?(model: SemanticModel): void; onError?(error: unknown): void } = {},
): Promise<OpenModel> {
  let model = await loadModel(settings.directory);
  if (!settings.watch) return { current: () => model, close: () => {} };
  const watcher = await watchModel(settings.directory, {
    onChange: (next) => {
      if (next.version === model.version) return;
      model = next;
      hooks.onReload?.(next);
    },
    ...(hooks.onError ? { onError: hooks.onError } : {}),
  });
  return { current: () => model, close: () => watcher.close() };
}
