/**
 * What a Docker Compose service would run, read from the compose file and the Dockerfile it builds
 * — without a Docker engine: the final stage's ENV, WORKDIR, ENTRYPOINT and CMD, the files its COPY
 * instructions put in the image, the service's `environment` (interpolated the way Compose does:
 * `${VAR}`, `${VAR:?message}`, `${VAR:-default}`, `$$`), `entrypoint`, `command` and `volumes`.
 * Docker's rules for the command: a service `entrypoint` replaces the image's and drops its CMD; a
 * service `command` replaces CMD. https://docs.docker.com/reference/compose-file/services/
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** One COPY of the final stage: sources relative to the build context, destination in the image (a trailing `/`: a folder). */
export interface ImageCopy {
  readonly sources: readonly string[];
  readonly destination: string;
  /** `--from=<stage>`: copied out of another stage, not from the build context. */
  readonly fromStage?: string;
}

/** The runtime part of a Dockerfile: what a container of its final stage starts with. */
export interface DockerImage {
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly copies: readonly ImageCopy[];
  /** HEALTHCHECK's command (exec form), when the image declares one. */
  readonly healthcheck?: readonly string[];
}

/** A compose service resolved to a process: argv, environment, working directory, volume mounts. */
export interface ServiceProcess {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  /** Named volume → its mount point in the container. */
  readonly volumes: Readonly<Record<string, string>>;
  /** The image (absent for a service that only names a registry image). */
  readonly image?: DockerImage;
  /** The build context on the host, when the service is built. */
  readonly buildContext?: string;
}

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  entrypoint?: string[] | string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: string[];
}

/** Instructions of a Dockerfile as [KEYWORD, arguments], continuation lines joined, comments dropped. */
export function dockerfileInstructions(text: string): [string, string][] {
  const joined = text.replace(/\\\r?\n\s*/g, ' ');
  const out: [string, string][] = [];
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const space = line.search(/\s/);
    out.push(space < 0 ? [line.toUpperCase(), ''] : [line.slice(0, space).toUpperCase(), line.slice(space).trim()]);
  }
  return out;
}

/** ENV, WORKDIR, ENTRYPOINT, CMD, COPY and HEALTHCHECK of the Dockerfile's last stage. */
export function readDockerImage(dockerfile: string): DockerImage {
  const steps = dockerfileInstructions(readFileSync(dockerfile, 'utf8'));
  const lastFrom = steps.map(([k]) => k).lastIndexOf('FROM');
  const env: Record<string, string> = {};
  let workdir = '/';
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  const copies: ImageCopy[] = [];
  let healthcheck: string[] | undefined;
  for (const [keyword, rest] of steps.slice(lastFrom + 1)) {
    if (keyword === 'HEALTHCHECK') healthcheck = /\bCMD\s+(\[.*\])\s*$/.test(rest) ? execForm(/\bCMD\s+(\[.*\])\s*$/.exec(rest)![1]!, 'HEALTHCHECK CMD') : undefined;
    if (keyword === 'ENV') Object.assign(env, parseEnvInstruction(rest));
    else if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, rest);
    else if (keyword === 'ENTRYPOINT') {
      entrypoint = execForm(rest, 'ENTRYPOINT');
      cmd = []; // Docker: setting ENTRYPOINT resets a CMD inherited from the base image
    } else if (keyword === 'CMD') cmd = execForm(rest, 'CMD');
    else if (keyword === 'COPY') copies.push(parseCopy(rest, workdir));
  }
  return { env, workdir, entrypoint, cmd, copies, ...(healthcheck ? { healthcheck } : {}) };
}

function parseEnvInstruction(rest: string): Record<string, string> {
  const pairs = rest.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  if (pairs.length > 0 && !pairs[0]!.includes('=')) return { [pairs[0]!]: rest.slice(pairs[0]!.length).trim() };
  return Object.fromEntries(pairs.map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1).replace(/^"(.*)"$/, '$1')];
  }));
}

function execForm(rest: string, keyword: string): string[] {
  const value: unknown = JSON.parse(rest);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${keyword} must use the exec form (a JSON array): ${rest}`);
  return value;
}

function parseCopy(rest: string, workdir: string): ImageCopy {
  const words = rest.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const fromStage = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  const written = paths[paths.length - 1]!;
  // A trailing slash (or `.`) names a folder the sources go into.
  const destination = path.posix.resolve(workdir, written) + (written.endsWith('/') || written === '.' ? '/' : '');
  return { sources: paths.slice(0, -1), destination, ...(fromStage ? { fromStage } : {}) };
}

/** Compose's variable interpolation of one value; a `${VAR:?message}` with VAR unset throws the message. */
export function interpolate(value: string, variables: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([?-])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, colon, op, arg, bare) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const current = variables[name];
    const missing = current === undefined || (colon === ':' && current === '');
    if (op === '?' && missing) throw new Error(`compose: ${name} is required: ${arg}`);
    if (op === '-' && missing) return arg as string;
    return current ?? '';
  });
}

/** The service's argv, environment and mounts, as `docker compose up` would start its container. */
export function readComposeService(composeFile: string, name: string, variables: Readonly<Record<string, string | undefined>>): ServiceProcess {
  const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, ComposeService> };
  const service = compose.services[name];
  if (!service) throw new Error(`compose: no service ${name} in ${composeFile}`);
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  const buildContext = build ? path.resolve(path.dirname(composeFile), build.context ?? '.') : undefined;
  const image = build ? readDockerImage(path.resolve(buildContext!, build.dockerfile ?? 'Dockerfile')) : undefined;
  const list = (v: string[] | string | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : v.split(/\s+/));
  const entrypoint = list(service.entrypoint);
  const command = list(service.command);
  const argv = entrypoint ? [...entrypoint, ...(command ?? [])] : [...(image?.entrypoint ?? []), ...(command ?? image?.cmd ?? [])];
  const env: Record<string, string> = { ...image?.env };
  const declared = Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
    : (service.environment ?? {});
  for (const [key, value] of Object.entries(declared)) env[key] = interpolate(String(value ?? ''), variables);
  const volumes: Record<string, string> = {};
  for (const mount of service.volumes ?? []) {
    const [source, target] = mount.split(':') as [string, string];
    if (!source.startsWith('.') && !source.startsWith('/')) volumes[source] = target;
  }
  return { argv: argv.map((a) => interpolate(a, variables)), env, workdir: image?.workdir ?? '/', volumes, ...(image ? { image } : {}), ...(buildContext ? { buildContext } : {}) };
}
