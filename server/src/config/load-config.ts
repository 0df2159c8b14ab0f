/**
 * Builds the full `ServerConfig`: environment (Cube's names) + the optional typed config file
 * (`CUBEJS_CONFIG_PATH` or `./cube.config.ts`), then checks that the server may start.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerConfig } from './config-types.ts';
import type { CubeConfigFile } from './cube-config-types.ts';
import { configError, readEnvConfig, type Env } from './read-env-config.ts';

const HOOK_NAMES = ['queryRewrite', 'checkAuth', 'checkSqlAuth', 'contextToAppId', 'contextToGroups'] as const;

/** Options for `loadConfig`; tests pass their own env and working directory. */
export interface LoadConfigOptions {
  readonly env?: Env;
  readonly cwd?: string;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<ServerConfig> {
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = readEnvConfig(options.env ?? process.env, cwd);
  const configFilePath = fromEnv.configFilePath ?? findDefaultConfigFile(cwd);
  if (fromEnv.configFilePath && !existsSync(fromEnv.configFilePath)) {
    throw configError(`CUBEJS_CONFIG_PATH points at ${fromEnv.configFilePath}, which does not exist`);
  }
  const configFile = configFilePath ? await importConfigFile(configFilePath) : {};
  const config: ServerConfig = { ...fromEnv, configFilePath, configFile };
  assertStartable(config);
  return config;
}

/**
 * Production mode (CUBEJS_DEV_MODE not true) never runs open: without a secret (or a custom
 * `checkAuth`) every request would be anonymous, so refuse to start instead.
 */
export function assertStartable(config: ServerConfig): void {
  if (config.devMode) return;
  if (config.jwt.secret || config.jwt.jwkUrl || config.configFile.checkAuth) return;
  throw configError(
    'CUBEJS_API_SECRET is required in production mode (CUBEJS_DEV_MODE is not true)',
    'set CUBEJS_API_SECRET to the secret that signs your JWTs (or CUBEJS_JWK_URL to your identity provider\'s key set), or CUBEJS_DEV_MODE=true for local development',
  );
}

function findDefaultConfigFile(cwd: string): string | undefined {
  for (const name of ['cube.config.ts', 'cube.config.js', 'cube.config.mjs']) {
    const candidate = path.join(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function importConfigFile(file: string): Promise<CubeConfigFile> {
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (error) {
    throw configError(`cannot load config file ${file}: ${(error as Error).message}`);
  }
  const exported = (loaded as { default?: unknown }).default;
  if (exported === undefined) return {};
  if (typeof exported !== 'object' || exported === null) {
    throw configError(`config file ${file}: the default export must be an object`);
  }
  for (const hook of HOOK_NAMES) {
    const value = (exported as Record<string, unknown>)[hook];
    if (value !== undefined && typeof value !== 'function') {
      throw configError(`config file ${file}: ${hook} must be a function, got ${typeof value}`);
    }
  }
  checkHttpOptions(file, (exported as Record<string, unknown>).http);
  return exported as CubeConfigFile;
}

/** `http.cors` (Cube's option): an object whose `origin` the `cors` package can read. */
function checkHttpOptions(file: string, http: unknown): void {
  if (http === undefined) return;
  if (typeof http !== 'object' || http === null || Array.isArray(http)) throw configError(`config file ${file}: http must be an object like { cors: { origin: [...] } }`);
  const cors = (http as Record<string, unknown>).cors;
  if (cors === undefined) return;
  if (typeof cors !== 'object' || cors === null || Array.isArray(cors)) throw configError(`config file ${file}: http.cors must be an object of CORS options, got ${Array.isArray(cors) ? 'an array' : typeof cors}`);
  const origin = (cors as Record<string, unknown>).origin;
  const oneOrigin = (value: unknown) => typeof value === 'string' || value instanceof RegExp;
  const validOrigin = origin === undefined || typeof origin === 'boolean' || typeof origin === 'function' || oneOrigin(origin) || (Array.isArray(origin) && origin.every(oneOrigin));
  if (!validOrigin) throw configError(`config file ${file}: http.cors.origin must be a string, a RegExp, an array of them, a boolean or a function`);
}
