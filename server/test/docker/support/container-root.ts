/**
 * A host folder standing in for a container's file system under its WORKDIR: each file the image's
 * COPY instructions add is copied from the build context (so a file the image lacks is missing here
 * too), what another build stage produced is linked from where the caller says it is (e.g. the
 * repository's node_modules for the `npm ci` stage), and every named volume is a fresh empty folder
 * at its mount point — a fresh data directory, as `docker compose up` gives a new volume.
 */
import { cp, mkdir, mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ServiceProcess } from './compose-service.ts';

/** The folder, and how container paths under the WORKDIR map onto it. */
export interface ContainerRoot {
  readonly dir: string;
  /** Host path of a container path under the WORKDIR (throws for any other path). */
  toHost(containerPath: string): string;
  /** An environment value or argument: a container path under the WORKDIR becomes its host path. */
  mapValue(value: string): string;
}

/** `stageOutputs[stage][containerPath]`: where, on this host, a path another build stage made lives. */
export async function createContainerRoot(service: ServiceProcess, stageOutputs: Readonly<Record<string, Readonly<Record<string, string>>>> = {}): Promise<ContainerRoot> {
  const image = service.image;
  if (!image || !service.buildContext) throw new Error('a container root needs a service built from a Dockerfile');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'container-root-'));
  const workdir = image.workdir;
  const under = (p: string): boolean => p === workdir || p.startsWith(`${workdir}/`);
  const toHost = (containerPath: string): string => {
    if (!under(containerPath)) throw new Error(`${containerPath} is outside the container's WORKDIR ${workdir}`);
    return path.join(dir, path.posix.relative(workdir, containerPath));
  };
  for (const copy of image.copies) {
    const many = copy.sources.length > 1 || copy.destination.endsWith('/');
    for (const source of copy.sources) {
      const hostSource = copy.fromStage ? stageOutputs[copy.fromStage]?.[source] : path.resolve(service.buildContext, source);
      if (!hostSource) throw new Error(`COPY --from=${copy.fromStage} ${source}: say where that stage's output is on this host`);
      const target = toHost(many ? path.posix.join(copy.destination, path.posix.basename(source)) : copy.destination);
      await mkdir(path.dirname(target), { recursive: true });
      if (copy.fromStage) await symlink(hostSource, target);
      else await cp(hostSource, target, { recursive: true });
    }
  }
  for (const mountPoint of Object.values(service.volumes)) await mkdir(toHost(mountPoint), { recursive: true });
  return { dir, toHost, mapValue: (value) => (under(value) ? toHost(value) : value) };
}
