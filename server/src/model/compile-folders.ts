/**
 * Cube's `folders` (mostly on views): `[{ name, includes: [member | { name, includes }] }]`.
 * Members are written by their short name and compiled to full paths; unknown names are errors.
 * Reference: https://cube.dev/docs/reference/data-model/view#folders
 */
import type { Folder } from './model-types.ts';
import { NodeReader } from './node-reader.ts';
import type { YNode } from './yaml-tree.ts';

/** Reads `folders` of a cube or view; `hasMember` tells whether a short member name exists. */
export function compileFolders(reader: NodeReader, owner: string, hasMember: (name: string) => boolean): Folder[] | undefined {
  if (!reader.has('folders')) return undefined;
  return reader.mapItems('folders', 'folder', () => reader.member).flatMap((folder) => {
    const compiled = compileFolder(folder, owner, hasMember);
    return compiled ? [compiled] : [];
  });
}

function compileFolder(folder: NodeReader, owner: string, hasMember: (name: string) => boolean): Folder | undefined {
  const name = folder.string('name', true);
  const includes = folder.seq('includes');
  if (name === undefined) return undefined;
  const members: (string | Folder)[] = [];
  for (const item of includes?.items ?? []) {
    const member = folderItem(item, folder, owner, hasMember);
    if (member !== undefined) members.push(member);
  }
  return { name, members };
}

function folderItem(item: YNode, folder: NodeReader, owner: string, hasMember: (name: string) => boolean): string | Folder | undefined {
  if (item.kind === 'scalar' && typeof item.value === 'string') {
    if (!hasMember(item.value)) {
      folder.error(`folder "${folder.string('name')}" includes unknown member "${item.value}" of ${owner}`, 'includes');
      return undefined;
    }
    return `${owner}.${item.value}`;
  }
  if (item.kind === 'map') {
    const nested = new NodeReader(item, 'folder', folder.member, folder.sink);
    return compileFolder(nested, owner, hasMember);
  }
  folder.error('folder includes must be member names or nested folders', 'includes');
  return undefined;
}
