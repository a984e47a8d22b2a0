import { createHash } from 'node:crypto';
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * A runtime's filestore: `<root>/<database>` per database, as Odoo keeps it under
 * `<data_dir>/filestore`. Database names are checked before they become paths, so no name can
 * leave the root. Every step can run again after a crash and ends in the same place.
 */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;

export function filestoreDir(root: string, database: string): string {
  if (!NAME.test(database) || database === '.' || database === '..' || database.includes('..'))
    throw new Error(`"${database}" cannot be a filestore directory name`);
  if (!path.isAbsolute(root)) throw new Error(`the filestore root "${root}" is not an absolute path`);
  return path.join(root, database);
}

const exists = async (p: string) =>
  stat(p).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );

/** A working name beside the target, never a database's (the hyphen and the dot). */
const workName = (target: string, tag: string) =>
  `${target}.ocp-${createHash('sha256').update(tag).digest('hex').slice(0, 10)}`;

/**
 * Copies `<root>/<from>` to `<root>/<to>`: into a working directory first, renamed at the end, so
 * the target is either absent or complete. A missing source makes an empty target (a template or a
 * database without files yet). An existing target is kept as it is (an earlier attempt finished).
 * Symbolic links are copied as links, never followed.
 */
export async function copyFilestore(root: string, from: string, to: string): Promise<'copied' | 'existed'> {
  const source = filestoreDir(root, from);
  const target = filestoreDir(root, to);
  if (await exists(target)) return 'existed';
  const work = workName(target, `${from}>${to}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  if (await exists(source)) {
    await cp(source, work, {
      recursive: true,
      preserveTimestamps: true,
      verbatimSymlinks: true,
      errorOnExist: true,
    });
  } else {
    await mkdir(work, { recursive: true });
  }
  await rename(work, target);
  return 'copied';
}

/** Moves `<root>/<from>` to `<root>/<to>`; done already when the source is gone and the target is there. */
export async function renameFilestore(root: string, from: string, to: string): Promise<void> {
  const source = filestoreDir(root, from);
  const target = filestoreDir(root, to);
  if (!(await exists(source))) {
    if (!(await exists(target))) await mkdir(target, { recursive: true });
    return;
  }
  if (await exists(target)) throw new Error(`the filestore directory of "${to}" exists already`);
  await rename(source, target);
}

/** Removes `<root>/<name>` (and a copy's working directory); nothing when absent. */
export async function removeFilestore(root: string, name: string): Promise<void> {
  await rm(filestoreDir(root, name), { recursive: true, force: true });
}

/** Whether `<root>/<name>` exists. */
export async function filestoreExists(root: string, name: string): Promise<boolean> {
  return await exists(filestoreDir(root, name));
}
